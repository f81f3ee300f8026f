using System.Buffers;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Protocol.Compression;
using Switchboard.Protocol.Http;

namespace Switchboard.Protocol.Handshake;

/// <summary>
/// The client side of the opening handshake (RFC 6455 section 4.1): writes the upgrade request for a URI
/// and judges the server's response to it. Sans-I/O; the transport sends what
/// <see cref="WriteRequest"/> writes and feeds received bytes to <see cref="TryReadResponse"/>.
/// </summary>
/// <remarks>
/// Immutable after <see cref="Create"/>; safe to share between threads. One instance serves one connection
/// attempt, because the accept value the server must echo is derived from its random key.
/// </remarks>
public sealed class ClientHandshake
{
    private readonly byte[] _request;
    private readonly byte[] _expectedAccept;
    private readonly string[] _subprotocols;
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly HttpHeadLimits _limits;
    private readonly DeflateOptions _deflate;

    private ClientHandshake(Uri uri, string key, string[] subprotocols, string? origin, KeyValuePair<string, string>[] headers, HttpHeadLimits limits,
        DeflateOptions deflate)
    {
        _deflate = deflate;
        Uri = uri;
        Key = key;
        Origin = origin;
        _headers = headers;
        _subprotocols = subprotocols;
        Subprotocols = subprotocols.Length == 0 ? ReadOnlyCollection<string>.Empty : Array.AsReadOnly(subprotocols);
        _limits = limits;
        IsSecure = uri.Scheme is "wss" or "https";

        // ws and http default to port 80, wss and https to 443 (RFC 6455 section 3); the Host field carries
        // the port only when it differs (section 4.1, item 4).
        string host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        int defaultPort = IsSecure ? 443 : 80;
        Host = uri.Port == defaultPort || uri.Port < 0
            ? host
            : string.Create(CultureInfo.InvariantCulture, $"{host}:{uri.Port}");
        RequestTarget = uri.PathAndQuery.Length == 0 ? "/" : uri.PathAndQuery;

        _expectedAccept = new byte[AcceptKey.Length];
        AcceptKey.Write(key, _expectedAccept);
        _request = BuildRequest();
    }

    /// <summary>The URI the handshake is for.</summary>
    public Uri Uri { get; }

    /// <summary>Whether the URI asks for TLS (wss or https); the transport must then wrap the socket in TLS.</summary>
    public bool IsSecure { get; }

    /// <summary>The Host field value: the host, in its ASCII form, with the port when it is not the scheme's default.</summary>
    public string Host { get; }

    /// <summary>The origin-form request-target: the URI's escaped path and query.</summary>
    public string RequestTarget { get; }

    /// <summary>The Sec-WebSocket-Key: base64 of 16 random bytes, fresh for this instance (RFC 6455 section 4.1, item 7).</summary>
    public string Key { get; }

    /// <summary>The Origin field value, or null when none is sent.</summary>
    public string? Origin { get; }

    /// <summary>The subprotocols offered, in order of preference; empty when none are.</summary>
    public IReadOnlyList<string> Subprotocols { get; }

    /// <summary>Prepares a handshake for <paramref name="uri"/> with a fresh random key.</summary>
    /// <param name="uri">An absolute ws, wss, http or https URI without a fragment.</param>
    /// <param name="subprotocols">Subprotocols to offer, most preferred first; distinct HTTP tokens.</param>
    /// <param name="origin">An Origin field to send, such as <c>https://example.com</c>; null for none.</param>
    /// <param name="limits">Caps on the response head; <see cref="HttpHeadLimits.Default"/> when null.</param>
    /// <param name="headers">
    /// More request fields, such as <c>Authorization</c> or <c>Cookie</c>, sent after the handshake's own; none of the
    /// fields the handshake itself writes (see <see cref="IsReservedField"/>).
    /// </param>
    /// <param name="deflate">
    /// The permessage-deflate offer (RFC 7692); <see cref="DeflateOptions.Disabled"/> when null, which offers nothing.
    /// What the server accepted is <see cref="Deflate"/> once the response is read.
    /// </param>
    /// <returns>The handshake, ready to write its request.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="uri"/> is null.</exception>
    /// <exception cref="ArgumentException">The URI, a subprotocol, the origin or a field is not acceptable.</exception>
    public static ClientHandshake Create(
        Uri uri,
        IReadOnlyList<string>? subprotocols = null,
        string? origin = null,
        HttpHeadLimits? limits = null,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null,
        DeflateOptions? deflate = null)
    {
        Span<byte> nonce = stackalloc byte[16];
        RandomNumberGenerator.Fill(nonce);
        return CreateWithKey(uri, subprotocols, origin, limits, Convert.ToBase64String(nonce), headers, deflate);
    }

