using Switchboard.Messaging;

namespace Switchboard.Client;

/// <summary>How a <see cref="SwitchboardClient"/> connects, reconnects and queues.</summary>
public sealed class SwitchboardClientOptions
{
    /// <summary>
    /// Socket, TLS, handshake and session settings. Long polling uses its <see cref="WebSocketClientOptions.ConnectTimeout"/>
    /// (to open a session, for each send, and as the margin past the server's hold time for each poll),
    /// <see cref="WebSocketClientOptions.Origin"/> and <see cref="WebSocketClientOptions.RemoteCertificateValidation"/>.
    /// </summary>
    public WebSocketClientOptions Connection { get; init; } = new();

    /// <summary>
    /// Which transport to use. <see cref="SwitchboardTransport.Auto"/> (the default) tries WebSocket first and falls back
    /// to long polling when the upgrade fails in a way that suggests WebSocket is blocked (never on 401, 403 or 404);
    /// reconnects keep the transport that worked. ws:// and wss://
    /// endpoints are reached over long polling at http:// and https:// with the same host, port, path and query.
    /// </summary>
    public SwitchboardTransport Transport { get; init; } = SwitchboardTransport.Auto;

    /// <summary>
    /// The first retry waits up to this long (full jitter: a random time between zero and the delay). Retry n after a
    /// loss waits a uniform time in [0, min(<see cref="ReconnectMaxDelay"/>, this * 2^n)). Not negative. Default 500 ms.
    /// </summary>
    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The retry delay doubles per attempt up to this cap. Not negative. Default 30 seconds.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The least a client waits before it comes back after the server closed with 1013 (Try Again Later: the client went
    /// over a rate limit, or did not read what was sent to it). Retry n after such a close waits this long plus a
    /// uniform time in [0, min(<see cref="ReconnectMaxDelay"/>, max(this, <see cref="ReconnectInitialDelay"/>) * 2^n)),
    /// so the first retry comes after 5 to 10 seconds by default, and clients closed together come back spread apart.
    /// Not negative. Default 5 seconds.
    /// </summary>
    public TimeSpan TryAgainLaterDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Attempts <see cref="SwitchboardClient.ConnectAsync"/> makes before it throws: failures worth retrying (unreachable,
    /// timeout, a failed handshake) are retried with the same backoff as reconnects; a refusal (401, 403, 404) is never
    /// retried. At least 1. Default 3.
    /// </summary>
    public int MaxConnectAttempts { get; init; } = 3;

    /// <summary>Retries after a lost connection before giving up (state <see cref="ConnectionState.Closed"/>); null retries forever. Default null.</summary>
    public int? MaxReconnectAttempts { get; init; }

    /// <summary>
    /// Whether a connection that ended with this close code (null: no close frame) is retried. The default retries
    /// everything except 1000 (normal), 1003 (unsupported data), 1007 (invalid data), 1008 (policy violation) and
    /// 4000-4999 (application refusals): the server said the same request would fail again. 1013 (try again later) is
    /// retried after <see cref="TryAgainLaterDelay"/>.
    /// </summary>
    public Func<CloseCode?, bool> ShouldReconnect { get; init; } = DefaultShouldReconnect;

    /// <summary>
    /// While reconnecting, sends wait in a queue (up to <see cref="MaxQueuedMessages"/>) and go out in order on the
    /// next connection. When false, a send while disconnected throws. Default true.
    /// </summary>
    public bool QueueWhileDisconnected { get; init; } = true;

    /// <summary>The most sends held while disconnected; one more throws <see cref="InvalidOperationException"/>. Default 100.</summary>
    public int MaxQueuedMessages { get; init; } = 100;

    /// <summary>
    /// Whether reconnects present the client's positions (<see cref="SwitchboardClient.Positions"/>) as <c>recover</c>
    /// query parameters, so that the server replays what the client missed in each group that keeps history
    /// (docs/protocol.md, "History and recovery"). When false, positions are still kept but never sent, and every join
    /// is a fresh one (<see cref="GroupJoinedEventArgs.Recovered"/> null). Default true.
    /// </summary>
    public bool Recover { get; init; } = true;

    /// <summary>
    /// Positions to start from, by group: the <see cref="SwitchboardClient.Positions"/> an app saved before it stopped.
    /// They are presented from the first connection on (with <see cref="Recover"/>). Each epoch must be 1 to 64
    /// characters of <c>[A-Za-z0-9_-]</c> and each offset 0 or more, or the client's constructor throws. Default none.
    /// </summary>
    public IReadOnlyDictionary<string, StreamPosition>? Positions { get; init; }

    /// <summary>
    /// How long <see cref="SwitchboardClient.RequestAsync{TResponse}(IRequest{TResponse}, CancellationToken)"/> waits for
    /// a reply before it fails with a <see cref="TimeoutException"/>; a call may name its own. Positive. Default 30 seconds.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The default reconnect policy described on <see cref="ShouldReconnect"/>.</summary>
    public static bool DefaultShouldReconnect(CloseCode? status) => status switch
    {
        CloseCode.NormalClosure or CloseCode.UnsupportedData or CloseCode.InvalidPayloadData or CloseCode.PolicyViolation => false,
        { } code when (ushort)code is >= 4000 and <= 4999 => false,
        _ => true,
    };
}
