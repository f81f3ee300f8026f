namespace Switchboard.Server;

/// <summary>
/// The HTTP long-polling transport of typed endpoints (docs/protocol.md, "Long polling"): a fallback for clients that
/// cannot use WebSocket, at the same paths, behind the same handlers.
/// </summary>
public sealed class LongPollingOptions
{
    /// <summary>Whether <see cref="WebSocketServer.Map(string, WebSocketHandler)"/> also serves each typed endpoint over long polling. Default true.</summary>
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
    /// Bytes of unacknowledged messages a session may hold for its client. A message that would go past it closes the
    /// session with 1008, as a WebSocket peer that does not read is closed. Default 1 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public long MaxQueuedBytes
    {
        get;
        init => field = OptionGuard.Positive(value);
    } = 1024 * 1024;
}
