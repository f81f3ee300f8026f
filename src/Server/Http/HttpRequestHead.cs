using System.Collections.ObjectModel;
using System.Net;
using System.Text;
using Switchboard.Protocol.Http;

namespace Switchboard.Server.Http;

/// <summary>
/// The head of an HTTP/1.1 (or 1.0) request that <see cref="HttpRequestParser"/> accepted: request line, header
/// fields, and what they say about the body and the connection. The body, if any, follows the head on the wire
/// and is exactly <see cref="ContentLength"/> bytes long.
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
internal sealed class HttpRequestHead
{
    // A WebSocket connection keeps its opening head for as long as it is open, and most of it is never read again. So
    // the head is kept as the bytes it arrived as (one array, half the size of the same text in strings, with no object
    // per field), beside the path and what the server decides on; the strings of the rest are made together, once,
    // when one of them is first asked for. The bytes were validated when the head was parsed, so reading them again
    // needs no checks.
    private readonly byte[] _bytes; // the request line and the fields, each ending in CRLF, then the blank line
    private readonly long _contentLength; // -1 when there is none
    private readonly KnownMethod _method;
    private readonly HeadFlags _flags;
    private Parts? _parts;

    internal HttpRequestHead(byte[] bytes, KnownMethod method, string path, long contentLength, HeadFlags flags)
    {
        _bytes = bytes;
        _method = method;
        Path = path;
        _contentLength = contentLength;
        _flags = flags;
    }

    /// <summary>
    /// A head over the bytes of one parsed before (<see cref="Bytes"/>), for a holder that keeps the bytes and its path
    /// rather than the head: what the head's members read of its request line and fields is all there again. What was
    /// decided about the body and the connection (<see cref="ContentLength"/>, <see cref="KeepAlive"/>,
    /// <see cref="ExpectsContinue"/>) and <see cref="Forwarded"/> are not kept: they are read once, before a head is let go.
    /// </summary>
    /// <param name="bytes">The <see cref="Bytes"/> of a head <see cref="HttpRequestParser"/> accepted.</param>
    /// <param name="method">That head's method.</param>
    /// <param name="path">That head's <see cref="Path"/>.</param>
    internal static HttpRequestHead Reread(byte[] bytes, KnownMethod method, string path)
    {
        ReadOnlySpan<byte> requestLine = bytes.AsSpan(0, bytes.AsSpan().IndexOf("\r\n"u8));
        HeadFlags flags = requestLine.EndsWith(" HTTP/1.0"u8) ? HeadFlags.Http10 : HeadFlags.None;
        return new HttpRequestHead(bytes, method, path, contentLength: -1, flags);
    }

    /// <summary>The request line and the fields as they arrived, each ending in CRLF, then the blank line. Not to be changed.</summary>
    internal byte[] Bytes => _bytes;

    /// <summary>The method token as sent; methods are case-sensitive (RFC 9110 section 9.1).</summary>
    public string Method => _method switch
    {
        KnownMethod.Get => "GET",
        KnownMethod.Head => "HEAD",
        KnownMethod.Post => "POST",
        KnownMethod.Put => "PUT",
        KnownMethod.Delete => "DELETE",
        KnownMethod.Options => "OPTIONS",
        KnownMethod.Patch => "PATCH",
        _ => GetParts().Method,
    };

    /// <summary>
    /// The request-target exactly as sent: origin-form (<c>/chat?room=1</c>) or absolute-form
    /// (<c>http://host/chat?room=1</c>, RFC 9112 section 3.2.2).
    /// </summary>
    public string Target => GetParts().Target;

    /// <summary>
    /// The path of the target, before any <c>?</c>; always starts with <c>/</c>. Percent-encoding is left as
    /// sent. An absolute-form target with no path yields <c>/</c>.
    /// </summary>
    public string Path { get; }

    /// <summary>The query after <c>?</c>, without the <c>?</c>; empty when there is none.</summary>
    public string Query => GetParts().Query;

    /// <summary>
    /// The authority the request is for: the Host header, or for an absolute-form target the target's
    /// authority, which RFC 9112 section 3.2.2 says takes precedence. Empty for an HTTP/1.0 request without Host.
    /// </summary>
    /// <remarks>
    /// Read from the head's bytes, making none of its other strings, until one of them is first asked for: a server's
    /// origin check reads it once for every browser that connects, and the connection keeps its head.
    /// </remarks>
    public string Host => _parts?.Host ?? HttpHeadBuilder.ReadHost(this);

    /// <summary>
    /// What a trusted proxy said about the request (<see cref="WebSocketServerOptions.ForwardedHeaders"/>); set once by the
    /// connection's loop, before the head is handed to anything else, and null when nothing was forwarded or believed.
    /// </summary>
    internal Admission.ForwardedRequest? Forwarded { get; set; }

    /// <summary><see cref="HttpVersion.Version11"/> or <see cref="HttpVersion.Version10"/>.</summary>
    public Version Version => IsHttp10 ? HttpVersion.Version10 : HttpVersion.Version11;

