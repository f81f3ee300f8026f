namespace Switchboard.Server;

/// <summary>
/// The HTTP long-polling transport of typed endpoints (docs/protocol.md, "Long polling"): a fallback for clients that
/// cannot use WebSocket, at the same paths, behind the same handlers.
/// </summary>
public sealed class LongPollingOptions
{
    /// <summary>Whether <see cref="WebSocketServer.Map(string, MessageEndpoint)"/> also serves each typed endpoint over long polling. Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>How long a poll waits for a message before it is answered with 204. Default 25 seconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan HoldTime
    {
        get;
        init => field = OptionGuard.Positive(value);
    } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// A session with no poll waiting and no request for this long has gone: it ends without a close code, as a
    /// dropped socket does. Default 40 seconds; keep it above <see cref="HoldTime"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan IdleTimeout
    {
        get;
        init => field = OptionGuard.Positive(value);
    } = TimeSpan.FromSeconds(40);

    /// <summary>
    /// Bytes of unacknowledged messages a session may hold for its client, each message counted in full (even one
    /// shared with other sessions: it is what this client has yet to download) plus
    /// <see cref="QueueEntryBytes"/>. A message that would go past it closes the session with 1013 (Try Again Later,
    /// reason "send queue full: the client does not poll"), as a WebSocket peer that does not read is closed; clients
    /// reconnect after a delay. Default 1 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public long MaxQueuedBytes
    {
        get;
        init => field = OptionGuard.Positive(value);
    } = 1024 * 1024;

    /// <summary>
    /// Long-polling sessions open at once on the server, counted from the open until the session ends (its close
    /// delivered, its client gone quiet for <see cref="IdleTimeout"/>, or its DELETE), whether or not a request of it is
    /// in flight. An open over it is answered 503 with <c>Retry-After</c>
    /// (<see cref="WebSocketServerOptions.ConnectionLimitRetryAfter"/>). Default 10,000
    /// (<see cref="DefaultMaxSessions"/>), as many as <see cref="WebSocketServerOptions.MaxConnections"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxSessions
    {
        get;
        init => field = OptionGuard.Positive(value);
    } = DefaultMaxSessions;

    /// <summary>
    /// Long-polling sessions open at once from one client, counted as <see cref="MaxSessions"/> is, with clients told apart
    /// as <see cref="WebSocketServerOptions.MaxConnectionsPerAddress"/> tells them (an IPv6 client by its /64); an open
    /// over it is answered 503 with <c>Retry-After</c>. Default 1,000 (<see cref="DefaultMaxSessionsPerAddress"/>):
    /// long polling is the fallback where a proxy refuses WebSocket, so every user behind one company proxy or
    /// carrier NAT may arrive from a single address, and a cap of a few would lock out a whole site; a tenth of
    /// <see cref="MaxSessions"/> still keeps one address from taking every session, and bounds what one anonymous client
    /// can make the server hold.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxSessionsPerAddress
    {
        get;
        init => field = OptionGuard.Positive(value);
    } = DefaultMaxSessionsPerAddress;

    /// <summary>
    /// Bytes of unacknowledged messages all sessions together may hold, the server-wide budget behind
    /// <see cref="MaxQueuedBytes"/>. It counts what is really held: a message queued for many sessions (a broadcast, a
    /// room's history replayed to each newcomer) is one copy shared by all of them, so its bytes count once, for as
    /// long as any session holds it, and each session's reference to it counts <see cref="QueueEntryBytes"/>. A message
    /// that would go past it is not queued and closes the session it was for with 1013 (Try Again Later), which clients
    /// retry after a delay: no other session loses anything, and nothing is dropped without its client being told.
    /// Default 128 MiB (<see cref="DefaultMaxQueuedBytesTotal"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public long MaxQueuedBytesTotal
    {
        get;
        init => field = OptionGuard.Positive(value);
    } = DefaultMaxQueuedBytesTotal;

    /// <summary>
    /// Envelopes one send (a POST of a JSON array) may carry. A send with more is answered 413 and none of it is
    /// handled; the session lives on and the client may send the same envelopes again in smaller sends (the .NET
    /// client never puts more than 100 in one). Default 100 (<see cref="DefaultMaxEnvelopesPerSend"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxEnvelopesPerSend
    {
        get;
        init => field = OptionGuard.Positive(value);
    } = DefaultMaxEnvelopesPerSend;

    /// <summary>The default of <see cref="MaxSessions"/>: 10,000.</summary>
    public const int DefaultMaxSessions = 10_000;

    /// <summary>The default of <see cref="MaxSessionsPerAddress"/>: 1,000.</summary>
    public const int DefaultMaxSessionsPerAddress = 1_000;

    /// <summary>The default of <see cref="MaxQueuedBytesTotal"/>: 128 MiB.</summary>
    public const long DefaultMaxQueuedBytesTotal = 128L * 1024 * 1024;

    /// <summary>The default of <see cref="MaxEnvelopesPerSend"/>: 100.</summary>
    public const int DefaultMaxEnvelopesPerSend = 100;

    /// <summary>
    /// What each message queued for a session counts on top of its payload, against <see cref="MaxQueuedBytes"/> and
    /// <see cref="MaxQueuedBytesTotal"/>: the queue's reference to it and its share of the queue's growth, so that many
    /// small messages cannot hold more memory than the limits say.
    /// </summary>
    public const int QueueEntryBytes = 32;
}
