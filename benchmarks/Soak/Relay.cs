using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Soak;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of the server, so that faults can be injected: <see cref="ResetRandom"/> resets
/// both sides of some relayed connections at once, as a crashed middlebox or a lost NAT entry does.
/// </summary>
internal sealed class Relay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, (Socket Client, Socket Server)> _pairs = new();
    private readonly int _backendPort;
    private readonly Task _accepting;
    private long _nextId;

    public Relay(int backendPort)
    {
        _backendPort = backendPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int OpenConnections => _pairs.Count;

    /// <summary>Resets <paramref name="count"/> relayed connections chosen at random; returns how many it reset.</summary>
    public int ResetRandom(int count, Random random)
    {
        var open = _pairs.Keys.ToArray();
        random.Shuffle(open);
        var reset = 0;
        foreach (var id in open.Take(count))
        {
            if (!_pairs.TryRemove(id, out var pair)) continue;
            Reset(pair.Client);
            Reset(pair.Server);
            reset++;
        }
        return reset;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        foreach (var id in _pairs.Keys)
        {
            if (_pairs.TryRemove(id, out var pair))
            {
                pair.Client.Dispose();
                pair.Server.Dispose();
            }
        }
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stopping.Token);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        client.NoDelay = true;
        var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var id = Interlocked.Increment(ref _nextId);
        try
        {
            await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _backendPort), _stopping.Token);
            _pairs[id] = (client, server);
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            // An orderly end on one side is passed on as one: shut down, then close.
            if (_pairs.TryRemove(id, out _))
            {
                Finish(client);
                Finish(server);
            }
            client.Dispose();
            server.Dispose();
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0) return;
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        socket.Dispose();
    }

    private static void Finish(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
