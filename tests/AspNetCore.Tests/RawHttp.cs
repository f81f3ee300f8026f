using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Switchboard.AspNetCore.Tests;

/// <summary>A response read off a raw socket: status, fields (last one wins) and body text.</summary>
internal sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? this[string name] => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>One HTTP/1.1 request over a fresh TCP connection, for requests HttpClient would not send as written.</summary>
internal static class RawHttp
{
    /// <summary>A WebSocket upgrade request's fields, with a fixed key.</summary>
    public const string Upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

    public static async Task<RawResponse> SendAsync(Uri address, string method, string target, string fields)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{method} {target} HTTP/1.1\r\nHost: {address.Authority}\r\n{fields}\r\n"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var received = new List<byte>();
        var buffer = new byte[4096];
        int headEnd;
        while ((headEnd = IndexOfBlankLine(received)) < 0)
        {
            var n = await stream.ReadAsync(buffer, timeout.Token);
            if (n == 0) throw new IOException("the server closed the connection without a response");
            received.AddRange(buffer.AsSpan(0, n));
        }
        var head = Encoding.ASCII.GetString(received.ToArray(), 0, headEnd);
        var lines = head.Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon]] = line[(colon + 1)..].Trim();
        }
        var length = headers.TryGetValue("Content-Length", out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : 0;
        while (received.Count < headEnd + 4 + length)
        {
            var n = await stream.ReadAsync(buffer, timeout.Token);
            if (n == 0) break;
            received.AddRange(buffer.AsSpan(0, n));
        }
        return new RawResponse(status, headers, Encoding.UTF8.GetString(received.ToArray(), headEnd + 4, Math.Min(length, received.Count - headEnd - 4)));
    }

    private static int IndexOfBlankLine(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') return i;
        }
        return -1;
    }
}
