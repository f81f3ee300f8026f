using Switchboard.Protocol.Http;

namespace Switchboard.Server.Handshake;

/// <summary>
/// Why a server rejected an opening handshake request (RFC 6455 section 4.2.1). Each value maps to
/// an HTTP status through <see cref="HandshakeErrorExtensions.ToStatusCode"/>.
/// </summary>
internal enum HandshakeError : byte
{
    /// <summary>The request is a valid WebSocket upgrade.</summary>
    None,

    /// <summary>The request line is not <c>method SP request-target SP HTTP-version CRLF</c> (RFC 9112 section 3).</summary>
    InvalidRequestLine,

    /// <summary>The method is not GET (RFC 6455 section 4.1, item 2). Answered with 405.</summary>
    MethodNotAllowed,

    /// <summary>The HTTP version is not 1.1. Answered with 505.</summary>
    UnsupportedHttpVersion,

    /// <summary>The head exceeded <see cref="HttpHeadLimits.MaxHeaderBytes"/>. Answered with 431.</summary>
    HeadersTooLarge,

    /// <summary>The head carried more than <see cref="HttpHeadLimits.MaxHeaderCount"/> fields. Answered with 431.</summary>
    TooManyHeaders,

    /// <summary>
    /// A header line is malformed: not <c>token ":" OWS value OWS CRLF</c>, whitespace before the colon,
    /// obsolete line folding, a bare LF, a control character in a value, or a single-valued field repeated.
    /// </summary>
    InvalidHeader,

    /// <summary>The Host header is absent or empty (RFC 9110 section 7.2).</summary>
    MissingHost,

    /// <summary>No Upgrade header lists the <c>websocket</c> token (RFC 6455 section 4.2.1, item 3).</summary>
    MissingUpgrade,

    /// <summary>No Connection header lists the <c>Upgrade</c> option (RFC 6455 section 4.2.1, item 4).</summary>
    MissingConnectionUpgrade,

    /// <summary>The Sec-WebSocket-Key header is absent (RFC 6455 section 4.2.1, item 5).</summary>
    MissingKey,

    /// <summary>The Sec-WebSocket-Key header is repeated or is not the base64 form of 16 bytes.</summary>
    InvalidKey,

    /// <summary>
    /// Sec-WebSocket-Version is absent or not 13. Answered with 426 and <c>Sec-WebSocket-Version: 13</c>
    /// (RFC 6455 section 4.4).
    /// </summary>
    UnsupportedVersion,

    /// <summary>
    /// The request announces a body (a non-zero Content-Length or any Transfer-Encoding); bytes after an
    /// upgrade request's head must be frames, so a body is refused rather than guessed at.
    /// </summary>
    UnexpectedBody,
}
