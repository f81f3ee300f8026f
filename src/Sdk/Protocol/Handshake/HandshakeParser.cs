using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Switchboard.Protocol;

/// <summary>
/// Reads a client's opening handshake (RFC 6455 section 4.2.1) from the bytes a server has received so
/// far. Sans-I/O: it never blocks, never throws on input, and keeps no state between calls, so a server
/// calls it again with the grown buffer each time more bytes arrive.
/// </summary>
/// <remarks>
/// Stateless and thread-safe. Strict where leniency breeds request smuggling or ambiguity: every line must
/// end in CRLF, field names must touch their colon, obsolete line folding and control characters are
/// refused, and a request announcing a body is refused. Limits are enforced on the bytes received so far,
/// not only on complete heads.
/// </remarks>
public static class HandshakeParser
{
    // request-target bytes: VCHAR without '#', since a fragment never travels in a request (RFC 9112 section 3.2).
    private static readonly SearchValues<byte> s_targetBytes = SearchValues.Create(
        "!\"$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"u8);

    // Host = uri-host [ ":" port ] (RFC 9110 section 7.2, RFC 3986 section 3.2.2): unreserved, pct-encoded,
    // sub-delims, ':' and the IP-literal brackets. No '@': userinfo is not part of an authority on the wire.
    private static readonly SearchValues<byte> s_authorityBytes = SearchValues.Create(
        "!$%&'()*+,-.0123456789:;=ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_abcdefghijklmnopqrstuvwxyz~"u8);

    private static readonly SearchValues<byte> s_base64Bytes = SearchValues.Create(
        "+/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

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

        // First pass validates without allocating, so a head arriving in many pieces costs no garbage
        // until it is complete; the second pass, run once, materializes strings.
        error = Validate(input, limits, out SequencePosition end, out int headerCount);
        if (error != HandshakeError.None)
        {
            return true;
        }

        if (headerCount < 0)
        {
            return false;
        }

        request = Build(input.Slice(input.Start, end), headerCount);
        consumed = end;
        examined = end;
        return true;
    }

    /// <summary>Checks the head received so far; <paramref name="headerCount"/> is -1 while it is incomplete.</summary>
    private static HandshakeError Validate(
        in ReadOnlySequence<byte> input,
        HandshakeLimits limits,
        out SequencePosition end,
        out int headerCount)
    {
        end = default;
        headerCount = -1;
        var lines = new HttpLineReader(input, limits.MaxHeaderBytes);
        try
        {
            switch (lines.TryReadLine(out ReadOnlySpan<byte> line))
            {
                case LineStatus.Incomplete:
                    return CouldStartRequestLine(lines.Unread) ? HandshakeError.None : HandshakeError.InvalidRequestLine;
                case LineStatus.TooLarge:
                    return HandshakeError.HeadersTooLarge;
                case LineStatus.BareLineFeed:
                    return HandshakeError.InvalidRequestLine;
            }

            HandshakeError error = ParseRequestLine(line, out _, out _);
            if (error != HandshakeError.None)
            {
                return error;
            }

            var fields = new FieldCheck();
            int count = 0;
            while (true)
            {
                switch (lines.TryReadLine(out line))
                {
                    case LineStatus.Incomplete:
                        return HandshakeError.None;
                    case LineStatus.TooLarge:
                        return HandshakeError.HeadersTooLarge;
                    case LineStatus.BareLineFeed:
                        return HandshakeError.InvalidHeader;
                }

                if (line.IsEmpty)
                {
                    break;
                }

                if (++count > limits.MaxHeaderCount)
                {
                    return HandshakeError.TooManyHeaders;
                }

                if (!HttpSyntax.TryParseField(line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value))
                {
                    return HandshakeError.InvalidHeader;
                }

                error = fields.Add(KnownHeaders.Identify(name), value);
                if (error != HandshakeError.None)
                {
                    return error;
                }
            }

            end = lines.Position;
            headerCount = count;
            return fields.Complete();
        }
        finally
        {
            lines.Dispose();
        }
    }

