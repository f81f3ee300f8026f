using System.Collections.ObjectModel;
using Switchboard.Protocol.Compression;
using Switchboard.Protocol.Http;
using Switchboard.Server.Http;

namespace Switchboard.Server.Handshake;

/// <summary>
/// A client's opening handshake that <see cref="WebSocketUpgrade.TryValidate"/>
/// accepted: every RFC 6455 section 4.2.1 requirement holds, so a server may answer it with
/// <see cref="HandshakeResponse.WriteAccept(System.Buffers.IBufferWriter{byte}, HandshakeRequest, string?)"/> or turn it down for reasons of its own (path, origin, authorization).
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
internal sealed class HandshakeRequest
{
    // A WebSocket connection keeps its request for as long as it is open: the key and the origin are read from the
    // head when asked for, not kept a second time.
    private readonly HttpRequestHead _head;

    internal HandshakeRequest(HttpRequestHead head, string[] subprotocols)
    {
        _head = head;
        Subprotocols = subprotocols.Length == 0 ? ReadOnlyCollection<string>.Empty : Array.AsReadOnly(subprotocols);
    }

    /// <summary>The request method; always <c>GET</c>, the only one a handshake may use.</summary>
    public string Method => _head.Method;

    /// <summary>
    /// The request-target exactly as sent: origin-form (<c>/chat?room=1</c>) or absolute-form
    /// (<c>ws://host/chat?room=1</c>, RFC 9112 section 3.2.2).
    /// </summary>
    public string Target => _head.Target;

    /// <summary>
    /// The path of the target, before any <c>?</c>; always starts with <c>/</c>. Percent-encoding is left as
    /// sent. An absolute-form target with no path yields <c>/</c>.
    /// </summary>
    public string Path => _head.Path;

    /// <summary>The query after <c>?</c>, without the <c>?</c>; empty when there is none.</summary>
    public string Query => _head.Query;

    /// <summary>
    /// The authority the request is for: the Host header, or for an absolute-form target the target's
    /// authority, which RFC 9112 section 3.2.2 says takes precedence.
    /// </summary>
    public string Host => _head.Host;

    /// <summary>Sec-WebSocket-Key as sent: base64 of 16 bytes, to be fed to <see cref="HandshakeResponse.ComputeAccept"/>.</summary>
    public string Key => _head.GetHeader("Sec-WebSocket-Key") ?? string.Empty;

    /// <summary>The Origin header, if the client sent one (browsers always do; RFC 6455 section 10.2).</summary>
    public string? Origin => _head.GetHeader("Origin");

    /// <summary>
    /// The subprotocols the client offered, in its order of preference: every Sec-WebSocket-Protocol field,
    /// split on commas and trimmed. Empty when none were offered.
    /// </summary>
    public IReadOnlyList<string> Subprotocols { get; }

    /// <summary>Every header field in arrival order, names spelled as sent, values with surrounding whitespace removed.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _head.Headers;

    /// <summary>
    /// The value of a header field, matched case-insensitively; a repeated field's values are joined with
    /// <c>", "</c> in arrival order (RFC 9110 section 5.3).
    /// </summary>
    /// <param name="name">The field name.</param>
    /// <returns>The combined value, or null when the field is absent.</returns>
    public string? GetHeader(string name) => _head.GetHeader(name);

    /// <summary>The head the request was validated from.</summary>
    internal HttpRequestHead Head => _head;

    /// <summary>
    /// What the server settled of permessage-deflate for this request (RFC 7692), set before the 101 is written, which
    /// names it; null when the offers were declined or none came.
    /// </summary>
    internal DeflateParameters? Deflate { get; set; }

    /// <summary>Settles <see cref="Deflate"/>: the first offer <paramref name="options"/> accept, or null.</summary>
    internal DeflateParameters? AcceptDeflate(DeflateOptions options) => Deflate = DeflateNegotiation.Accept(ExtensionOffers(), options);

    /// <summary>The values of the request's <c>Sec-WebSocket-Extensions</c> fields, in order, read from the head when asked for.</summary>
    internal List<string> ExtensionOffers()
    {
        var offers = new List<string>();
        foreach (HttpField header in _head.RawFields)
        {
            if (KnownHeaders.Identify(header.Name) == KnownHeader.SecWebSocketExtensions)
            {
                offers.Add(HttpHeadBuilder.GetValue(KnownHeader.SecWebSocketExtensions, header.Value));
            }
        }

        return offers;
    }

    /// <summary>The key's bytes as sent, for the answer, which needs no string of it.</summary>
    internal ReadOnlySpan<byte> KeyBytes
    {
        get
        {
            foreach (HttpField header in _head.RawFields)
            {
                if (KnownHeaders.Identify(header.Name) == KnownHeader.SecWebSocketKey)
                {
                    return header.Value;
                }
            }

            return default;
        }
    }
}