    /// <summary>Every header field in arrival order, names spelled as sent, values with surrounding whitespace removed.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => GetParts().HeadersView;

    /// <summary>The declared body length, or null when the request has no Content-Length (and so no body).</summary>
    public long? ContentLength => _contentLength < 0 ? null : _contentLength;

    /// <summary>
    /// Whether the client wants the connection kept open after the response (RFC 9112 section 9.3): true for
    /// HTTP/1.1 unless <c>Connection: close</c>; for HTTP/1.0 only with <c>Connection: keep-alive</c>.
    /// </summary>
    public bool KeepAlive => (_flags & HeadFlags.KeepAlive) != 0;

    /// <summary>
    /// Whether the client sent <c>Expect: 100-continue</c> and waits for a <c>100 Continue</c> before sending its
    /// body (RFC 9110 section 10.1.1).
    /// </summary>
    public bool ExpectsContinue => (_flags & HeadFlags.ExpectsContinue) != 0;

    /// <summary>Whether the request line said HTTP/1.0.</summary>
    internal bool IsHttp10 => (_flags & HeadFlags.Http10) != 0;

    /// <summary>The request line, without its CRLF.</summary>
    internal ReadOnlySpan<byte> RequestLine => _bytes.AsSpan(0, _bytes.AsSpan().IndexOf("\r\n"u8));

    /// <summary>The header fields as received, in arrival order, for readers in this assembly that need no strings.</summary>
    internal HttpFieldEnumerator RawFields => new(_bytes.AsSpan(RequestLine.Length + 2));

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
        if (_parts is { } parts)
        {
            foreach (KeyValuePair<string, string> header in parts.Headers)
            {
                if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    Add(header.Value, ref first, ref more);
                }
            }
        }
        else
        {
            // Read from the bytes: a lookup makes no strings but the value it returns.
            foreach (HttpField field in RawFields)
            {
                if (Ascii.EqualsIgnoreCase(field.Name, name))
                {
                    Add(HttpHeadBuilder.GetValue(KnownHeaders.Identify(field.Name), field.Value), ref first, ref more);
                }
            }
        }

        return more is null ? first : string.Join(", ", more);

        static void Add(string value, ref string? first, ref List<string>? more)
        {
            if (first is null)
            {
                first = value;
            }
            else
            {
                (more ??= [first]).Add(value);
            }
        }
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
        if (!Ascii.IsValid(token))
        {
            return false; // a list of tokens holds only ASCII
        }

        Span<byte> scratch = stackalloc byte[64];
        using var tokenBytes = new Latin1Buffer(token, scratch);
        foreach (HttpField field in RawFields)
        {
            if (Ascii.EqualsIgnoreCase(field.Name, name) && HttpSyntax.ContainsToken(field.Value, tokenBytes.Bytes))
            {
                return true;
            }
        }

        return false;
    }

    private Parts GetParts() => _parts ??= HttpHeadBuilder.Materialize(this);

    /// <summary>The strings of the head, made on first use.</summary>
    internal sealed class Parts(string method, string target, string query, string host, KeyValuePair<string, string>[] headers)
    {
        private ReadOnlyCollection<KeyValuePair<string, string>>? _headersView;

        public string Method { get; } = method;

        public string Target { get; } = target;

        public string Query { get; } = query;

        public string Host { get; } = host;

        public KeyValuePair<string, string>[] Headers { get; } = headers;

        public ReadOnlyCollection<KeyValuePair<string, string>> HeadersView => _headersView ??= Headers.Length == 0
            ? ReadOnlyCollection<KeyValuePair<string, string>>.Empty
            : Array.AsReadOnly(Headers);
    }
}

/// <summary>The methods of RFC 9110 section 9, which a head names without a string of its own.</summary>
internal enum KnownMethod : byte
{
    Other,
    Get,
    Head,
    Post,
    Put,
    Delete,
    Options,
    Patch,
}

/// <summary>What a head says about its connection, decided when it is parsed.</summary>
[Flags]
internal enum HeadFlags : byte
{
    None = 0,
    Http10 = 1,
    KeepAlive = 2,
    ExpectsContinue = 4,
}

/// <summary>One header field of a validated head: its name, and its value without surrounding whitespace.</summary>
internal readonly ref struct HttpField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
{
    public ReadOnlySpan<byte> Name { get; } = name;

    public ReadOnlySpan<byte> Value { get; } = value;
}

/// <summary>Walks the field lines of a validated head, up to the blank line that ends it.</summary>
internal ref struct HttpFieldEnumerator(ReadOnlySpan<byte> fields)
{
    private ReadOnlySpan<byte> _rest = fields;

    public HttpField Current { get; private set; }

    public readonly HttpFieldEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        int end = _rest.IndexOf("\r\n"u8);
        if (end <= 0)
        {
            return false;
        }

        _ = HttpSyntax.TryParseField(_rest[..end], out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value);
        Current = new HttpField(name, value);
        _rest = _rest[(end + 2)..];
        return true;
    }
}
