using System.Globalization;
using System.Text;

namespace Switchboard.Server.Tests;

/// <summary>A response as read off a raw socket: status, fields (last one wins), body, and the head as text.</summary>
internal sealed record RawHttpResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body, string Head)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public string? this[string name] => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>Plain HTTP over a <see cref="RawClient"/>, for what HttpClient would tidy up before sending.</summary>
internal static class RawHttp
{
    public static Task SendGetAsync(this RawClient raw, string target, string extra = "")
        => raw.SendAsync($"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n");

    /// <summary>Sends a request with an empty body and reads the whole response.</summary>
    public static async Task<RawHttpResponse> RequestAsync(this RawClient raw, string method, string target)
    {
        await raw.SendAsync($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
        return await raw.ReadResponseAsync();
    }

    /// <summary>Reads one response: the head, then exactly Content-Length body bytes (none when answering HEAD).</summary>
    public static async Task<RawHttpResponse> ReadResponseAsync(this RawClient raw, bool toHead = false)
    {
        var head = await raw.ReadHeadAsync();
        if (head.Length == 0) throw new IOException("the server closed the connection without a response");
        var lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon]] = line[(colon + 1)..].Trim();
        }

        var length = !toHead && headers.TryGetValue("Content-Length", out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : 0;
        var body = await raw.ReadAsync(length, TimeSpan.FromSeconds(10));
        if (body.Length != length) throw new IOException($"body ended after {body.Length} of {length} bytes");
        return new RawHttpResponse(status, headers, body, head);
    }
}
