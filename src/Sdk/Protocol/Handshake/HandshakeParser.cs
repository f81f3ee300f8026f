using System.Buffers;

namespace Switchboard.Protocol;

/// <summary>
/// Reads a client's opening handshake (RFC 6455 section 4.2.1) from the bytes a server has received so far. Sans-I/O:
/// it never blocks, never throws on input, and keeps no state between calls, so a server calls it again with the
/// grown buffer each time more bytes arrive.
/// </summary>
/// <remarks>
/// Stateless and thread-safe. The HTTP/1.1 syntax and caps are those of <see cref="HttpRequestParser"/> (the same
/// scanner walks the head); the upgrade rules are those of <see cref="WebSocketUpgrade.TryValidate"/>, applied while
/// the head arrives, so a request that can never be upgraded (a POST, a wrong Sec-WebSocket-Version, a body) is
/// refused before its blank line. Use this parser on an endpoint that only ever upgrades; a server that also
/// answers plain HTTP reads heads with <see cref="HttpRequestParser"/> and hands attempts to
/// <see cref="WebSocketUpgrade"/>.
/// </remarks>
public static class HandshakeParser
{
    /// <summary>
    /// Tries to read a complete, valid upgrade request from the start of <paramref name="input"/>.
    /// </summary>
    /// <param name="input">Every byte received on the connection so far, from its first byte.</param>
    /// <param name="limits">Caps on the head's size and field count.</param>
    /// <param name="consumed">
    /// Just past the blank line that ends the head when a request was accepted (later bytes are the client's
    /// first frames); otherwise the start of <paramref name="input"/>.
    /// </param>
    /// <param name="examined">
    /// Equal to <paramref name="consumed"/> when a request was accepted; otherwise the end of
    /// <paramref name="input"/>, so a pipe waits for more bytes before calling again.
    /// </param>
    /// <param name="request">The parsed request when the result is true and <paramref name="error"/> is None.</param>
    /// <param name="error">Why the request was rejected, when the result is true and it is not None.</param>
    /// <returns>
    /// False when the head is incomplete and nothing received so far breaks a rule; the caller reads more and
    /// retries. True when a verdict is reached: either <paramref name="error"/> is
    /// <see cref="HandshakeError.None"/> and <paramref name="request"/> is set, or the request is rejected and
    /// the caller answers with <see cref="HandshakeResponse.WriteReject(IBufferWriter{byte}, HandshakeError)"/>
    /// and closes the connection.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="limits"/> is null.</exception>
    public static bool TryParse(
        in ReadOnlySequence<byte> input,
        HandshakeLimits limits,
        out SequencePosition consumed,
        out SequencePosition examined,
        out HandshakeRequest? request,
        out HandshakeError error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        consumed = input.Start;
        examined = input.End;
        request = null;

        var rules = new UpgradeRules();
        HeadScanStatus status = HttpHeadScanner.Scan(
            input, limits.MaxHeaderBytes, limits.MaxHeaderCount, ref rules, out SequencePosition end);
        error = status switch
        {
            HeadScanStatus.Incomplete or HeadScanStatus.Complete => HandshakeError.None,
            HeadScanStatus.InvalidRequestLine => HandshakeError.InvalidRequestLine,
            HeadScanStatus.HeadersTooLarge => HandshakeError.HeadersTooLarge,
            HeadScanStatus.TooManyHeaders => HandshakeError.TooManyHeaders,
            HeadScanStatus.InvalidHeader => HandshakeError.InvalidHeader,
            _ => rules.Error,
        };

        if (status != HeadScanStatus.Complete)
        {
            return status != HeadScanStatus.Incomplete;
        }

        HttpRequestHead head = HttpHeadBuilder.Build(input.Slice(input.Start, end));
        request = WebSocketUpgrade.CreateRequest(head);
        consumed = end;
        examined = end;
        return true;
    }
}