    /// <summary>Materializes a head that <see cref="Validate"/> accepted.</summary>
    private static HandshakeRequest Build(in ReadOnlySequence<byte> head, int headerCount)
    {
        var lines = new HttpLineReader(head, int.MaxValue);
        try
        {
            lines.TryReadLine(out ReadOnlySpan<byte> line);
            _ = ParseRequestLine(line, out Range targetRange, out TargetParts parts);
            string target = Encoding.ASCII.GetString(line[targetRange]);
            string path = parts.PathStart == parts.PathEnd ? "/"
                : parts.PathStart == 0 && parts.PathEnd == target.Length ? target
                : target[parts.PathStart..parts.PathEnd];
            string query = parts.QueryStart < 0 ? string.Empty : target[parts.QueryStart..];
            string? host = parts.AuthorityStart == parts.AuthorityEnd ? null : target[parts.AuthorityStart..parts.AuthorityEnd];

            var headers = new KeyValuePair<string, string>[headerCount];
            string key = string.Empty;
            string? origin = null;
            List<string>? subprotocols = null;
            for (int i = 0; i < headers.Length; i++)
            {
                lines.TryReadLine(out line);
                _ = HttpSyntax.TryParseField(line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> valueBytes);
                KnownHeader known = KnownHeaders.Identify(name);
                string value = Encoding.Latin1.GetString(valueBytes);
                headers[i] = new(KnownHeaders.GetName(known, name), value);
                switch (known)
                {
                    case KnownHeader.Host:
                        host ??= value;
                        break;
                    case KnownHeader.SecWebSocketKey:
                        key = value;
                        break;
                    case KnownHeader.Origin:
                        origin = value;
                        break;
                    case KnownHeader.SecWebSocketProtocol:
                        foreach (ReadOnlySpan<byte> token in new HttpSyntax.ListEnumerator(valueBytes))
                        {
                            (subprotocols ??= []).Add(Encoding.ASCII.GetString(token));
                        }

                        break;
                }
            }

            return new HandshakeRequest(
                target,
                path,
                query,
                host ?? string.Empty,
                key,
                origin,
                subprotocols?.ToArray() ?? [],
                headers);
        }
        finally
        {
            lines.Dispose();
        }
    }

    /// <summary>
    /// <c>method SP request-target SP HTTP-version</c> (RFC 9112 section 3). Syntax is judged first, then the
    /// version, then the method, so a garbled line is never mistaken for a well-formed POST.
    /// </summary>
    private static HandshakeError ParseRequestLine(ReadOnlySpan<byte> line, out Range target, out TargetParts parts)
    {
        target = default;
        parts = default;
        int methodEnd = line.IndexOf((byte)' ');
        if (methodEnd <= 0 || !HttpSyntax.IsToken(line[..methodEnd]))
        {
            return HandshakeError.InvalidRequestLine;
        }

        int targetStart = methodEnd + 1;
        int targetLength = line[targetStart..].IndexOf((byte)' ');
        if (targetLength <= 0)
        {
            return HandshakeError.InvalidRequestLine;
        }

        target = new Range(targetStart, targetStart + targetLength);
        ReadOnlySpan<byte> version = line[(targetStart + targetLength + 1)..];
        if (!IsHttpVersion(version) || !TryParseTarget(line[target], out parts))
        {
            return HandshakeError.InvalidRequestLine;
        }

        // RFC 6455 section 4.1: "the HTTP version MUST be at least 1.1"; 2.0 and later never use this form.
        if (!version.SequenceEqual("HTTP/1.1"u8))
        {
            return HandshakeError.UnsupportedHttpVersion;
        }

        // Methods are case-sensitive (RFC 9110 section 9.1): "get" is a different method.
        return line[..methodEnd].SequenceEqual("GET"u8) ? HandshakeError.None : HandshakeError.MethodNotAllowed;
    }

