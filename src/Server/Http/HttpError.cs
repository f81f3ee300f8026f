using Switchboard.Protocol.Http;

namespace Switchboard.Server.Http;

/// <summary>
/// Why <see cref="HttpRequestParser"/> refused a request head. Each value maps to an HTTP status through
/// <see cref="HttpErrorExtensions.ToStatusCode"/>; after answering any of them a server closes the connection,
/// since it can no longer tell where the next request starts.
/// </summary>
internal enum HttpError : byte
{
    /// <summary>The head is a valid HTTP/1.1 request head.</summary>
    None,

    /// <summary>
    /// The request line is not <c>method SP request-target SP HTTP-version CRLF</c> (RFC 9112 section 3), or the
    /// target is neither origin-form nor absolute-form. Answered with 400.
    /// </summary>
    InvalidRequestLine,

    /// <summary>The HTTP version is neither 1.1 nor 1.0 (RFC 9112 section 2.3). Answered with 505.</summary>
    UnsupportedHttpVersion,

    /// <summary>The head exceeded <see cref="HttpHeadLimits.MaxHeaderBytes"/>. Answered with 431.</summary>
    HeadersTooLarge,

    /// <summary>The head carried more than <see cref="HttpHeadLimits.MaxHeaderCount"/> fields. Answered with 431.</summary>
    TooManyHeaders,

    /// <summary>
    /// A header line is malformed: not <c>token ":" OWS value OWS CRLF</c>, whitespace before the colon
    /// (RFC 9112 section 5.1), obsolete line folding (section 5.2), a bare LF, or a control character in a value.
    /// Answered with 400.
    /// </summary>
    InvalidHeader,

    /// <summary>An HTTP/1.1 request without a Host field, or with an empty one (RFC 9112 section 3.2). Answered with 400.</summary>
    MissingHost,

    /// <summary>More than one Host field, or one that is not <c>host [ ":" port ]</c> (RFC 9112 section 3.2). Answered with 400.</summary>
    InvalidHost,

    /// <summary>
    /// A Content-Length that is not <c>1*DIGIT</c> (a list, a sign, whitespace inside, a value beyond 2^63 - 1), or
    /// Content-Length fields that disagree (RFC 9110 section 8.6, RFC 9112 section 6.3). Answered with 400.
    /// </summary>
    InvalidContentLength,

    /// <summary>The declared Content-Length exceeds <see cref="WebSocketServerOptions.MaxRequestBodySize"/>. Answered with 413.</summary>
    ContentTooLarge,

    /// <summary>
    /// The request carries Transfer-Encoding (chunked or any other coding). This parser frames request bodies by
    /// Content-Length only, so it refuses rather than guess where the body ends (RFC 9112 section 6.1). Answered with 501.
    /// </summary>
    UnsupportedTransferEncoding,

    /// <summary>
    /// The request carries both Transfer-Encoding and Content-Length: the classic request-smuggling ambiguity,
    /// which RFC 9112 section 6.1 says "ought to be handled as an error". Answered with 400.
    /// </summary>
    TransferEncodingWithContentLength,
}
