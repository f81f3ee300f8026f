using Switchboard.Protocol.Http;

namespace Switchboard.Server.Http;

/// <summary>
/// What any HTTP/1.1 request head must satisfy for <see cref="HttpRequestParser"/>: a supported version, one
/// valid Host, and unambiguous body framing. Errors that do not depend on later fields are final at once; the
/// ones that do (a Transfer-Encoding without Content-Length, a body over the cap) wait for the blank line, so the
/// verdict for a complete head does not depend on the order its framing fields came in.
/// </summary>
internal struct HttpRequestRules(long maxBodySize) : IHeadRules
{
    private bool _http10;
    private int _hosts;
    private bool _transferEncoding;
    private long _contentLength = -1;

    /// <summary>Why the rules refused the request, once one of their methods returned false.</summary>
    public HttpError Error { get; private set; }

    public bool AcceptRequestLine(ReadOnlySpan<byte> method, ReadOnlySpan<byte> version)
    {
        _http10 = version.SequenceEqual("HTTP/1.0"u8);
        return _http10 || version.SequenceEqual("HTTP/1.1"u8) || Fail(HttpError.UnsupportedHttpVersion);
    }

    public bool AcceptField(KnownHeader header, ReadOnlySpan<byte> value)
    {
        switch (header)
        {
            case KnownHeader.Host:
                // RFC 9112 section 3.2: a request with more than one Host field, or an invalid one, gets 400.
                return ++_hosts > 1 ? Fail(HttpError.InvalidHost)
                    : value.IsEmpty ? Fail(HttpError.MissingHost)
                    : HttpSyntax.IsAuthority(value) || Fail(HttpError.InvalidHost);

            case KnownHeader.ContentLength:
                if (_transferEncoding)
                {
                    return Fail(HttpError.TransferEncodingWithContentLength);
                }

                // RFC 9110 section 8.6: repeated fields must carry the same decimal value; a list is refused outright.
                if (!HttpSyntax.TryParseContentLength(value, out long length) || (_contentLength >= 0 && length != _contentLength))
                {
                    return Fail(HttpError.InvalidContentLength);
                }

                _contentLength = length;
                return true;

            case KnownHeader.TransferEncoding:
                _transferEncoding = true;
                return _contentLength < 0 || Fail(HttpError.TransferEncodingWithContentLength);

            default:
                return true;
        }
    }

    public bool AcceptHead() =>
        _hosts == 0 && !_http10 ? Fail(HttpError.MissingHost)
        : _transferEncoding ? Fail(HttpError.UnsupportedTransferEncoding)
        : _contentLength <= maxBodySize || Fail(HttpError.ContentTooLarge);

    private bool Fail(HttpError error)
    {
        Error = error;
        return false;
    }
}