    /// <summary>
    /// Whether the start of a request line still arriving can begin a valid one: its method so far is a token.
    /// A peer speaking something else (a TLS ClientHello, an SSH banner) is refused at its first byte instead of
    /// holding the connection until the size cap or a timeout.
    /// </summary>
    private static bool CouldStartRequestLine(in ReadOnlySequence<byte> partial)
    {
        SequencePosition? space = partial.PositionOf((byte)' ');
        return space is null
            ? HttpSyntax.IsTokenSoFar(partial)
            : !partial.Start.Equals(space.Value) && HttpSyntax.IsTokenSoFar(partial.Slice(partial.Start, space.Value));
    }

    /// <summary><c>HTTP-version = "HTTP/" DIGIT "." DIGIT</c> (RFC 9112 section 2.3).</summary>
    private static bool IsHttpVersion(ReadOnlySpan<byte> version) =>
        version.Length == 8 &&
        version.StartsWith("HTTP/"u8) &&
        char.IsAsciiDigit((char)version[5]) &&
        version[6] == (byte)'.' &&
        char.IsAsciiDigit((char)version[7]);

    /// <summary>
    /// Accepts origin-form (<c>/path?query</c>) and absolute-form with an http, https, ws or wss scheme
    /// (RFC 9112 sections 3.2.1 and 3.2.2); authority-form and asterisk-form belong to CONNECT and OPTIONS.
    /// </summary>
    private static bool TryParseTarget(ReadOnlySpan<byte> target, out TargetParts parts)
    {
        parts = default;
        if (target.ContainsAnyExcept(s_targetBytes))
        {
            return false;
        }

        int pathStart = 0;
        if (target[0] != (byte)'/')
        {
            int schemeEnd = target.IndexOf("://"u8);
            if (schemeEnd <= 0 || !IsUpgradeScheme(target[..schemeEnd]))
            {
                return false;
            }

            int authorityStart = schemeEnd + 3;
            int authorityLength = target[authorityStart..].IndexOfAny((byte)'/', (byte)'?');
            if (authorityLength < 0)
            {
                authorityLength = target.Length - authorityStart;
            }

            if (!IsAuthority(target.Slice(authorityStart, authorityLength)))
            {
                return false;
            }

            parts.AuthorityStart = authorityStart;
            parts.AuthorityEnd = authorityStart + authorityLength;
            pathStart = parts.AuthorityEnd;
        }

        int question = target[pathStart..].IndexOf((byte)'?');
        parts.PathStart = pathStart;
        parts.PathEnd = question < 0 ? target.Length : pathStart + question;
        parts.QueryStart = question < 0 ? -1 : parts.PathEnd + 1;
        return true;
    }

    private static bool IsUpgradeScheme(ReadOnlySpan<byte> scheme) =>
        Ascii.EqualsIgnoreCase(scheme, "ws"u8) ||
        Ascii.EqualsIgnoreCase(scheme, "wss"u8) ||
        Ascii.EqualsIgnoreCase(scheme, "http"u8) ||
        Ascii.EqualsIgnoreCase(scheme, "https"u8);

    private static bool IsAuthority(ReadOnlySpan<byte> value) => !value.IsEmpty && !value.ContainsAnyExcept(s_authorityBytes);

    /// <summary>
    /// RFC 6455 section 4.2.1, item 5: base64 of 16 bytes, which is exactly 22 alphabet characters and "==".
    /// The alphabet check comes first because base64 decoders skip embedded whitespace.
    /// </summary>
    private static bool IsValidKey(ReadOnlySpan<byte> value)
    {
        if (value.Length != 24 || !value.EndsWith("=="u8) || value[..22].ContainsAnyExcept(s_base64Bytes))
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[18];
        return Base64.DecodeFromUtf8(value, decoded, out _, out int written) == OperationStatus.Done && written == 16;
    }

