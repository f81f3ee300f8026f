using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Security.Claims;
using System.Text;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Protocol.Connection;
using Switchboard.Protocol.Framing;
using Switchboard.Server.Diagnostics;
using Switchboard.Server.Handshake;
using Switchboard.Server.Http;
using Switchboard.Server.Messaging;

namespace Switchboard.Server.WebSockets;

/// <summary>
/// One accepted WebSocket connection: what it was opened with (request, route values, subprotocol) and the
/// session that carries its messages. Sending is thread-safe; each frame goes out whole.
/// </summary>
public sealed class WebSocketConnection : IMessageChannel
{
    private readonly WebSocketSession _session;
    // The upgrade request is kept for as long as the connection is open, and most connections never read it again: as
    // the bytes it arrived as (and its path), with no object of its own until a member below first reads a header; then
    // as the head read again from them, which holds the same bytes. One field for the two, as it is one or the other.
    private object _request;
    private Dictionary<string, object?>? _items;

    internal WebSocketConnection(WebSocketSession session, HandshakeRequest request, IReadOnlyDictionary<string, string> routeValues,
        EndPoint? remoteEndPoint, WebSocketHandler handler)
    {
        _session = session;
        _request = request.Head.Bytes;
        Path = request.Path;
        RouteValues = routeValues;
        RemoteEndPoint = remoteEndPoint;
        Handler = handler;
    }

    /// <summary>A number unique among the server's connections.</summary>
    public long Id => _session.Id;

    /// <summary>The head of the upgrade request the connection was opened with, read again from its bytes when first asked for.</summary>
    private HttpRequestHead Request
    {
        get
        {
            // Two threads that ask at once may each read a head; either is the same, and the bytes stay in both.
            var kept = Volatile.Read(ref _request);
            if (kept is HttpRequestHead head) return head;
            head = HttpRequestHead.Reread((byte[])kept, KnownMethod.Get, Path);
            Volatile.Write(ref _request, head);
            return head;
        }
    }

    /// <summary>The request path the connection was opened on.</summary>
    public string Path { get; }

    /// <summary>The query of the upgrade request, after <c>?</c> and without it, as sent; empty when there is none.</summary>
    public string Query => Request.Query;

    /// <summary>The Origin the upgrade request named, or null when it named none (a non-browser client).</summary>
    public string? Origin => Request.GetHeader("Origin");

    /// <summary>Every header field of the upgrade request, in arrival order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => Request.Headers;

    /// <summary>The value of a header field of the upgrade request, or null when it is absent.</summary>
    /// <param name="name">The field name, compared case-insensitively.</param>
    /// <returns>The value; repeated fields are joined with <c>", "</c>.</returns>
    public string? GetHeader(string name) => Request.GetHeader(name);

    /// <summary>Values captured by the route template, e.g. <c>username</c> for <c>/ws/{username}</c>.</summary>
    public IReadOnlyDictionary<string, string> RouteValues { get; }

    /// <summary>The negotiated subprotocol, or <see langword="null"/>.</summary>
    public string? Subprotocol => _session.Subprotocol;

    /// <summary>
    /// The client's address: the peer's, or, from a trusted proxy (<see cref="WebSocketServerOptions.ForwardedHeaders"/>),
    /// the client it forwarded for.
    /// </summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>The key the connection's TCP slot was taken under: its peer's address, which behind a proxy is not <see cref="RemoteEndPoint"/>.</summary>
    internal Admission.ClientAddress Slot { get; init; }

    /// <summary>
    /// The user the endpoint's <see cref="EndpointOptions.Authenticate"/> hook named during the handshake, or null when
    /// the endpoint has no hook.
    /// </summary>
    public string? User { get; internal init; }

    /// <summary>The claims the authentication hook kept with the user, or null.</summary>
    public ClaimsPrincipal? Principal { get; internal init; }

    /// <summary>Per-connection storage for the application. Not thread-safe: use it from the connection's handler calls.</summary>
    public IDictionary<string, object?> Items => _items ??= new(StringComparer.Ordinal);

