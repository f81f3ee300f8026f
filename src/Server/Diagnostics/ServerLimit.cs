namespace Switchboard.Server.Diagnostics;

/// <summary>
/// The limits a server enforces against its clients, one value each; the <c>switchboard.limit</c> tag of the
/// <c>switchboard.server.limit.hits</c> metric and the subject of log events 600 and 601 (docs/security.md).
/// </summary>
internal enum ServerLimit
{
    /// <summary><see cref="WebSocketServerOptions.MaxConnections"/>: a TCP connection refused with 503.</summary>
    Connections,

    /// <summary>The per-client-address cap on concurrent TCP connections.</summary>
    ConnectionsPerAddress,

    /// <summary>An idle keep-alive HTTP connection closed to make room at capacity.</summary>
    IdleHttpEvicted,

    /// <summary>A request whose Host is not one the server answers for.</summary>
    Host,

    /// <summary>A request from a known proxy whose forwarded header fields are malformed (<see cref="WebSocketServerOptions.ForwardedHeaders"/>).</summary>
    ForwardedHeaders,

    /// <summary>The server-wide cap on long-polling sessions.</summary>
    LongPollingSessions,

    /// <summary>The per-client-address cap on long-polling sessions.</summary>
    LongPollingSessionsPerAddress,

    /// <summary>The server-wide budget of bytes queued for long-polling sessions.</summary>
    LongPollingMemory,

    /// <summary>A long-polling send with more envelopes than allowed.</summary>
    LongPollingEnvelopes,

    /// <summary>A connection's inbound message rate.</summary>
    MessageRate,

    /// <summary>A connection's inbound byte rate.</summary>
    ByteRate,

    /// <summary>A slow reader whose send queue filled up.</summary>
    SendQueue,

    /// <summary><see cref="Switchboard.Protocol.Http.HttpHeadLimits.MaxHeaderBytes"/>: a request head refused with 431.</summary>
    RequestHeadSize,

    /// <summary><see cref="Switchboard.Protocol.Http.HttpHeadLimits.MaxHeaderCount"/>: a request head with too many fields, refused with 431.</summary>
    RequestHeadFields,

    /// <summary><see cref="WebSocketServerOptions.MaxRequestBodySize"/>: a request body refused with 413.</summary>
    RequestBodySize,

    /// <summary><see cref="WebSocketServerOptions.HandshakeTimeout"/>: no first request head in time; the socket was dropped.</summary>
    HandshakeTimeout,

    /// <summary><see cref="WebSocketServerOptions.RequestBodyTimeout"/>: a request body not received in time, answered 408.</summary>
    RequestBodyTimeout,

    /// <summary>
    /// <see cref="WebSocketServerOptions.HttpIdleTimeout"/>: a persistent HTTP connection closed after waiting for its next
    /// request.
    /// </summary>
    HttpIdleTimeout,

    /// <summary><see cref="WebSocketServerOptions.HttpSendTimeout"/>: a client that took none of a response body in time was dropped.</summary>
    HttpSendTimeout,

    /// <summary><see cref="Switchboard.Protocol.Framing.FrameReaderOptions.MaxFrameSize"/>: a WebSocket closed with 1009 over a frame's declared length.</summary>
    FrameSize,

    /// <summary><see cref="Switchboard.Protocol.Framing.FrameReaderOptions.MaxMessageSize"/>: a WebSocket closed with 1009 over a message's length.</summary>
    MessageSize,

    /// <summary><see cref="Switchboard.Protocol.Framing.FrameReaderOptions.MaxFragments"/>: a WebSocket closed with 1008 over a message's fragments.</summary>
    Fragments,

    /// <summary>
    /// <see cref="Switchboard.Protocol.Framing.FrameReaderOptions.MaxMessageSize"/> for long polling: a session whose send carried a
    /// bigger envelope was closed with 1009.
    /// </summary>
    LongPollingEnvelopeSize,

    /// <summary>
    /// <see cref="EndpointOptions.MaxRequestsInFlight"/>: a request over a connection's bound of requests in flight,
    /// answered with the <c>too_many_requests</c> failure.
    /// </summary>
    RequestsInFlight,
}
