using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Benchmarks.Load.Wire;

/// <summary>What the server answered to the opening handshake.</summary>
internal enum HandshakeStatus
{
    NeedMore,
    Accepted,

    /// <summary>A status other than 101 (e.g. 503 over a connection limit).</summary>
    Refused,

    /// <summary>101 without the right Sec-WebSocket-Accept, or not HTTP at all.</summary>
    Invalid,
}

/// <summary>
/// The client's opening handshake (RFC 6455 section 4.1): one GET built once per key, and a check of the response's
/// status line and Sec-WebSocket-Accept. Not on the message path, so it may allocate.
/// </summary>
internal sealed class ClientHandshake
{
    /// <summary>
    /// The permessage-deflate offer the load makes (RFC 7692): no context takeover either way, as the servers' defaults
    /// are, so neither side keeps zlib state between messages.
    /// </summary>
    public const string DeflateOffer = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

    private const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private readonly string _expectedAccept;

    /// <param name="host">The Host header's host.</param>
    /// <param name="port">The Host header's port.</param>
    /// <param name="path">The request target.</param>
    /// <param name="extensions">A <c>Sec-WebSocket-Extensions</c> offer, such as permessage-deflate's, or null for none.</param>
    public ClientHandshake(string host, int port, string path, string? extensions = null)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
#pragma warning disable CA5350 // RFC 6455 section 4.2.2 fixes SHA-1 for Sec-WebSocket-Accept; it is not used for security here.
        _expectedAccept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + Guid)));
#pragma warning restore CA5350
        Request = Encoding.ASCII.GetBytes(
            $"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n" +
            (extensions is null ? "" : $"Sec-WebSocket-Extensions: {extensions}\r\n") + "\r\n");
    }

    /// <summary>The request bytes; the same key serves every connection of this instance (the server cannot tell).</summary>
    public byte[] Request { get; }

    /// <summary>Looks for a whole response head at the start of <paramref name="buffer"/>; <paramref name="consumed"/> is its length.</summary>
    public HandshakeStatus TryParseResponse(ReadOnlySpan<byte> buffer, out int consumed, out int status)
        => TryParseResponse(buffer, out consumed, out status, out _);

    /// <summary>As the other overload; <paramref name="extensions"/> is the response's <c>Sec-WebSocket-Extensions</c>, or null.</summary>
    public HandshakeStatus TryParseResponse(ReadOnlySpan<byte> buffer, out int consumed, out int status, out string? extensions)
    {
        consumed = 0;
        extensions = null;
        status = 0;
        var end = buffer.IndexOf("\r\n\r\n"u8);
        if (end < 0) return buffer.Length > 16 * 1024 ? HandshakeStatus.Invalid : HandshakeStatus.NeedMore;
        consumed = end + 4;

        var head = Encoding.ASCII.GetString(buffer[..end]);
        var lines = head.Split("\r\n");
        var statusLine = lines[0].Split(' ', 3);
        if (statusLine.Length < 2 || !statusLine[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(statusLine[1], System.Globalization.CultureInfo.InvariantCulture, out status))
            return HandshakeStatus.Invalid;
        if (status != 101) return HandshakeStatus.Refused;

        var accepted = false;
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var name = line.AsSpan(0, colon).Trim();
            if (name.Equals("Sec-WebSocket-Accept", StringComparison.OrdinalIgnoreCase))
            {
                if (!line.AsSpan(colon + 1).Trim().SequenceEqual(_expectedAccept)) return HandshakeStatus.Invalid;
                accepted = true;
            }
            else if (name.Equals("Sec-WebSocket-Extensions", StringComparison.OrdinalIgnoreCase))
            {
                extensions = line[(colon + 1)..].Trim();
            }
        }
        return accepted ? HandshakeStatus.Accepted : HandshakeStatus.Invalid;
    }
}
