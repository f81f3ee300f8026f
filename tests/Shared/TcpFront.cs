using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchboard.Testing;

/// <summary>
/// A raw TCP front on 127.0.0.1 for a real server: it answers every request carrying <c>Upgrade: websocket</c> with 403,
/// as a proxy that blocks WebSocket does, and relays everything else byte for byte to <see cref="BackendPort"/>.
/// <see cref="DropConnections"/> cuts every relayed connection, as a crashed backend does.
/// </summary>
public sealed class TcpFront : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly Task _accepting;
    private int _upgradesRefused;

    public TcpFront(int backendPort)
    {
        BackendPort = backendPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Where new connections go; change it to point the front at another server.</summary>
    public int BackendPort { get; set; }

    public int UpgradesRefused => Volatile.Read(ref _upgradesRefused);

    public Uri Uri(string path) => new($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}");

    /// <summary>The same address for a browser or an HTTP client.</summary>
    public Uri HttpUri(string path) => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}");

    public void DropConnections()
    {
        foreach (var socket in _open.Keys) Close(socket);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        DropConnections();
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
        _open[client] = 0;
        Socket? backend = null;
        try
        {
            // The head of the first request decides; a client never upgrades later on a kept-alive connection.
            var head = new MemoryStream();
            var buffer = new byte[8192];
            while (IndexOfEndOfHead(head) < 0)
            {
                var read = await client.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token);
                if (read == 0) return;
                head.Write(buffer, 0, read);
            }
            var text = Encoding.ASCII.GetString(head.GetBuffer(), 0, IndexOfEndOfHead(head));
            if (text.Split("\r\n").Any(line => line.StartsWith("Upgrade:", StringComparison.OrdinalIgnoreCase)
                && line.Contains("websocket", StringComparison.OrdinalIgnoreCase)))
            {
                Interlocked.Increment(ref _upgradesRefused);
                await client.SendAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None);
                client.Shutdown(SocketShutdown.Send);
                // Closed gently once the client has read the answer: a reset could overtake it.
                using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                while (await client.ReceiveAsync(buffer, SocketFlags.None, drain.Token) > 0)
                {
                }
                _open.TryRemove(client, out _);
                client.Dispose();
                return;
            }

            backend = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            _open[backend] = 0;
            await backend.ConnectAsync(new IPEndPoint(IPAddress.Loopback, BackendPort), _stopping.Token);
            await backend.SendAsync(head.ToArray(), SocketFlags.None);
            await Task.WhenAny(PumpAsync(client, backend), PumpAsync(backend, client));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            Close(client);
            if (backend is not null) Close(backend);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16384];
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

    private void Close(Socket socket)
    {
        if (!_open.TryRemove(socket, out _)) return;
        try
        {
            socket.LingerState = new LingerOption(true, 0); // a reset, as from a dead host
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        socket.Dispose();
    }

    private static int IndexOfEndOfHead(MemoryStream head)
        => head.GetBuffer().AsSpan(0, (int)head.Length).IndexOf("\r\n\r\n"u8) is var at and >= 0 ? at + 4 : -1;
}
