using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Protocol.Handshake;
using Switchboard.Protocol.Http;
using Switchboard.Server.Http;

namespace Switchboard.Server.Handshake;

/// <summary>
/// Writes a server's answer to an opening handshake: the 101 that accepts it (RFC 6455 section 4.2.2) or
/// an HTTP error that refuses it, and negotiates the subprotocol.
/// </summary>
/// <remarks>Stateless and thread-safe. Writers append to the output and never flush it.</remarks>
internal static class HandshakeResponse
{
    /// <summary>
    /// The Sec-WebSocket-Accept value for a key (RFC 6455 section 4.2.2, item 5.4):
    /// <c>dGhlIHNhbXBsZSBub25jZQ==</c> yields <c>s3pPLMBiTxaQ9kYGzzhZRbK+xOo=</c>.
    /// </summary>
    public static string ComputeAccept(string key) => AcceptKey.Compute(key);

    /// <summary>
    /// Writes the 101 response that completes the handshake (RFC 6455 section 4.2.2, item 5):
    /// <code>
    /// HTTP/1.1 101 Switching Protocols
    /// Upgrade: websocket
    /// Connection: Upgrade
    /// Sec-WebSocket-Accept: {ComputeAccept(key)}
    /// Sec-WebSocket-Protocol: {subprotocol}      (only when one was selected)
    /// Sec-WebSocket-Extensions: {extension}     (only from the request's overload, when permessage-deflate was agreed)
    /// </code>
    /// followed by the blank line. Frames may be written right after it.
    /// </summary>
    /// <param name="output">Where the head is appended.</param>
    /// <param name="key">The client's <see cref="HandshakeRequest.Key"/>.</param>
    /// <param name="subprotocol">The subprotocol chosen from the client's offers, or null for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="subprotocol"/> is not an HTTP token.</exception>
    public static void WriteAccept(IBufferWriter<byte> output, string key, string? subprotocol)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(key);
        // Latin-1 turns each char back into the byte it was read from on the wire.
        using var keyBytes = new Latin1Buffer(key, stackalloc byte[256]);
        WriteAccept(output, keyBytes.Bytes, subprotocol);
    }

    /// <summary>
    /// Writes the 101 response that accepts <paramref name="request"/>, as
    /// <see cref="WriteAccept(IBufferWriter{byte}, string, string?)"/> does with its <see cref="HandshakeRequest.Key"/>,
    /// reading the key from the request's head without making a string of it.
    /// </summary>
    /// <param name="output">Where the head is appended.</param>
    /// <param name="request">The request to accept.</param>
    /// <param name="subprotocol">The subprotocol chosen from the client's offers, or null for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="request"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="subprotocol"/> is not an HTTP token.</exception>
    public static void WriteAccept(IBufferWriter<byte> output, HandshakeRequest request, string? subprotocol)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(request);
        WriteAccept(output, request.KeyBytes, subprotocol, request.Deflate?.Extension);
    }

    private static void WriteAccept(IBufferWriter<byte> output, ReadOnlySpan<byte> key, string? subprotocol, string? extensions = null)
    {
        if (subprotocol is not null && !HttpSyntax.IsToken(subprotocol))
        {
            throw new ArgumentException("A subprotocol must be a non-empty HTTP token.", nameof(subprotocol));
        }

        HttpWriter.Write(output, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "u8);
        Span<byte> accept = output.GetSpan(AcceptKey.Length);
        AcceptKey.Write(key, accept);
        output.Advance(AcceptKey.Length);
        HttpWriter.Write(output, HttpWriter.Crlf);
        if (subprotocol is not null)
        {
            HttpWriter.WriteField(output, "Sec-WebSocket-Protocol"u8, subprotocol);
        }

        if (extensions is not null)
        {
            HttpWriter.WriteField(output, "Sec-WebSocket-Extensions"u8, extensions);
        }

        HttpWriter.Write(output, HttpWriter.Crlf);
    }

    /// <summary>
    /// Writes a response refusing the handshake, with a plain-text body, after which the server closes the
    /// connection:
    /// <code>
    /// HTTP/1.1 {statusCode} {standard reason phrase}
    /// Content-Type: text/plain; charset=utf-8
    /// Content-Length: {body length}
    /// Connection: close
    /// Allow: GET                         (405 only)
    /// Upgrade: websocket                 (426 only, with Connection: Upgrade, close)
    /// Sec-WebSocket-Version: 13          (426 only)
    /// </code>
    /// then the blank line and <paramref name="reason"/> followed by a newline, UTF-8 encoded.
    /// </summary>
    /// <param name="output">Where the response is appended.</param>
    /// <param name="statusCode">A 4xx or 5xx status; usually <see cref="HandshakeErrorExtensions.ToStatusCode"/>.</param>
    /// <param name="reason">The body text, for people reading it; usually <see cref="HandshakeErrorExtensions.Describe"/>.</param>
    /// <param name="fields">More fields for the head, such as the <c>WWW-Authenticate</c> of a 401; names and values as they go on the wire.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="reason"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="statusCode"/> is not between 400 and 599.</exception>
    public static void WriteReject(IBufferWriter<byte> output, int statusCode, string reason, IReadOnlyList<KeyValuePair<string, string>>? fields = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(reason);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);

        HttpWriter.WriteStatusLine(output, statusCode);
        HttpWriter.Write(output, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: "u8);
        HttpWriter.WriteDecimal(output, Encoding.UTF8.GetByteCount(reason) + 1);
        switch (statusCode)
        {
            case 405:
                // RFC 9110 section 15.5.6: a 405 lists the methods the target supports.
                HttpWriter.Write(output, "\r\nConnection: close\r\nAllow: GET\r\n"u8);
                break;
            case 426:
                // RFC 9110 section 15.5.22 requires Upgrade on a 426, and section 7.8 requires the matching
                // Connection option; RFC 6455 section 4.4 names the versions this server speaks.
                HttpWriter.Write(output, "\r\nConnection: Upgrade, close\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"u8);
                break;
            default:
                HttpWriter.Write(output, "\r\nConnection: close\r\n"u8);
                break;
        }

        foreach (var (name, value) in fields ?? [])
        {
            HttpWriter.WriteLatin1(output, name);
            HttpWriter.Write(output, ": "u8);
            HttpWriter.WriteLatin1(output, value);
            HttpWriter.Write(output, HttpWriter.Crlf);
        }

        HttpWriter.Write(output, HttpWriter.Crlf);

        HttpWriter.WriteUtf8(output, reason);
        HttpWriter.Write(output, "\n"u8);
    }

    /// <summary>
    /// Writes the rejection for a parser verdict: <see cref="HandshakeErrorExtensions.ToStatusCode"/> with
    /// <see cref="HandshakeErrorExtensions.Describe"/> as the body.
    /// </summary>
    /// <param name="output">Where the response is appended.</param>
    /// <param name="error">What <see cref="WebSocketUpgrade.TryValidate"/> reported; not <see cref="HandshakeError.None"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public static void WriteReject(IBufferWriter<byte> output, HandshakeError error) =>
        WriteReject(output, error.ToStatusCode(), error.Describe());

    /// <summary>
    /// Picks the subprotocol to answer with: the first of the client's offers, in the client's order, that
    /// the server supports, compared ordinally (subprotocol names are case-sensitive, RFC 6455 section 11.5).
    /// </summary>
    /// <param name="offered">The client's offers, <see cref="HandshakeRequest.Subprotocols"/>.</param>
    /// <param name="supported">The subprotocols this endpoint speaks.</param>
    /// <returns>The chosen subprotocol, or null when there is no overlap; the response then names none.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static string? SelectSubprotocol(IReadOnlyList<string> offered, IReadOnlyList<string> supported)
    {
        ArgumentNullException.ThrowIfNull(offered);
        ArgumentNullException.ThrowIfNull(supported);
        for (int i = 0; i < offered.Count; i++)
        {
            for (int j = 0; j < supported.Count; j++)
            {
                if (string.Equals(offered[i], supported[j], StringComparison.Ordinal))
                {
                    return supported[j];
                }
            }
        }

        return null;
    }
}