    /// <summary>Where the pieces of a request-target sit, as offsets into it.</summary>
    private struct TargetParts
    {
        /// <summary>Equal to <see cref="AuthorityEnd"/> for origin-form, which carries no authority.</summary>
        public int AuthorityStart;
        public int AuthorityEnd;

        /// <summary>Equal to <see cref="PathEnd"/> when the path is empty, which means "/".</summary>
        public int PathStart;
        public int PathEnd;

        /// <summary>Just past the '?', or -1 without one.</summary>
        public int QueryStart;
    }

    /// <summary>What the header fields seen so far establish, field by field, without allocating.</summary>
    private struct FieldCheck
    {
        private int _hosts;
        private int _keys;
        private int _versions;
        private int _origins;
        private bool _upgrade;
        private bool _connectionUpgrade;

        /// <summary>Judges one field; an error here is final whatever the remaining fields hold.</summary>
        public HandshakeError Add(KnownHeader header, ReadOnlySpan<byte> value)
        {
            switch (header)
            {
                case KnownHeader.Host:
                    // RFC 9110 section 7.2: more than one Host field is answered with 400.
                    if (++_hosts > 1)
                    {
                        return HandshakeError.InvalidHeader;
                    }

                    return value.IsEmpty ? HandshakeError.MissingHost
                        : IsAuthority(value) ? HandshakeError.None
                        : HandshakeError.InvalidHeader;

                case KnownHeader.Upgrade:
                    // A token list (RFC 9110 section 7.8), such as "websocket" or "h2c, WebSocket".
                    _upgrade |= HttpSyntax.ContainsToken(value, "websocket"u8);
                    return HandshakeError.None;

                case KnownHeader.Connection:
                    // A token list (RFC 9110 section 7.6.1); Firefox sends "keep-alive, Upgrade".
                    _connectionUpgrade |= HttpSyntax.ContainsToken(value, "upgrade"u8);
                    return HandshakeError.None;

                case KnownHeader.SecWebSocketKey:
                    return ++_keys == 1 && IsValidKey(value) ? HandshakeError.None : HandshakeError.InvalidKey;

                case KnownHeader.SecWebSocketVersion:
                    return ++_versions == 1 && value.SequenceEqual("13"u8)
                        ? HandshakeError.None
                        : HandshakeError.UnsupportedVersion;

                case KnownHeader.SecWebSocketProtocol:
                    // RFC 6455 section 4.1: each offered subprotocol is a token.
                    foreach (ReadOnlySpan<byte> element in new HttpSyntax.ListEnumerator(value))
                    {
                        if (!HttpSyntax.IsToken(element))
                        {
                            return HandshakeError.InvalidHeader;
                        }
                    }

                    return HandshakeError.None;

                case KnownHeader.Origin:
                    // RFC 6454 section 7.3: a user agent sends at most one Origin field.
                    return ++_origins == 1 ? HandshakeError.None : HandshakeError.InvalidHeader;

                case KnownHeader.ContentLength:
                    return value.SequenceEqual("0"u8) ? HandshakeError.None : HandshakeError.UnexpectedBody;

                case KnownHeader.TransferEncoding:
                    return HandshakeError.UnexpectedBody;

                default:
                    return HandshakeError.None;
            }
        }

        /// <summary>
        /// Judges what must be present once the head is complete. The version is judged before the key so a
        /// client speaking another protocol version learns, through 426, which one this server speaks
        /// (RFC 6455 section 4.4), whatever its key looks like.
        /// </summary>
        public readonly HandshakeError Complete() =>
            _hosts == 0 ? HandshakeError.MissingHost
            : !_upgrade ? HandshakeError.MissingUpgrade
            : !_connectionUpgrade ? HandshakeError.MissingConnectionUpgrade
            : _versions == 0 ? HandshakeError.UnsupportedVersion
            : _keys == 0 ? HandshakeError.MissingKey
            : HandshakeError.None;
    }
}
