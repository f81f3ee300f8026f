using System.Net.Sockets;
using System.Text;

namespace Switchboard.Server.Tests;

/// <summary>
/// A bare TCP client for what a well-behaved WebSocket client will not do, down to leaving with a reset
/// (<see cref="Reset"/>) or a FIN without a close frame (<see cref="Finish"/>).
/// </summary>
internal sealed class RawClient : IDisposable
{
    private readonly TcpClient _tcp;
    private NetworkStream _stream = null!;

    private RawClient(System.Net.IPAddress? local) => _tcp = local is null ? new TcpClient() : new TcpClient(new System.Net.IPEndPoint(local, 0));

    public static Task<RawClient> ConnectAsync(TestServer server) => ConnectAsync(server.Server.LocalEndPoint.Port);

    public static async Task<RawClient> ConnectAsync(int port) => await ConnectAsync(port, null);

    /// <summary>Connects from <paramref name="local"/> (another loopback address, such as 127.0.0.2, is another client), or any.</summary>
    public static async Task<RawClient> ConnectAsync(int port, System.Net.IPAddress? local)
    {
        var client = new RawClient(local);
        client._tcp.NoDelay = true;
        await client._tcp.ConnectAsync("127.0.0.1", port);
        client._stream = client._tcp.GetStream();
        return client;
    }

    public Task SendAsync(string ascii) => SendAsync(Encoding.ASCII.GetBytes(ascii));

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Sends a valid upgrade request for <paramref name="path"/> and returns the response head.</summary>
    public async Task<string> UpgradeAsync(string path)
    {
        await SendAsync($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        return await ReadHeadAsync();
    }

    /// <summary>Reads up to the blank line that ends an HTTP response head.</summary>
    public async Task<string> ReadHeadAsync()
    {
        var head = new StringBuilder();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await _stream.ReadAsync(one, timeout.Token) == 0) break;
            head.Append((char)one[0]);
        }
        return head.ToString();
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes, or fewer if the server closes first.</summary>
    public async Task<byte[]> ReadAsync(int count, TimeSpan within)
    {
        var buffer = new byte[count];
        var read = 0;
        using var timeout = new CancellationTokenSource(within);
        while (read < count)
        {
            var n = await _stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
            if (n == 0) break;
            read += n;
        }
        return buffer[..read];
    }

    /// <summary>True when the server ends the TCP connection within the time given.</summary>
    public async Task<bool> ClosedByServerAsync(TimeSpan within)
    {
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (true)
            {
                if (await _stream.ReadAsync(buffer, timeout.Token) == 0) return true;
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>Leaves with a reset (RST), as a crashed host or a killed process does.</summary>
    public void Reset()
    {
        try
        {
            _tcp.Client.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // Already reset by the server; closing is all that is left.
        }
        _tcp.Close();
    }

    /// <summary>Leaves with a FIN, without a close frame.</summary>
    public void Finish()
    {
        try
        {
            _tcp.Client.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        _tcp.Close();
    }

    public void Dispose() => _tcp.Dispose();
}
