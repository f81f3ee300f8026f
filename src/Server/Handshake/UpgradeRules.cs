using System.Buffers;
using System.Buffers.Text;
using Switchboard.Protocol.Http;
using Switchboard.Server.Http;

namespace Switchboard.Server.Handshake;

/// <summary>
/// What an opening handshake request must satisfy (RFC 6455 section 4.2.1), judged piece by piece, in the order the
/// head's lines arrived: <see cref="WebSocketUpgrade.TryValidate"/> replays a parsed head through it.
/// </summary>
internal struct UpgradeRules : IHeadRules
{
    private static readonly SearchValues<byte> s_base64Bytes = SearchValues.Create(
        "+/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    private int _hosts;
    private int _keys;
    private int _versions;
    private int _origins;
    private bool _upgrade;
    private bool _connectionUpgrade;

    /// <summary>Why the rules refused the request, once one of their methods returned false.</summary>
    public HandshakeError Error { get; private set; }

    /// <summary>
    /// The version is judged before the method, so an HTTP/1.0 POST is told about its version (505) first; the line's
    /// syntax has already been checked, so a garbled line is never mistaken for a well-formed POST.
    /// </summary>
    public bool AcceptRequestLine(ReadOnlySpan<byte> method, ReadOnlySpan<byte> version) =>
        // RFC 6455 section 4.1: "the HTTP version MUST be at least 1.1"; 2.0 and later never use this form.
        !version.SequenceEqual("HTTP/1.1"u8) ? Fail(HandshakeError.UnsupportedHttpVersion)
        // Methods are case-sensitive (RFC 9110 section 9.1): "get" is a different method.
        : method.SequenceEqual("GET"u8) || Fail(HandshakeError.MethodNotAllowed);

    /// <summary>Judges one field; an error here is final whatever the remaining fields hold.</summary>
    public bool AcceptField(KnownHeader header, ReadOnlySpan<byte> value)
    {
        switch (header)
        {
            case KnownHeader.Host:
                // RFC 9110 section 7.2: more than one Host field is answered with 400.
                return ++_hosts > 1 ? Fail(HandshakeError.InvalidHeader)
                    : value.IsEmpty ? Fail(HandshakeError.MissingHost)
                    : HttpSyntax.IsAuthority(value) || Fail(HandshakeError.InvalidHeader);

            case KnownHeader.Upgrade:
                // A token list (RFC 9110 section 7.8), such as "websocket" or "h2c, WebSocket".
                _upgrade |= HttpSyntax.ContainsToken(value, "websocket"u8);
                return true;

            case KnownHeader.Connection:
                // A token list (RFC 9110 section 7.6.1); Firefox sends "keep-alive, Upgrade".
                _connectionUpgrade |= HttpSyntax.ContainsToken(value, "upgrade"u8);
                return true;

            case KnownHeader.SecWebSocketKey:
                return (++_keys == 1 && IsValidKey(value)) || Fail(HandshakeError.InvalidKey);

            case KnownHeader.SecWebSocketVersion:
                return (++_versions == 1 && value.SequenceEqual("13"u8)) || Fail(HandshakeError.UnsupportedVersion);

            case KnownHeader.SecWebSocketProtocol:
                // RFC 6455 section 4.1: each offered subprotocol is a token.
                foreach (ReadOnlySpan<byte> element in new HttpSyntax.ListEnumerator(value))
                {
                    if (!HttpSyntax.IsToken(element))
                    {
                        return Fail(HandshakeError.InvalidHeader);
                    }
                }

                return true;

            case KnownHeader.Origin:
                // RFC 6454 section 7.3: a user agent sends at most one Origin field.
                return ++_origins == 1 || Fail(HandshakeError.InvalidHeader);

            case KnownHeader.ContentLength:
                // Bytes after an upgrade request's head are frames, so a body is refused rather than guessed at.
                return value.SequenceEqual("0"u8) || Fail(HandshakeError.UnexpectedBody);

            case KnownHeader.TransferEncoding:
                return Fail(HandshakeError.UnexpectedBody);

            default:
                return true;
        }
    }

    /// <summary>
    /// Judges what must be present once the head is complete. The version is judged before the key so a client
    /// speaking another protocol version learns, through 426, which one this server speaks (RFC 6455 section 4.4),
    /// whatever its key looks like.
    /// </summary>
    public bool AcceptHead() =>
        _hosts == 0 ? Fail(HandshakeError.MissingHost)
        : !_upgrade ? Fail(HandshakeError.MissingUpgrade)
        : !_connectionUpgrade ? Fail(HandshakeError.MissingConnectionUpgrade)
        : _versions == 0 ? Fail(HandshakeError.UnsupportedVersion)
        : _keys != 0 || Fail(HandshakeError.MissingKey);

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

    private bool Fail(HandshakeError error)
    {
        Error = error;
        return false;
    }
}
