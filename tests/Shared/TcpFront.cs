using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchboard.Testing;

/// <summary>
/// A raw TCP front on 127.0.0.1 for a real server: it answers every request carrying <c>Upgrade: websocket</c> with 400,
/// as a proxy that blocks WebSocket does (unless made with <c>refuseWebSocket: false</c>), and relays everything else
/// byte for byte to <see cref="BackendPort"/>. Not 401 or 403: those are refusals, which clients never answer by
/// falling back to long polling.
/// <see cref="DropConnections"/> cuts every relayed connection, as a crashed backend does; <see cref="BlackHoleConnections"/>
/// makes them go silent without a FIN or a reset, as a network that loses every packet does (a half-open connection).
/// </summary>
public sealed class TcpFront : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly ConcurrentDictionary<Socket, byte> _silenced = new();
    private readonly Task _accepting;
    private readonly bool _refuseWebSocket;
    private int _upgradesRefused;
    private int _upgrades;
    private byte[]? _cutMarker;
    private int _responsesCut;
    private long _bytesToServer;
    private long _bytesToClient;

    public TcpFront(int backendPort, bool refuseWebSocket = true)
    {
        BackendPort = backendPort;
        _refuseWebSocket = refuseWebSocket;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Where new connections go; change it to point the front at another server.</summary>
    public int BackendPort { get; set; }

    public int UpgradesRefused => Volatile.Read(ref _upgradesRefused);

    /// <summary>How many WebSocket upgrade requests reached the front, refused or relayed.</summary>
    public int Upgrades => Volatile.Read(ref _upgrades);

    /// <summary>How many answers <see cref="CutNextResponseContaining"/> has cut.</summary>
    public int ResponsesCut => Volatile.Read(ref _responsesCut);

    /// <summary>Bytes relayed from clients to the server so far, request heads included: what crossed the wire.</summary>
    public long BytesToServer => Interlocked.Read(ref _bytesToServer);

    /// <summary>Bytes relayed from the server to clients so far.</summary>
    public long BytesToClient => Interlocked.Read(ref _bytesToClient);

    /// <summary>
    /// The next piece the server sends that holds <paramref name="marker"/> (ASCII) never reaches the client: both sides
    /// of that connection are reset instead, as when a network drops an answer in flight. Once only.
    /// </summary>
    public void CutNextResponseContaining(string marker) => Volatile.Write(ref _cutMarker, Encoding.ASCII.GetBytes(marker));

    public Uri Uri(string path) => new($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}");

    /// <summary>The same address for a browser or an HTTP client.</summary>
    public Uri HttpUri(string path) => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}");

    public void DropConnections()
    {
        foreach (var socket in _open.Keys) Close(socket);
    }

    /// <summary>
    /// From now on the connections relayed so far pass nothing either way, and neither side learns when the other closes
    /// or resets: what each sends is read and thrown away. Connections made later are relayed as usual.
    /// </summary>
    public void BlackHoleConnections()
    {
        foreach (var socket in _open.Keys) _silenced[socket] = 0;
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
            var upgrade = text.Split("\r\n").Any(line => line.StartsWith("Upgrade:", StringComparison.OrdinalIgnoreCase)
                && line.Contains("websocket", StringComparison.OrdinalIgnoreCase));
            if (upgrade) Interlocked.Increment(ref _upgrades);
            if (_refuseWebSocket && upgrade)
            {
                Interlocked.Increment(ref _upgradesRefused);
                await client.SendAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None);
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
            Interlocked.Add(ref _bytesToServer, head.Length);
            var pumps = new[] { PumpAsync(client, backend, fromServer: false), PumpAsync(backend, client, fromServer: true) };
            await Task.WhenAny(pumps);
            // A silenced connection keeps each side open until that side itself lets go.
            if (_silenced.ContainsKey(client)) await Task.WhenAll(pumps);
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

    private async Task PumpAsync(Socket from, Socket to, bool fromServer)
    {
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0) return;
                if (_silenced.ContainsKey(from)) continue;
                if (fromServer && Volatile.Read(ref _cutMarker) is { } marker && buffer.AsSpan(0, read).IndexOf(marker) >= 0
                    && Interlocked.CompareExchange(ref _cutMarker, null, marker) == marker)
                {
                    Interlocked.Increment(ref _responsesCut);
                    return; // the relay resets both sockets
                }
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                Interlocked.Add(ref fromServer ? ref _bytesToClient : ref _bytesToServer, read);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private void Close(Socket socket)
    {
        if (!_open.TryRemove(socket, out _)) return;
        _silenced.TryRemove(socket, out _);
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
