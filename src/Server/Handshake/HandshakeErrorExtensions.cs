namespace Switchboard.Server.Handshake;

/// <summary>Maps a <see cref="HandshakeError"/> to the HTTP rejection a server sends for it.</summary>
/// <remarks>Stateless; safe to call from any thread.</remarks>
internal static class HandshakeErrorExtensions
{
    /// <summary>
    /// The HTTP status for a rejected handshake: 405 for <see cref="HandshakeError.MethodNotAllowed"/>,
    /// 505 for <see cref="HandshakeError.UnsupportedHttpVersion"/>, 431 for
    /// <see cref="HandshakeError.HeadersTooLarge"/> and <see cref="HandshakeError.TooManyHeaders"/>, 426 for
    /// <see cref="HandshakeError.UnsupportedVersion"/>, and 400 for every other value. <see cref="HandshakeError.None"/>
    /// is not a rejection; callers test for it before asking for a status.
    /// </summary>
    /// <param name="error">The parser's verdict.</param>
    /// <returns>A 4xx or 5xx status code.</returns>
    public static int ToStatusCode(this HandshakeError error) => error switch
    {
        HandshakeError.MethodNotAllowed => 405,
        HandshakeError.UnsupportedHttpVersion => 505,
        HandshakeError.HeadersTooLarge or HandshakeError.TooManyHeaders => 431,
        HandshakeError.UnsupportedVersion => 426,
        _ => 400,
    };

    /// <summary>A short, client-safe sentence explaining the rejection, suitable for the response body.</summary>
    /// <param name="error">The parser's verdict.</param>
    /// <returns>A constant string; never null.</returns>
    public static string Describe(this HandshakeError error) => error switch
    {
        HandshakeError.None => "Valid WebSocket upgrade request",
        HandshakeError.InvalidRequestLine => "Malformed request line",
        HandshakeError.MethodNotAllowed => "WebSocket upgrade requires GET",
        HandshakeError.UnsupportedHttpVersion => "WebSocket upgrade requires HTTP/1.1",
        HandshakeError.HeadersTooLarge => "Request headers too large",
        HandshakeError.TooManyHeaders => "Too many request headers",
        HandshakeError.InvalidHeader => "Malformed header field",
        HandshakeError.MissingHost => "Host header required",
        HandshakeError.MissingUpgrade => "Upgrade: websocket required",
        HandshakeError.MissingConnectionUpgrade => "Connection: Upgrade required",
        HandshakeError.MissingKey => "Sec-WebSocket-Key required",
        HandshakeError.InvalidKey => "Sec-WebSocket-Key must be base64 of 16 bytes",
        HandshakeError.UnsupportedVersion => "Sec-WebSocket-Version must be 13",
        HandshakeError.UnexpectedBody => "Upgrade request must not have a body",
        _ => "Bad handshake request",
    };
}