    /// <summary>Where the connection stands in the closing handshake (see <see cref="WebSocketSession.State"/>).</summary>
    public ProtocolState State => _session.State;

    internal WebSocketHandler Handler { get; }

    /// <summary>The instruments of the server that accepted the connection.</summary>
    internal ServerMetrics Metrics { get; init; } = null!;

    /// <summary>The template of the route the connection was opened on: the <c>http.route</c> of its measurements.</summary>
    internal string Route { get; init; } = "";

    /// <summary>When the upgrade was answered, as <see cref="Stopwatch.GetTimestamp"/> counts.</summary>
    internal long OpenedAt { get; } = Stopwatch.GetTimestamp();

    /// <summary>Whether the connection was counted on <c>switchboard.server.active_connections</c> when it opened.</summary>
    internal bool CountedActive { get; set; }

    ServerMetrics IMessageChannel.Metrics => Metrics;

    ServerTransport IMessageChannel.Transport => ServerTransport.WebSocket;

    /// <summary>
    /// The typed endpoint's context for this connection, set by <see cref="MessageEndpoint"/> when the
    /// connection opens; null under a raw <see cref="WebSocketHandler"/>.
    /// </summary>
    internal MessageContext? MessageContext { get; set; }

    internal WebSocketSession Session => _session;

    /// <summary>
    /// Sees every frame read from this client, data and control, with its header fields and first payload bytes, on
    /// the receive loop (<see cref="WebSocketSession.FrameObserver"/>); null, the default, traces nothing. Set it in
    /// <see cref="WebSocketHandler.OnConnectedAsync"/>, before the first frame is read.
    /// </summary>
    public IFrameTraceObserver? FrameObserver
    {
        get => _session.FrameObserver;
        set => _session.FrameObserver = value;
    }

    /// <inheritdoc cref="WebSocketSession.SendAsync(Opcode, ReadOnlySequence{byte}, CancellationToken)"/>
    public ValueTask SendAsync(Opcode opcode, ReadOnlySequence<byte> payload, CancellationToken cancellationToken = default)
    {
        Metrics.Sent(ServerTransport.WebSocket, null, 1, payload.Length);
        return _session.SendAsync(opcode, payload, cancellationToken);
    }

    /// <inheritdoc cref="WebSocketSession.SendAsync(Opcode, ReadOnlySequence{byte}, CancellationToken)"/>
    public ValueTask SendAsync(Opcode opcode, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
        => SendAsync(opcode, new ReadOnlySequence<byte>(payload), cancellationToken);

    /// <summary>Sends <paramref name="text"/> as one text message.</summary>
    public ValueTask SendTextAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SendAsync(Opcode.Text, Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    /// <inheritdoc cref="WebSocketSession.CloseAsync"/>
    public ValueTask CloseAsync(CloseCode code = CloseCode.NormalClosure, string? reason = null) => _session.CloseAsync(code, reason);

    /// <inheritdoc cref="WebSocketSession.PingAsync"/>
    public ValueTask<bool> PingAsync(ReadOnlyMemory<byte> payload = default, CancellationToken cancellationToken = default)
        => _session.PingAsync(payload, cancellationToken);

    /// <summary>
    /// Counts a message the session hands to the handler: its bytes always, and the message itself under a raw
    /// handler (a typed endpoint counts the messages it reads, with their type).
    /// </summary>
    internal void CountReceived(in WebSocketMessage message)
    {
        Metrics.BytesReceived(ServerTransport.WebSocket, message.Payload.Length);
        if (MessageContext is null) Metrics.MessagesReceived(ServerTransport.WebSocket, null);
    }

    // Typed sends are counted by Recipients, once for all the connections a message goes to.
    ValueTask IMessageChannel.SendAsync(EncodedMessage message, CancellationToken cancellationToken) => _session.SendAsync(message, cancellationToken);

    /// <inheritdoc cref="WebSocketSession.Abort"/>
    public void Abort() => _session.Abort();
}
