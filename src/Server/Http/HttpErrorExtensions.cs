namespace Switchboard.Server.Http;

/// <summary>Maps an <see cref="HttpError"/> to the HTTP response a server sends for it.</summary>
/// <remarks>Stateless; safe to call from any thread.</remarks>
internal static class HttpErrorExtensions
{
    /// <summary>
    /// The HTTP status for a refused request head: 505 for <see cref="HttpError.UnsupportedHttpVersion"/>, 431 for
    /// <see cref="HttpError.HeadersTooLarge"/> and <see cref="HttpError.TooManyHeaders"/>, 413 for
    /// <see cref="HttpError.ContentTooLarge"/>, 501 for <see cref="HttpError.UnsupportedTransferEncoding"/>, and 400
    /// for every other value. <see cref="HttpError.None"/> is not a refusal; callers test for it first.
    /// </summary>
    /// <param name="error">The parser's verdict.</param>
    /// <returns>A 4xx or 5xx status code.</returns>
    public static int ToStatusCode(this HttpError error) => error switch
    {
        HttpError.UnsupportedHttpVersion => 505,
        HttpError.HeadersTooLarge or HttpError.TooManyHeaders => 431,
        HttpError.ContentTooLarge => 413,
        HttpError.UnsupportedTransferEncoding => 501,
        _ => 400,
    };

    /// <summary>A short, client-safe sentence explaining the refusal, suitable for the response body.</summary>
    /// <param name="error">The parser's verdict.</param>
    /// <returns>A constant string; never null.</returns>
    public static string Describe(this HttpError error) => error switch
    {
        HttpError.None => "Valid request",
        HttpError.InvalidRequestLine => "Malformed request line",
        HttpError.UnsupportedHttpVersion => "Only HTTP/1.1 and HTTP/1.0 are supported",
        HttpError.HeadersTooLarge => "Request headers too large",
        HttpError.TooManyHeaders => "Too many request headers",
        HttpError.InvalidHeader => "Malformed header field",
        HttpError.MissingHost => "Host header required",
        HttpError.InvalidHost => "Exactly one valid Host header required",
        HttpError.InvalidContentLength => "Malformed or conflicting Content-Length",
        HttpError.ContentTooLarge => "Request body too large",
        HttpError.UnsupportedTransferEncoding => "Transfer-Encoding is not supported; send Content-Length",
        HttpError.TransferEncodingWithContentLength => "Transfer-Encoding and Content-Length must not both be sent",
        _ => "Bad request",
    };
}
