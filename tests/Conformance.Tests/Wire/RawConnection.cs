using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Switchboard.Conformance.Tests.Wire;

/// <summary>Something the server did, in arrival order.</summary>
public abstract record ServerEvent(TimeSpan At);

public sealed record FrameReceived(ServerFrame Frame, TimeSpan At) : ServerEvent(At);

/// <summary>The server's side of TCP ended: FIN (read returned 0) or a reset.</summary>
public sealed record ConnectionEnded(bool Reset, TimeSpan At) : ServerEvent(At);

/// <summary>The bytes could not be framed any further; nothing else is read.</summary>
public sealed record StreamBroken(string Problem, TimeSpan At) : ServerEvent(At);

/// <summary>
/// A plain TCP connection to the server under test, speaking just enough HTTP to upgrade and then raw bytes.
/// A background loop turns what the server sends into <see cref="ServerEvent"/>s.
/// </summary>
public sealed class RawConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly Channel<ServerEvent> _events = Channel.CreateUnbounded<ServerEvent>(new() { SingleReader = true, SingleWriter = true });
    private readonly ServerFrameParser _parser = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _pump = Task.CompletedTask;

    private RawConnection(Socket socket) => _socket = socket;

    public TimeSpan Elapsed => _clock.Elapsed;

    public ChannelReader<ServerEvent> Events => _events.Reader;

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/>; Nagle is off so every write leaves as its own segment.</summary>
    public static async Task<RawConnection> ConnectAsync(int port, TimeSpan timeout)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
            return new RawConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Connects and completes a correct opening handshake, failing with the server's answer if it is not a valid 101.</summary>
    public static async Task<RawConnection> OpenAsync(int port, TimeSpan timeout, string path = "/")
    {
        var connection = await ConnectAsync(port, timeout);
        try
        {
            await connection.SendAsync(Encoding.ASCII.GetBytes(HttpHead.UpgradeRequest(port, path)));
            var (head, raw) = await connection.ReadHeadAsync(timeout);
            var problem = head is null ? "not an HTTP response" : CheckUpgradeResponse(head, HttpHead.SampleKey);
            if (problem is not null)
                throw new InvalidOperationException($"opening handshake failed: {problem}\n--- server answered ---\n{raw}");
            connection.StartPump();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>What is wrong with a response to a valid upgrade request (section 4.2.2), or null.</summary>
    /// <param name="head">The response head.</param>
    /// <param name="key">The request's key.</param>
    /// <param name="extensionOffered">The request offered an extension, which the response may then name.</param>
    public static string? CheckUpgradeResponse(HttpHead head, string key, bool extensionOffered = false)
    {
        if (head.Status != 101) return $"status {head.Status}, expected 101";
        if (!string.Equals(head["Upgrade"], "websocket", StringComparison.OrdinalIgnoreCase)) return $"Upgrade is '{head["Upgrade"]}'";
        if (!head.HasToken("Connection", "Upgrade")) return $"Connection is '{head["Connection"]}'";
        if (head["Sec-WebSocket-Accept"] != HttpHead.AcceptFor(key)) return $"Sec-WebSocket-Accept is '{head["Sec-WebSocket-Accept"]}', expected '{HttpHead.AcceptFor(key)}'";
        if (!extensionOffered && head["Sec-WebSocket-Extensions"] is { } extensions) return $"extension '{extensions}' negotiated although none was offered";
        if (head["Sec-WebSocket-Protocol"] is { } protocol) return $"subprotocol '{protocol}' selected although none was offered";
        return null;
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None);
            bytes = bytes[sent..];
        }
    }

    /// <summary>
    /// Reads the HTTP head byte by byte-ish (bounded in size and time). Bytes after the blank line stay in the
    /// frame parser, since a server may send its first frame in the same segment as the 101.
    /// </summary>
    public async Task<(HttpHead? Head, string Raw)> ReadHeadAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var received = new List<byte>();
        var chunk = new byte[4096];
        while (true)
        {
            var end = IndexOfBlankLine(received);
            if (end >= 0)
            {
                var head = Encoding.Latin1.GetString(received.GetRange(0, end).ToArray());
                var rest = received.GetRange(end + 4, received.Count - end - 4).ToArray();
                rest.CopyTo(_parser.GetWriteMemory());
                _parser.Advance(rest.Length);
                return (HttpHead.Parse(head), head);
            }
            if (received.Count > 64 * 1024) return (null, Encoding.Latin1.GetString(received.ToArray()));
            int read;
            try
            {
                read = await _socket.ReceiveAsync(chunk, SocketFlags.None, cts.Token);
            }
            catch (OperationCanceledException)
            {
                return (null, $"(no complete response within {timeout.TotalSeconds:0.#} s) " + Encoding.Latin1.GetString(received.ToArray()));
            }
            catch (SocketException e)
            {
                return (null, $"(connection {e.SocketErrorCode}) " + Encoding.Latin1.GetString(received.ToArray()));
            }
            if (read == 0) return (null, "(connection closed) " + Encoding.Latin1.GetString(received.ToArray()));
            received.AddRange(chunk.AsSpan(0, read));
        }
    }

    /// <summary>Waits until the server ends its side of TCP, discarding anything it sends; false on timeout.</summary>
    public async Task<bool> WaitForServerToCloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var chunk = new byte[4096];
        try
        {
            while (await _socket.ReceiveAsync(chunk, SocketFlags.None, cts.Token) > 0) { }
            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void StartPump() => _pump = PumpAsync(_stop.Token);

    private static int IndexOfBlankLine(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') return i;
        }
        return -1;
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Frames that arrived together with the 101.
            if (!Drain()) return;
            while (true)
            {
                int read;
                try
                {
                    read = await _socket.ReceiveAsync(_parser.GetWriteMemory(), SocketFlags.None, cancellationToken);
                }
                catch (SocketException e)
                {
                    _events.Writer.TryWrite(new ConnectionEnded(e.SocketErrorCode == SocketError.ConnectionReset, Elapsed));
                    return;
                }
                if (read == 0)
                {
                    _events.Writer.TryWrite(new ConnectionEnded(false, Elapsed));
                    return;
                }
                _parser.Advance(read);
                if (!Drain()) return;
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    private bool Drain()
    {
        while (_parser.TryRead(out var frame)) _events.Writer.TryWrite(new FrameReceived(frame!, Elapsed));
        if (_parser.Broken is { } problem)
        {
            _events.Writer.TryWrite(new StreamBroken(problem, Elapsed));
            return false;
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await _pump.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        _stop.Dispose();
    }
}
