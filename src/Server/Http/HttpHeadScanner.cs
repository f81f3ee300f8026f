using System.Buffers;
using Switchboard.Protocol.Http;

namespace Switchboard.Server.Http;

/// <summary>
/// Walks the head of an HTTP/1.1 request (RFC 9112 sections 2 to 5) received so far, checking its syntax and
/// caps and handing each piece to a rule set, without allocating. Shared by every request parser, which differ
/// only in their rules, so none of them can drift from the others on what counts as well formed.
/// </summary>
/// <remarks>
/// Strict where leniency breeds request smuggling or ambiguity: every line must end in CRLF, field names must
/// touch their colon, obsolete line folding and control characters are refused. Caps are enforced on the bytes
/// received so far, not only on complete heads. Stateless and thread-safe.
/// </remarks>
internal static class HttpHeadScanner
{
    /// <summary>Checks the head received so far against the syntax, the caps and <paramref name="rules"/>.</summary>
    /// <param name="input">Every byte of the request received so far, from its first byte.</param>
    /// <param name="maxHeaderBytes">The most bytes the head may span, blank line included.</param>
    /// <param name="maxHeaderCount">The most field lines the head may carry.</param>
    /// <param name="rules">The rule set; it keeps its own reason when the result is <see cref="HeadScanStatus.Rejected"/>.</param>
    /// <param name="end">
    /// Just past the blank line, when the result is <see cref="HeadScanStatus.Complete"/>, or
    /// <see cref="HeadScanStatus.Rejected"/> by <see cref="IHeadRules.AcceptHead"/>; otherwise default.
    /// </param>
    public static HeadScanStatus Scan<TRules>(
        in ReadOnlySequence<byte> input,
        int maxHeaderBytes,
        int maxHeaderCount,
        ref TRules rules,
        out SequencePosition end)
        where TRules : struct, IHeadRules
    {
        end = default;
        var lines = new HttpLineReader(input, maxHeaderBytes);
        try
        {
            switch (lines.TryReadLine(out ReadOnlySpan<byte> line))
            {
                // A start that can never be a request line is refused as such whether or not the cap was reached
                // first, so the verdict does not depend on how many bytes the first read happened to bring.
                case LineStatus.Incomplete:
                    return RequestLine.CouldStart(lines.Unread) ? HeadScanStatus.Incomplete : HeadScanStatus.InvalidRequestLine;
                case LineStatus.TooLarge:
                    return RequestLine.CouldStart(lines.Unread) ? HeadScanStatus.HeadersTooLarge : HeadScanStatus.InvalidRequestLine;
                case LineStatus.BareLineFeed:
                    return HeadScanStatus.InvalidRequestLine;
            }

            if (!RequestLine.TryParse(line, out RequestLine requestLine))
            {
                return HeadScanStatus.InvalidRequestLine;
            }

            if (!rules.AcceptRequestLine(line[requestLine.Method], line[requestLine.Version]))
            {
                return HeadScanStatus.Rejected;
            }

            int count = 0;
            while (true)
            {
                switch (lines.TryReadLine(out line))
                {
                    case LineStatus.Incomplete:
                        return HeadScanStatus.Incomplete;
                    case LineStatus.TooLarge:
                        return HeadScanStatus.HeadersTooLarge;
                    case LineStatus.BareLineFeed:
                        return HeadScanStatus.InvalidHeader;
                }

                if (line.IsEmpty)
                {
                    break;
                }

                if (++count > maxHeaderCount)
                {
                    return HeadScanStatus.TooManyHeaders;
                }

                if (!HttpSyntax.TryParseField(line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value))
                {
                    return HeadScanStatus.InvalidHeader;
                }

                if (!rules.AcceptField(KnownHeaders.Identify(name), value))
                {
                    return HeadScanStatus.Rejected;
                }
            }

            // Set for a head the rules refuse as a whole too, so that its refusal can still be told where it went.
            end = lines.Position;
            return rules.AcceptHead() ? HeadScanStatus.Complete : HeadScanStatus.Rejected;
        }
        finally
        {
            lines.Dispose();
        }
    }
}
