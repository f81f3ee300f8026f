using System.Collections.ObjectModel;
using System.Net;

namespace Switchboard.Protocol;

/// <summary>
/// The head of an HTTP/1.1 (or 1.0) request that <see cref="HttpRequestParser"/> accepted: request line, header
/// fields, and what they say about the body and the connection. The body, if any, follows the head on the wire
/// and is exactly <see cref="ContentLength"/> bytes long.
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed class HttpRequestHead
{
    // A WebSocket connection keeps its opening head for as long as it is open: only what cannot be derived is stored,
    // and the read-only view of the fields is made when it is first asked for.
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly long _contentLength; // -1 when there is none
    private readonly bool _http10;
    private ReadOnlyCollection<KeyValuePair<string, string>>? _headersView;

    internal HttpRequestHead(
        string method,
        string target,
        string path,
        string query,
        string host,
        bool http10,
        KeyValuePair<string, string>[] headers,
        long? contentLength,
        bool keepAlive,
        bool expectsContinue)
    {
        Method = method;
        Target = target;
        Path = path;
        Query = query;
        Host = host;
        _http10 = http10;
        _headers = headers;
        _contentLength = contentLength ?? -1;
        KeepAlive = keepAlive;
        ExpectsContinue = expectsContinue;
    }

    /// <summary>The method token as sent; methods are case-sensitive (RFC 9110 section 9.1).</summary>
    public string Method { get; }

    /// <summary>
    /// The request-target exactly as sent: origin-form (<c>/chat?room=1</c>) or absolute-form
    /// (<c>http://host/chat?room=1</c>, RFC 9112 section 3.2.2).
    /// </summary>
    public string Target { get; }

    /// <summary>
    /// The path of the target, before any <c>?</c>; always starts with <c>/</c>. Percent-encoding is left as
    /// sent. An absolute-form target with no path yields <c>/</c>.
    /// </summary>
    public string Path { get; }

    /// <summary>The query after <c>?</c>, without the <c>?</c>; empty when there is none.</summary>
    public string Query { get; }

    /// <summary>
    /// The authority the request is for: the Host header, or for an absolute-form target the target's
    /// authority, which RFC 9112 section 3.2.2 says takes precedence. Empty for an HTTP/1.0 request without Host.
    /// </summary>
    public string Host { get; }

    /// <summary><see cref="HttpVersion.Version11"/> or <see cref="HttpVersion.Version10"/>.</summary>
    public Version Version => _http10 ? HttpVersion.Version10 : HttpVersion.Version11;

    /// <summary>Every header field in arrival order, names spelled as sent, values with surrounding whitespace removed.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _headersView ??= _headers.Length == 0
        ? ReadOnlyCollection<KeyValuePair<string, string>>.Empty
        : Array.AsReadOnly(_headers);

    /// <summary>The declared body length, or null when the request has no Content-Length (and so no body).</summary>
    public long? ContentLength => _contentLength < 0 ? null : _contentLength;

    /// <summary>
    /// Whether the client wants the connection kept open after the response (RFC 9112 section 9.3): true for
    /// HTTP/1.1 unless <c>Connection: close</c>; for HTTP/1.0 only with <c>Connection: keep-alive</c>.
    /// </summary>
    public bool KeepAlive { get; }

    /// <summary>
    /// Whether the client sent <c>Expect: 100-continue</c> and waits for a <c>100 Continue</c> before sending its
    /// body (RFC 9110 section 10.1.1).
    /// </summary>
    public bool ExpectsContinue { get; }

    /// <summary>The header fields in arrival order, for readers in this assembly that walk them without an enumerator.</summary>
    internal ReadOnlySpan<KeyValuePair<string, string>> Fields => _headers;

    /// <summary>Whether the request line said HTTP/1.0.</summary>
    internal bool IsHttp10 => _http10;

    /// <summary>
    /// The value of a header field, matched case-insensitively; a repeated field's values are joined with
    /// <c>", "</c> in arrival order (RFC 9110 section 5.3).
    /// </summary>
    /// <param name="name">The field name.</param>
    /// <returns>The combined value, or null when the field is absent.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public string? GetHeader(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? first = null;
        List<string>? more = null;
        foreach (KeyValuePair<string, string> header in _headers)
        {
            if (!string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (first is null)
            {
                first = header.Value;
            }
            else
            {
                (more ??= [first]).Add(header.Value);
            }
        }

        return more is null ? first : string.Join(", ", more);
    }

    /// <summary>
    /// Whether any field named <paramref name="name"/> is a comma-separated list holding <paramref name="token"/>,
    /// compared ASCII case-insensitively: <c>HasToken("Connection", "close")</c>, <c>HasToken("Upgrade", "websocket")</c>.
    /// </summary>
    /// <param name="name">The field name, matched case-insensitively.</param>
    /// <param name="token">The list element to look for.</param>
    /// <returns>True when some field of that name lists the token.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public bool HasToken(string name, string token)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(token);
        foreach (KeyValuePair<string, string> header in _headers)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase) && HttpSyntax.ContainsToken(header.Value, token))
            {
                return true;
            }
        }

        return false;
    }
}
