using System.Diagnostics.CodeAnalysis;
using System.Text;
using Switchboard.Protocol.Http;
using Switchboard.Server.Http;

namespace Switchboard.Server.Handshake;

/// <summary>
/// Tells a WebSocket upgrade attempt from a plain HTTP request, and judges an attempt's head
/// (RFC 6455 section 4.2.1) once <see cref="HttpRequestParser"/> has read it: the server's one request-head parser
/// reads every head, and this judges the ones that ask to upgrade.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class WebSocketUpgrade
{
    /// <summary>
    /// Whether the request asks to switch to WebSocket: some Upgrade field lists the <c>websocket</c> token
    /// (RFC 9110 section 7.8; RFC 6455 section 4.2.1, item 3). An attempt may still be invalid;
    /// <see cref="TryValidate"/> says why.
    /// </summary>
    /// <param name="head">A parsed request head.</param>
    /// <returns>True for an upgrade attempt, false for a plain HTTP request.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="head"/> is null.</exception>
    public static bool IsUpgradeRequest(HttpRequestHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        return head.HasToken("Upgrade", "websocket");
    }

    /// <summary>
    /// Judges a parsed head as an opening handshake: GET, HTTP/1.1, one valid Host, <c>Upgrade: websocket</c>,
    /// <c>Connection: Upgrade</c>, one valid Sec-WebSocket-Key, <c>Sec-WebSocket-Version: 13</c>, token subprotocols,
    /// at most one Origin, and no body.
    /// </summary>
    /// <param name="head">A head <see cref="HttpRequestParser"/> accepted.</param>
    /// <param name="request">The handshake request when the result is true.</param>
    /// <param name="error">
    /// <see cref="HandshakeError.None"/> when the result is true; otherwise why the upgrade is refused. The caller
    /// answers with <see cref="HandshakeResponse.WriteReject(System.Buffers.IBufferWriter{byte}, HandshakeError)"/>
    /// and closes the connection.
    /// </param>
    /// <returns>True when the head is a valid upgrade request.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="head"/> is null.</exception>
    public static bool TryValidate(HttpRequestHead head, [NotNullWhen(true)] out HandshakeRequest? request, out HandshakeError error)
    {
        ArgumentNullException.ThrowIfNull(head);
        request = null;
        var rules = new UpgradeRules();
        if (!Replay(head, ref rules))
        {
            error = rules.Error;
            return false;
        }

        error = HandshakeError.None;
        request = CreateRequest(head);
        return true;
    }

    /// <summary>The handshake request for a head the upgrade rules accepted.</summary>
    internal static HandshakeRequest CreateRequest(HttpRequestHead head)
    {
        List<string>? subprotocols = null;
        foreach (HttpField field in head.RawFields)
        {
            if (KnownHeaders.Identify(field.Name) == KnownHeader.SecWebSocketProtocol)
            {
                foreach (ReadOnlySpan<byte> token in new HttpSyntax.ListEnumerator(field.Value))
                {
                    (subprotocols ??= []).Add(Encoding.ASCII.GetString(token));
                }
            }
        }

        return new HandshakeRequest(head, subprotocols?.ToArray() ?? []);
    }

    /// <summary>
    /// Feeds the head to the rules in arrival order, from the bytes the head was read from.
    /// </summary>
    private static bool Replay(HttpRequestHead head, ref UpgradeRules rules)
    {
        ReadOnlySpan<byte> requestLine = head.RequestLine;
        ReadOnlySpan<byte> version = head.IsHttp10 ? "HTTP/1.0"u8 : "HTTP/1.1"u8;
        if (!rules.AcceptRequestLine(requestLine[..requestLine.IndexOf((byte)' ')], version))
        {
            return false;
        }

        foreach (HttpField field in head.RawFields)
        {
            if (!rules.AcceptField(KnownHeaders.Identify(field.Name), field.Value))
            {
                return false;
            }
        }

        return rules.AcceptHead();
    }
}
