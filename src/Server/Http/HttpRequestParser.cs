using System.Buffers;
using Switchboard.Protocol.Http;

namespace Switchboard.Server.Http;

/// <summary>
/// Reads the head of any HTTP/1.1 request (RFC 9112 sections 2 to 6) from the bytes a server has received so far:
/// any method, origin-form or absolute-form target, HTTP/1.1 or 1.0, with bodies framed by Content-Length only.
/// Sans-I/O: it never blocks, never throws on input, and keeps no state between calls, so a server calls it again
/// with the grown buffer each time more bytes arrive.
/// </summary>
/// <remarks>
/// Stateless and thread-safe. Strict where leniency breeds request smuggling or ambiguity: every line must end in
/// CRLF, field names must touch their colon, obsolete line folding and control characters are refused, Content-Length
/// must be one decimal value (repeats must agree), and Transfer-Encoding is refused, with or without Content-Length.
/// Limits are enforced on the bytes received so far, not only on complete heads. Whether the request is a WebSocket
/// upgrade is judged afterwards, by <see cref="Handshake.WebSocketUpgrade"/>.
/// </remarks>
internal static class HttpRequestParser
{
    /// <summary>Tries to read a complete, valid request head from the start of <paramref name="input"/>.</summary>
    /// <param name="input">The bytes received since the previous request ended (or since the connection opened).</param>
    /// <param name="limits">Caps on the head's size and field count.</param>
    /// <param name="maxRequestBodySize">The largest Content-Length the head may declare; a larger one is refused with
    /// <see cref="HttpError.ContentTooLarge"/> (413) before any body byte is read.</param>
    /// <param name="consumed">
    /// Just past the blank line that ends the head when a request was accepted (later bytes are its body, then the
    /// next request); otherwise the start of <paramref name="input"/>.
    /// </param>
    /// <param name="examined">
    /// Equal to <paramref name="consumed"/> when a request was accepted; otherwise the end of
    /// <paramref name="input"/>, so a pipe waits for more bytes before calling again.
    /// </param>
    /// <param name="head">The parsed head when the result is true and <paramref name="error"/> is None.</param>
    /// <param name="error">Why the request was refused, when the result is true and it is not None.</param>
    /// <returns>
    /// False when the head is incomplete and nothing received so far breaks a rule; the caller reads more and
    /// retries. True when a verdict is reached: either <paramref name="error"/> is <see cref="HttpError.None"/> and
    /// <paramref name="head"/> is set, or the request is refused and the caller answers with
    /// <see cref="HttpResponseWriter.WriteError"/> and closes the connection.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="limits"/> is null.</exception>
    public static bool TryParse(
        in ReadOnlySequence<byte> input,
        HttpHeadLimits limits,
        long maxRequestBodySize,
        out SequencePosition consumed,
        out SequencePosition examined,
        out HttpRequestHead? head,
        out HttpError error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        consumed = input.Start;
        examined = input.End;
        head = null;

        var rules = new HttpRequestRules(maxRequestBodySize);
        HeadScanStatus status = HttpHeadScanner.Scan(
            input, limits.MaxHeaderBytes, limits.MaxHeaderCount, ref rules, out SequencePosition end);
        error = status switch
        {
            HeadScanStatus.Incomplete or HeadScanStatus.Complete => HttpError.None,
            HeadScanStatus.InvalidRequestLine => HttpError.InvalidRequestLine,
            HeadScanStatus.HeadersTooLarge => HttpError.HeadersTooLarge,
            HeadScanStatus.TooManyHeaders => HttpError.TooManyHeaders,
            HeadScanStatus.InvalidHeader => HttpError.InvalidHeader,
            _ => rules.Error,
        };

        if (status != HeadScanStatus.Complete)
        {
            return status != HeadScanStatus.Incomplete;
        }

        head = HttpHeadBuilder.Build(input.Slice(input.Start, end));
        consumed = end;
        examined = end;
        return true;
    }

    /// <summary>
    /// The head <see cref="TryParse"/> refused, when it arrived whole and well formed and was refused as a whole (a
    /// missing Host, Transfer-Encoding, a Content-Length over the cap), so the refusal can carry what the answers at its
    /// path carry; null for any other refusal, whose head cannot be read.
    /// </summary>
    /// <param name="input">The bytes <see cref="TryParse"/> refused.</param>
    /// <param name="limits">The caps <see cref="TryParse"/> was given.</param>
    /// <param name="maxRequestBodySize">The body cap <see cref="TryParse"/> was given.</param>
    public static HttpRequestHead? ReadRefused(in ReadOnlySequence<byte> input, HttpHeadLimits limits, long maxRequestBodySize)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var rules = new HttpRequestRules(maxRequestBodySize);
        var status = HttpHeadScanner.Scan(input, limits.MaxHeaderBytes, limits.MaxHeaderCount, ref rules, out SequencePosition end);
        return status == HeadScanStatus.Rejected && end.GetObject() is not null ? HttpHeadBuilder.Build(input.Slice(input.Start, end)) : null;
    }
}
