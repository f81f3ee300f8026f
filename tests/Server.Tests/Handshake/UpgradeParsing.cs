using System.Buffers;
using Switchboard.Protocol.Http;
using Switchboard.Server.Handshake;
using Switchboard.Server.Http;

namespace Switchboard.Tests.Handshake;

/// <summary>The server's way of reading an opening handshake, as the handshake tests drive it.</summary>
internal static partial class HandshakeTestData
{
    /// <summary>
    /// Reads a head as the server does, with <see cref="HttpRequestParser"/>, then judges it with
    /// <see cref="WebSocketUpgrade.TryValidate"/>, and reports the consumed position as an offset. A head the HTTP
    /// parser refuses is reported with the handshake error of the same status.
    /// </summary>
    public static ParseResult Parse(in ReadOnlySequence<byte> input, HttpHeadLimits? limits = null)
    {
        bool done = HttpRequestParser.TryParse(
            input, limits ?? HttpHeadLimits.Default, MaxBody, out SequencePosition consumed, out SequencePosition examined, out HttpRequestHead? head, out HttpError httpError);
        long examinedLength = input.Slice(input.Start, examined).Length;
        if (!done)
        {
            return new ParseResult(false, HandshakeError.None, null, 0, examinedLength);
        }

        if (httpError != HttpError.None)
        {
            return new ParseResult(true, ToHandshakeError(httpError), null, 0, examinedLength);
        }

        if (!WebSocketUpgrade.TryValidate(head!, out HandshakeRequest? request, out HandshakeError error))
        {
            return new ParseResult(true, error, null, 0, input.Length);
        }

        return new ParseResult(true, HandshakeError.None, request, input.Slice(input.Start, consumed).Length, examinedLength);
    }

    public static ParseResult Parse(string text, HttpHeadLimits? limits = null) => Parse(Sequence(text), limits);

    /// <summary>The body cap the server applies by default; an upgrade request may declare none at all.</summary>
    private const long MaxBody = 1024 * 1024;

    private static HandshakeError ToHandshakeError(HttpError error) => error switch
    {
        HttpError.InvalidRequestLine => HandshakeError.InvalidRequestLine,
        HttpError.UnsupportedHttpVersion => HandshakeError.UnsupportedHttpVersion,
        HttpError.HeadersTooLarge => HandshakeError.HeadersTooLarge,
        HttpError.TooManyHeaders => HandshakeError.TooManyHeaders,
        HttpError.MissingHost => HandshakeError.MissingHost,
        HttpError.InvalidContentLength or HttpError.ContentTooLarge or HttpError.UnsupportedTransferEncoding
            or HttpError.TransferEncodingWithContentLength => HandshakeError.UnexpectedBody,
        _ => HandshakeError.InvalidHeader,
    };
}

internal readonly record struct ParseResult(bool Done, HandshakeError Error, HandshakeRequest? Request, long Consumed, long Examined);
