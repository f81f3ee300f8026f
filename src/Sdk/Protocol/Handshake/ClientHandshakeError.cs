namespace Switchboard.Protocol.Handshake;

/// <summary>Why a client refused the server's handshake response (RFC 6455 section 4.1, "the client MUST").</summary>
public enum ClientHandshakeError : byte
{
    /// <summary>The server accepted the upgrade; the bytes after the head are frames.</summary>
    None,

    /// <summary>The status line is not <c>HTTP/1.x SP 3DIGIT SP reason CRLF</c> (RFC 9112 section 4).</summary>
    InvalidStatusLine,

    /// <summary>The status is not 101; the server declined (the status code is reported alongside).</summary>
    NotSwitchingProtocols,

    /// <summary>The response head exceeded the byte or field-count cap.</summary>
    HeadersTooLarge,

    /// <summary>A header line is malformed: no colon, whitespace before it, a bad name or value, or obsolete line folding.</summary>
    InvalidHeader,

    /// <summary>No Upgrade header lists the <c>websocket</c> token (section 4.1, item 2).</summary>
    MissingUpgrade,

    /// <summary>No Connection header lists the <c>Upgrade</c> option (section 4.1, item 3).</summary>
    MissingConnectionUpgrade,

    /// <summary>Sec-WebSocket-Accept is absent, repeated, or not derived from this client's key (section 4.1, item 4).</summary>
    InvalidAccept,

    /// <summary>The server chose a subprotocol the client did not offer, or more than one (section 4.1, item 6).</summary>
    UnexpectedSubprotocol,

    /// <summary>The server named an extension although the client offered none (section 4.1, item 5).</summary>
    UnexpectedExtension,
}
