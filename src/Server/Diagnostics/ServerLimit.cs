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
}
