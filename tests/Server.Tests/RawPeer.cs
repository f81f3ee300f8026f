using System.Net.Sockets;
using System.Text;

namespace Switchboard.Server.Tests;

/// <summary>
/// A bare socket peer that can leave the way broken clients do: with a reset (<see cref="Reset"/>), with a FIN
/// (<see cref="Finish"/>), or after half a head or half a frame. Frames it sends are masked with an all-zero key, so
/// their payload goes out as written.
/// </summary>
internal sealed class RawPeer : IDisposable
{
    private const string UpgradeHead = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };

    public static async Task<RawPeer> ConnectAsync(int port)
    {
        var peer = new RawPeer();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await peer._socket.ConnectAsync("127.0.0.1", port, timeout.Token);
        return peer;
    }

    /// <summary>The upgrade request for <paramref name="path"/>, whole or cut after <paramref name="bytes"/> bytes.</summary>
    public static byte[] UpgradeRequest(string path, int bytes = int.MaxValue)
    {
        var head = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{UpgradeHead}\r\n");
        return head[..Math.Min(bytes, head.Length)];
    }

    /// <summary>A masked frame header for <paramref name="length"/> payload bytes (under 64 KiB), zero mask key.</summary>
    public static byte[] FrameHeader(byte first, int length) => length < 126
        ? [first, (byte)(0x80 | length), 0, 0, 0, 0]
        : [first, 0x80 | 126, (byte)(length >> 8), (byte)length, 0, 0, 0, 0];

    /// <summary>A whole masked text frame (FIN set) holding <paramref name="text"/>.</summary>
    public static byte[] TextFrame(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        return [.. FrameHeader(0x81, payload.Length), .. payload];
    }

    /// <summary>A masked close frame with code 1000.</summary>
    public static byte[] CloseFrame() => [0x88, 0x82, 0, 0, 0, 0, 0x03, 0xE8];

    public async Task SendAsync(byte[] bytes)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _socket.SendAsync(bytes, SocketFlags.None, timeout.Token);
    }

    /// <summary>Sends a whole upgrade request and reads the response head; returns it.</summary>
    public async Task<string> UpgradeAsync(string path)
    {
        await SendAsync(UpgradeRequest(path));
        return await ReadHeadAsync();
    }

    /// <summary>Sends a plain request (with its body, if any) and reads the whole response.</summary>
    public async Task<(int Status, string Body)> RequestAsync(string method, string target, string body = "", string extra = "")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        await SendAsync(Encoding.ASCII.GetBytes($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {bytes.Length}\r\n{extra}\r\n"));
        if (bytes.Length > 0) await SendAsync(bytes);
        var head = await ReadHeadAsync();
        if (head.Length == 0) throw new IOException("the server closed the connection without a response");
        var status = int.Parse(head.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
        var length = 0;
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                length = int.Parse(line.AsSpan(15).Trim(), provider: System.Globalization.CultureInfo.InvariantCulture);
        }
        return (status, Encoding.UTF8.GetString(await ReadAsync(length)));
    }

    public async Task<string> ReadHeadAsync()
    {
        var head = new StringBuilder();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await _socket.ReceiveAsync(one, SocketFlags.None, timeout.Token) == 0) break;
            head.Append((char)one[0]);
        }
        return head.ToString();
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes, or fewer when the server closes first.</summary>
    public async Task<byte[]> ReadAsync(int count)
    {
        var buffer = new byte[count];
        var read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (read < count)
        {
            var n = await _socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, timeout.Token);
            if (n == 0) break;
            read += n;
        }
        return buffer[..read];
    }

    /// <summary>Leaves with a reset (RST), as a crashed host or a killed process behind a NAT does.</summary>
    public void Reset()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // Already reset by the server; closing is all that is left.
        }
        _socket.Close();
    }

    /// <summary>Leaves with a FIN, without a close frame.</summary>
    public void Finish()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        _socket.Close();
    }

    public void Dispose() => _socket.Dispose();
}
