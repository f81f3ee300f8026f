namespace Switchboard.Server;

/// <summary>
/// The names under which a server reports what it does (docs/observability.md): the <see cref="MeterName">meter</see>
/// and <see cref="ActivitySourceName">activity source</see> to subscribe to (with dotnet-counters, or OpenTelemetry's
/// <c>AddMeter</c> and <c>AddSource</c>), and the names of their instruments, spans and tags.
/// </summary>
/// <remarks>
/// Every server has a meter of its own, all named <see cref="MeterName"/>; the spans of every server in a process come
/// from one source. Both cost a flag check when nothing listens.
/// </remarks>
public static class SwitchboardServerDiagnostics
{
    /// <summary>The name of every server's <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string MeterName = "Switchboard.Server";

    /// <summary>The name of the servers' <see cref="System.Diagnostics.ActivitySource"/>.</summary>
    public const string ActivitySourceName = "Switchboard.Server";

    /// <summary>UpDownCounter, <c>{connection}</c>: open WebSocket connections and long-polling sessions.</summary>
    public const string ActiveConnections = "switchboard.server.active_connections";

    /// <summary>Histogram, <c>s</c>: how long connections and sessions lasted, recorded when they end.</summary>
    public const string ConnectionDuration = "switchboard.server.connection.duration";

    /// <summary>Counter, <c>{message}</c>: messages received from clients.</summary>
    public const string MessagesReceived = "switchboard.server.messages.received";

    /// <summary>Counter, <c>{message}</c>: messages handed to connections to send.</summary>
    public const string MessagesSent = "switchboard.server.messages.sent";

    /// <summary>Counter, <c>By</c>: message payload bytes received from clients.</summary>
    public const string BytesReceived = "switchboard.server.bytes.received";

    /// <summary>Counter, <c>By</c>: message payload bytes handed to connections to send.</summary>
    public const string BytesSent = "switchboard.server.bytes.sent";

    /// <summary>
    /// Counter, <c>{compression}</c>: message payloads compressed once for every connection of a send that negotiated
    /// permessage-deflate without server context takeover.
    /// </summary>
    public const string SharedCompressions = "switchboard.server.compression.shared";

    /// <summary>Counter, <c>{refusal}</c>: WebSocket upgrades and long-polling opens refused.</summary>
    public const string HandshakeRefusals = "switchboard.server.handshake.refusals";

    /// <summary>Counter, <c>{connection}</c>: connections closed because their client did not take what was sent.</summary>
    public const string SendQueueOverflows = "switchboard.server.send_queue.overflows";

    /// <summary>Counter, <c>{failure}</c>: application handlers and hooks that threw.</summary>
    public const string HandlerFailures = "switchboard.server.handler.failures";

    /// <summary>Counter, <c>{hit}</c>: connections, requests, sessions and messages refused or closed over a limit.</summary>
    public const string LimitHits = "switchboard.server.limit.hits";

    /// <summary>The span of one WebSocket upgrade or long-polling open, from its request head to the answer.</summary>
    public const string ConnectActivityName = "Switchboard.Server.Connect";

    /// <summary>The span of one message dispatched to its handler.</summary>
    public const string MessageActivityName = "Switchboard.Server.Message";

    /// <summary>Tag: the transport, <see cref="WebSocketTransport"/> or <see cref="LongPollingTransport"/>.</summary>
    public const string TransportTag = "switchboard.transport";

    /// <summary>The <see cref="TransportTag"/> of WebSocket connections.</summary>
    public const string WebSocketTransport = "websocket";

    /// <summary>The <see cref="TransportTag"/> of long-polling sessions.</summary>
    public const string LongPollingTransport = "long_polling";

    /// <summary>Tag: the route template the connection was mapped with, e.g. <c>/ws/{room}</c>.</summary>
    public const string RouteTag = "http.route";

    /// <summary>
    /// Tag: a message's wire name, only ever one of the endpoint's catalogue (or of the message types the application
    /// sends); <see cref="UnknownMessageType"/> for a received type outside the catalogue.
    /// </summary>
    public const string MessageTypeTag = "switchboard.message.type";

    /// <summary>The <see cref="MessageTypeTag"/> of a received message whose type is not in the endpoint's catalogue.</summary>
    public const string UnknownMessageType = "_unknown";

    /// <summary>Tag: the HTTP status an opening request was answered with.</summary>
    public const string StatusCodeTag = "http.response.status_code";

    /// <summary>Tag: why an opening request was refused (<c>invalid_request</c>, <c>no_route</c>, <c>origin</c>, <c>authentication</c>, <c>authentication_error</c>, <c>capacity</c>).</summary>
    public const string RefusalReasonTag = "switchboard.refusal.reason";

    /// <summary>Tag: the handler or hook that threw (<c>message</c>, <c>connected</c>, <c>disconnected</c>).</summary>
    public const string HandlerTag = "switchboard.handler";

    /// <summary>Tag: the limit that was hit, as named in docs/security.md.</summary>
    public const string LimitTag = "switchboard.limit";

    /// <summary>Span tag: whether the opening request was <c>accepted</c> or <c>refused</c>.</summary>
    public const string OutcomeTag = "switchboard.outcome";

    /// <summary>Span tag: the connection's id, as <see cref="MessageContext.ConnectionId"/> gives it.</summary>
    public const string ConnectionIdTag = "switchboard.connection.id";

    /// <summary>Span tag: the client's IP address.</summary>
    public const string ClientAddressTag = "client.address";
}