    /// <summary>
    /// What the server accepted of the permessage-deflate offer, once <see cref="TryReadResponse"/> reported success;
    /// null when nothing was offered or the server declined.
    /// </summary>
    public DeflateParameters? Deflate { get; private set; }

    /// <summary>
    /// Whether <paramref name="name"/> is a field the handshake writes itself or that frames the request (Host, Upgrade,
    /// Connection, Origin, Content-Length, Transfer-Encoding, and every Sec-WebSocket- field), compared case-insensitively.
    /// </summary>
    /// <param name="name">A field name.</param>
    /// <returns>True when extra headers may not carry it.</returns>
    public static bool IsReservedField(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.StartsWith("Sec-WebSocket-", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Host", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Origin", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Prepares a handshake with a chosen key, so tests can pin the request bytes.</summary>
    internal static ClientHandshake CreateWithKey(
        Uri uri,
        IReadOnlyList<string>? subprotocols,
        string? origin,
        HttpHeadLimits? limits,
        string key,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null,
        DeflateOptions? deflate = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.IsAbsoluteUri || uri.Scheme is not ("ws" or "wss" or "http" or "https"))
        {
            throw new ArgumentException("The URI must be absolute with a ws, wss, http or https scheme.", nameof(uri));
        }

        // RFC 6455 section 3: fragment identifiers MUST NOT be used in WebSocket URIs.
        if (uri.Fragment.Length != 0)
        {
            throw new ArgumentException("A WebSocket URI must not have a fragment.", nameof(uri));
        }

        string[] offered = subprotocols is null || subprotocols.Count == 0 ? [] : [.. subprotocols];
        for (int i = 0; i < offered.Length; i++)
        {
            // RFC 6455 section 4.1, item 10: tokens, each offered once.
            if (offered[i] is null || !HttpSyntax.IsToken(offered[i]) || Array.IndexOf(offered, offered[i], 0, i) >= 0)
            {
                throw new ArgumentException("Subprotocols must be distinct, non-empty HTTP tokens.", nameof(subprotocols));
            }
        }

        if (origin is not null && (origin.Length == 0 || origin.AsSpan().ContainsAnyExceptInRange('!', '~')))
        {
            throw new ArgumentException("An origin must be non-empty visible ASCII, such as https://example.com.", nameof(origin));
        }

        KeyValuePair<string, string>[] extra = headers is null || headers.Count == 0 ? [] : [.. headers];
        foreach (var (name, value) in extra)
        {
            if (name is null || value is null || !HttpGrammar.IsToken(name) || !HttpGrammar.IsFieldValue(value) || IsReservedField(name))
            {
                throw new ArgumentException($"'{name}' cannot be sent: a field needs a token name that the handshake does not write itself, and a value without control characters.", nameof(headers));
            }
        }

        return new ClientHandshake(uri, key, offered, origin, extra, limits ?? HttpHeadLimits.Default, deflate ?? DeflateOptions.Disabled);
    }

    /// <summary>
    /// Writes the upgrade request (RFC 6455 section 4.1):
    /// <code>
    /// GET {path and query} HTTP/1.1
    /// Host: {host[:port]}
    /// Upgrade: websocket
    /// Connection: Upgrade
    /// Sec-WebSocket-Key: {Key}
    /// Sec-WebSocket-Version: 13
    /// Sec-WebSocket-Protocol: {offers, comma separated}   (when any)
    /// Sec-WebSocket-Extensions: permessage-deflate; ...   (when offered)
    /// Origin: {origin}                                    (when set)
    /// </code>
    /// followed by the blank line.
    /// </summary>
    /// <param name="output">Where the request is appended.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public void WriteRequest(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        HttpWriter.Write(output, _request);
    }

