using System.Text;

namespace Switchboard.Protocol.Http;

/// <summary>The header fields the request parsers and the client handshake act on.</summary>
internal enum KnownHeader : byte
{
    Other,
    Host,
    Upgrade,
    Connection,
    Origin,
    ContentLength,
    TransferEncoding,
    Expect,
    SecWebSocketKey,
    SecWebSocketVersion,
    SecWebSocketProtocol,
    SecWebSocketAccept,
    SecWebSocketExtensions,
}

internal static class KnownHeaders
{
    /// <summary>Field names are case-insensitive (RFC 9110 section 5.1).</summary>
    public static KnownHeader Identify(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 when Ascii.EqualsIgnoreCase(name, "Host"u8) => KnownHeader.Host,
        6 when Ascii.EqualsIgnoreCase(name, "Origin"u8) => KnownHeader.Origin,
        6 when Ascii.EqualsIgnoreCase(name, "Expect"u8) => KnownHeader.Expect,
        7 when Ascii.EqualsIgnoreCase(name, "Upgrade"u8) => KnownHeader.Upgrade,
        10 when Ascii.EqualsIgnoreCase(name, "Connection"u8) => KnownHeader.Connection,
        14 when Ascii.EqualsIgnoreCase(name, "Content-Length"u8) => KnownHeader.ContentLength,
        17 when Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8) => KnownHeader.TransferEncoding,
        17 when Ascii.EqualsIgnoreCase(name, "Sec-WebSocket-Key"u8) => KnownHeader.SecWebSocketKey,
        20 when Ascii.EqualsIgnoreCase(name, "Sec-WebSocket-Accept"u8) => KnownHeader.SecWebSocketAccept,
        21 when Ascii.EqualsIgnoreCase(name, "Sec-WebSocket-Version"u8) => KnownHeader.SecWebSocketVersion,
        22 when Ascii.EqualsIgnoreCase(name, "Sec-WebSocket-Protocol"u8) => KnownHeader.SecWebSocketProtocol,
        24 when Ascii.EqualsIgnoreCase(name, "Sec-WebSocket-Extensions"u8) => KnownHeader.SecWebSocketExtensions,
        _ => KnownHeader.Other,
    };

    /// <summary>
    /// The name as a string: a shared literal when it is spelled the canonical way, so a typical request
    /// allocates nothing for the names the parsers care about.
    /// </summary>
    public static string GetName(KnownHeader header, ReadOnlySpan<byte> name)
    {
        string? canonical = header switch
        {
            KnownHeader.Host => "Host",
            KnownHeader.Upgrade => "Upgrade",
            KnownHeader.Connection => "Connection",
            KnownHeader.Origin => "Origin",
            KnownHeader.ContentLength => "Content-Length",
            KnownHeader.TransferEncoding => "Transfer-Encoding",
            KnownHeader.Expect => "Expect",
            KnownHeader.SecWebSocketKey => "Sec-WebSocket-Key",
            KnownHeader.SecWebSocketVersion => "Sec-WebSocket-Version",
            KnownHeader.SecWebSocketProtocol => "Sec-WebSocket-Protocol",
            KnownHeader.SecWebSocketAccept => "Sec-WebSocket-Accept",
            KnownHeader.SecWebSocketExtensions => "Sec-WebSocket-Extensions",
            _ => null,
        };

        return canonical is not null && Ascii.Equals(name, canonical) ? canonical : Encoding.ASCII.GetString(name);
    }
}
