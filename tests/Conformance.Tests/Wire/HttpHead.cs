using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Conformance.Tests.Wire;

/// <summary>The parsed head of an HTTP response: status line and header fields (names compared case-insensitively).</summary>
public sealed record HttpHead(int Status, string StatusLine, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    /// <summary>The RFC 6455 section 1.3 example key; its accept value is known from the RFC.</summary>
    public const string SampleKey = "dGhlIHNhbXBsZSBub25jZQ==";

    public const string SampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    public string? this[string name] =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    /// <summary>Whether a comma-separated header holds <paramref name="token"/> (case-insensitive, as section 4.2.2 compares them).</summary>
    public bool HasToken(string name, string token) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase))
            .SelectMany(h => h.Value.Split(','))
            .Any(t => string.Equals(t.Trim(), token, StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses the head (everything before the blank line, without it); null when it is not HTTP/1.1.</summary>
    public static HttpHead? Parse(string head)
    {
        var lines = head.Split("\r\n");
        var statusLine = lines[0];
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(parts[1], out var status))
            return null;
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) return null;
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
        }
        return new HttpHead(status, statusLine, headers);
    }

    /// <summary>The accept value a server must derive from <paramref name="key"/> (section 4.2.2, step 5.4).</summary>
#pragma warning disable CA5350 // SHA-1 is what the protocol specifies here; it protects nothing.
    public static string AcceptFor(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350

    /// <summary>A well-formed upgrade request; each case of the handshake section breaks one part of it.</summary>
    public static string UpgradeRequest(int port, string path = "/", string method = "GET", string key = SampleKey, string version = "13",
        string upgrade = "websocket", string connection = "Upgrade", string extraHeaders = "")
    {
        var request = new StringBuilder();
        request.Append(method).Append(' ').Append(path).Append(" HTTP/1.1\r\n");
        request.Append("Host: 127.0.0.1:").Append(port).Append("\r\n");
        if (upgrade.Length > 0) request.Append("Upgrade: ").Append(upgrade).Append("\r\n");
        if (connection.Length > 0) request.Append("Connection: ").Append(connection).Append("\r\n");
        if (key.Length > 0) request.Append("Sec-WebSocket-Key: ").Append(key).Append("\r\n");
        if (version.Length > 0) request.Append("Sec-WebSocket-Version: ").Append(version).Append("\r\n");
        request.Append(extraHeaders);
        request.Append("\r\n");
        return request.ToString();
    }
}