    /// <summary>
    /// Tries to read the server's response to this handshake's request from the bytes received so far.
    /// </summary>
    /// <param name="input">Every byte received after the request was sent, from the first.</param>
    /// <param name="consumed">
    /// Just past the blank line that ends the head when the upgrade was accepted (later bytes are the server's
    /// first frames); otherwise the start of <paramref name="input"/>.
    /// </param>
    /// <param name="examined">
    /// Equal to <paramref name="consumed"/> when the upgrade was accepted; otherwise the end of <paramref name="input"/>.
    /// </param>
    /// <param name="error">Why the response was refused, when the result is true and it is not None.</param>
    /// <param name="statusCode">The response status once the status line has arrived, otherwise 0.</param>
    /// <param name="subprotocol">The subprotocol the server selected from the offers, or null for none.</param>
    /// <returns>
    /// False when the head is incomplete and nothing so far is wrong; the caller reads more and retries. True
    /// with <see cref="ClientHandshakeError.None"/> when the connection is now a WebSocket; true with another
    /// error when the client must fail the connection (RFC 6455 section 4.1). A status other than 101 is
    /// reported as soon as the status line arrives.
    /// </returns>
    public bool TryReadResponse(
        in ReadOnlySequence<byte> input,
        out SequencePosition consumed,
        out SequencePosition examined,
        out ClientHandshakeError error,
        out int statusCode,
        out string? subprotocol)
    {
        consumed = input.Start;
        examined = input.End;
        statusCode = 0;
        subprotocol = null;
        var lines = new HttpLineReader(input, _limits.MaxHeaderBytes);
        try
        {
            switch (lines.TryReadLine(out ReadOnlySpan<byte> line))
            {
                case LineStatus.Incomplete:
                    error = CouldStartStatusLine(lines.Unread) ? ClientHandshakeError.None : ClientHandshakeError.InvalidStatusLine;
                    return error != ClientHandshakeError.None;
                case LineStatus.TooLarge:
                    // As for a line still arriving: what cannot begin a status line is refused as such, cap or not.
                    error = CouldStartStatusLine(lines.Unread) ? ClientHandshakeError.HeadersTooLarge : ClientHandshakeError.InvalidStatusLine;
                    return true;
                case LineStatus.BareLineFeed:
                    error = ClientHandshakeError.InvalidStatusLine;
                    return true;
            }

            if (!TryParseStatusLine(line, out statusCode))
            {
                error = ClientHandshakeError.InvalidStatusLine;
                return true;
            }

            // Section 4.1: any status other than 101 means the handshake did not complete; the rest of the
            // response (a redirect, an authentication challenge) is HTTP the caller may handle on its own.
            if (statusCode != 101)
            {
                error = ClientHandshakeError.NotSwitchingProtocols;
                return true;
            }

            var fields = new FieldCheck(this);
            int count = 0;
            while (true)
            {
                switch (lines.TryReadLine(out line))
                {
                    case LineStatus.Incomplete:
                        error = ClientHandshakeError.None;
                        return false;
                    case LineStatus.TooLarge:
                        error = ClientHandshakeError.HeadersTooLarge;
                        return true;
                    case LineStatus.BareLineFeed:
                        error = ClientHandshakeError.InvalidHeader;
                        return true;
                }

                if (line.IsEmpty)
                {
                    break;
                }

                if (++count > _limits.MaxHeaderCount)
                {
                    error = ClientHandshakeError.HeadersTooLarge;
                    return true;
                }

                if (!HttpSyntax.TryParseField(line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value))
                {
                    error = ClientHandshakeError.InvalidHeader;
                    return true;
                }

                error = fields.Add(KnownHeaders.Identify(name), value);
                if (error != ClientHandshakeError.None)
                {
                    return true;
                }
            }

            error = fields.Complete();
            DeflateParameters? deflate = null;
            // RFC 7692 section 7.1: a response the offer does not allow fails the connection.
            if (error == ClientHandshakeError.None && !DeflateNegotiation.TryAcceptResponse(fields.Extensions, _deflate, out deflate))
            {
                error = ClientHandshakeError.UnexpectedExtension;
            }

            if (error == ClientHandshakeError.None)
            {
                consumed = lines.Position;
                examined = consumed;
                subprotocol = fields.Subprotocol;
                Deflate = deflate;
            }

            return true;
        }
        finally
        {
            lines.Dispose();
        }
    }

    /// <summary>
    /// <c>HTTP-version SP 3DIGIT SP [reason-phrase]</c> (RFC 9112 section 4). Any HTTP/1.x version is read so
    /// that a refusal from an HTTP/1.0 server still reports its status; the space before an empty reason is
    /// optional because many servers omit it.
    /// </summary>
    private static bool TryParseStatusLine(ReadOnlySpan<byte> line, out int statusCode)
    {
        statusCode = 0;
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || !char.IsAsciiDigit((char)line[7]) || line[8] != (byte)' ')
        {
            return false;
        }

        ReadOnlySpan<byte> code = line.Slice(9, 3);
        if (!char.IsAsciiDigit((char)code[0]) || !char.IsAsciiDigit((char)code[1]) || !char.IsAsciiDigit((char)code[2]))
        {
            return false;
        }

        ReadOnlySpan<byte> rest = line[12..];
        if (!rest.IsEmpty && (rest[0] != (byte)' ' || !HttpSyntax.IsFieldValue(rest)))
        {
            return false;
        }

        statusCode = ((code[0] - '0') * 100) + ((code[1] - '0') * 10) + (code[2] - '0');
        return true;
    }

    /// <summary>Whether a status line still arriving can begin <c>HTTP/1.</c>; anything else is not an HTTP/1 server.</summary>
    private static bool CouldStartStatusLine(in ReadOnlySequence<byte> partial)
    {
        ReadOnlySpan<byte> expected = "HTTP/1."u8;
        Span<byte> start = stackalloc byte[7];
        int length = (int)Math.Min(partial.Length, expected.Length);
        partial.Slice(0, length).CopyTo(start);
        return start[..length].SequenceEqual(expected[..length]);
    }

    private byte[] BuildRequest()
    {
        var output = new ArrayBufferWriter<byte>(256);
        HttpWriter.Write(output, "GET "u8);
        HttpWriter.WriteLatin1(output, RequestTarget);
        HttpWriter.Write(output, " HTTP/1.1\r\n"u8);
        HttpWriter.WriteField(output, "Host"u8, Host);
        HttpWriter.Write(output, "Upgrade: websocket\r\nConnection: Upgrade\r\n"u8);
        HttpWriter.WriteField(output, "Sec-WebSocket-Key"u8, Key);
        HttpWriter.Write(output, "Sec-WebSocket-Version: 13\r\n"u8);
        if (_subprotocols.Length != 0)
        {
            HttpWriter.WriteField(output, "Sec-WebSocket-Protocol"u8, string.Join(", ", _subprotocols));
        }

        if (_deflate.Enabled)
        {
            HttpWriter.WriteField(output, "Sec-WebSocket-Extensions"u8, DeflateNegotiation.BuildOffer(_deflate));
        }

        if (Origin is not null)
        {
            HttpWriter.WriteField(output, "Origin"u8, Origin);
        }

        foreach (var (name, value) in _headers)
        {
            HttpWriter.WriteLatin1(output, name);
            HttpWriter.Write(output, ": "u8);
            HttpWriter.WriteLatin1(output, value);
            HttpWriter.Write(output, HttpWriter.Crlf);
        }

        HttpWriter.Write(output, HttpWriter.Crlf);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>What the response fields seen so far establish (RFC 6455 section 4.1, items 2 to 6).</summary>
    private struct FieldCheck(ClientHandshake handshake)
    {
        private bool _upgrade;
        private bool _connectionUpgrade;
        private int _accepts;
        private int _protocols;

        public string? Subprotocol { get; private set; }

        public List<string> Extensions { get; } = [];

        public ClientHandshakeError Add(KnownHeader header, ReadOnlySpan<byte> value)
        {
            switch (header)
            {
                case KnownHeader.Upgrade:
                    _upgrade |= HttpSyntax.ContainsToken(value, "websocket"u8);
                    return ClientHandshakeError.None;

                case KnownHeader.Connection:
                    _connectionUpgrade |= HttpSyntax.ContainsToken(value, "upgrade"u8);
                    return ClientHandshakeError.None;

                case KnownHeader.SecWebSocketAccept:
                    return ++_accepts == 1 && value.SequenceEqual(handshake._expectedAccept)
                        ? ClientHandshakeError.None
                        : ClientHandshakeError.InvalidAccept;

                case KnownHeader.SecWebSocketProtocol:
                    // Exactly one of the offers, verbatim; a list or a repeat is not a selection.
                    Subprotocol = ++_protocols == 1 ? handshake.FindOffered(value) : null;
                    return Subprotocol is null ? ClientHandshakeError.UnexpectedSubprotocol : ClientHandshakeError.None;

                case KnownHeader.SecWebSocketExtensions:
                    // Judged once all have come, against the offer (RFC 7692 section 7.1).
                    if (!value.IsEmpty)
                    {
                        Extensions.Add(Encoding.Latin1.GetString(value));
                    }

                    return ClientHandshakeError.None;

                default:
                    return ClientHandshakeError.None;
            }
        }

        public readonly ClientHandshakeError Complete() =>
            !_upgrade ? ClientHandshakeError.MissingUpgrade
            : !_connectionUpgrade ? ClientHandshakeError.MissingConnectionUpgrade
            : _accepts == 0 ? ClientHandshakeError.InvalidAccept
            : ClientHandshakeError.None;
    }

    private string? FindOffered(ReadOnlySpan<byte> value)
    {
        foreach (string offered in _subprotocols)
        {
            if (Ascii.Equals(value, offered))
            {
                return offered;
            }
        }

        return null;
    }
}
