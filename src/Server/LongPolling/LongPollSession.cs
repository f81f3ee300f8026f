using System.Net;
using Switchboard.Connections;
using Switchboard.Server.Diagnostics;
using Switchboard.Server.Messaging;

namespace Switchboard.Server.LongPolling;

/// <summary>
/// One long-polling connection of a typed endpoint: the numbered messages waiting for the client's acknowledgement,
/// the poll that waits for them, the close to deliver, and the number of the last envelope taken from the client.
/// Thread-safe: sends come from any thread; polls and posts come from the client's requests (posts one at a time).
/// A queued message is the message's <see cref="SharedPayload"/>, held by reference and counted against the
/// server-wide <see cref="LongPollBudget"/> until it is acknowledged or the session is forgotten.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The semaphore never allocates a wait handle; nothing needs disposing.")]
internal sealed class LongPollSession(long id, string token, string path, IReadOnlyDictionary<string, string> routeValues, EndPoint? remote,
    long maxQueuedBytes, LongPollBudget budget, LimitReporter limits, ServerMetrics metrics)
    : IMessageChannel
{
    /// <summary>The reason of the close when the session's own queue is full.</summary>
    public const string QueueFullReason = "send queue full: the client does not poll";

    /// <summary>The reason of the close when the server-wide budget is spent.</summary>
    public const string BudgetSpentReason = "server busy: too many undelivered long-polling messages; try again later";

    private readonly Lock _lock = new();
    private readonly Queue<SharedPayload> _outbox = new(); // messages _firstSeq, _firstSeq + 1, …
    private readonly SemaphoreSlim _inbound = new(1, 1);
    private Dictionary<string, object?>? _items;
    private long _firstSeq = 1;
    private long _queuedBytes;
    private SessionClose? _close;
    private TaskCompletionSource? _wake; // the waiting poll's
    private int _polls;
    private long _lastActivity = Environment.TickCount64;
    private long _received;
    private int _ended;
    private bool _released;

    public enum SendOutcome : byte { Taken, Gap }

    public long Id { get; } = id;

    /// <summary>The session's secret id, as the client sends it.</summary>
    public string Token { get; } = token;

    /// <summary>The request path the session was opened on; every later request must use it.</summary>
    public string Path { get; } = path;

    /// <summary>The address of the client that opened the session.</summary>
    public EndPoint? RemoteEndPoint { get; } = remote;

    public IReadOnlyDictionary<string, string> RouteValues { get; } = routeValues;

    public string? User { get; init; }

    public System.Security.Claims.ClaimsPrincipal? Principal { get; init; }

    public IDictionary<string, object?> Items => _items ??= new(StringComparer.Ordinal);

    public ServerMetrics Metrics => metrics;

    public ServerTransport Transport => ServerTransport.LongPolling;

    /// <summary>The template of the route the session was opened on: the <c>http.route</c> of its measurements.</summary>
    public string Route { get; init; } = "";

    /// <summary>When the session opened, as <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> counts.</summary>
    public long OpenedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Whether the session was counted on <c>switchboard.server.active_connections</c> when it opened.</summary>
    public bool CountedActive { get; set; }

    /// <summary>The endpoint's view of the session; set once, right after the session is made.</summary>
    public MessageContext Context { get; set; } = null!;

    public bool HasEnded => Volatile.Read(ref _ended) != 0;

    public ValueTask SendAsync(EncodedMessage message, CancellationToken cancellationToken)
    {
        var payload = message.Shared; // one copy for every session the message goes to, made by the first
        var cost = payload.Bytes.Length + LongPollingOptions.QueueEntryBytes;
        ServerLimit? hit = null;
        lock (_lock)
        {
            if (_close is not null || _released) return ValueTask.CompletedTask; // as on a WebSocket after its close frame
            if (_queuedBytes + cost > maxQueuedBytes)
            {
                _close = new SessionClose(CloseCode.TryAgainLater, QueueFullReason);
                hit = ServerLimit.SendQueue;
            }
            else if (!budget.TryHold(payload))
            {
                _close = new SessionClose(CloseCode.TryAgainLater, BudgetSpentReason);
                hit = ServerLimit.LongPollingMemory;
            }
            else
            {
                _outbox.Enqueue(payload);
                _queuedBytes += cost;
            }
            WakeLocked();
        }
        if (hit is { } limit)
        {
            if (limit == ServerLimit.SendQueue) metrics.SendQueueOverflow(ServerTransport.LongPolling);
            limits.Hit(limit, RemoteEndPoint, limit == ServerLimit.SendQueue
                ? $"long-polling session {Id} holds {_queuedBytes} bytes its client has not acknowledged"
                : $"long-polling sessions hold {budget.Held} bytes; session {Id} closed");
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask CloseAsync(CloseCode code, string? reason)
    {
        Close(code, reason);
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the session: the client's poll delivers what was sent before, then the close. A second close does nothing.</summary>
    public void Close(CloseCode code, string? reason)
    {
        lock (_lock)
        {
            _close ??= new SessionClose(code, reason);
            WakeLocked();
        }
    }

    /// <summary>
    /// The poll: forgets the messages up to <paramref name="ack"/>, then answers with the rest (and the close, if
    /// any) as soon as there is something, or empty after <paramref name="hold"/> or when a newer poll takes over.
    /// Null when <paramref name="ack"/> is past the last message sent.
    /// </summary>
    public async Task<PollBatch?> PollAsync(long ack, TimeSpan hold, CancellationToken cancellationToken)
    {
        TaskCompletionSource wake;
        lock (_lock)
        {
            if (ack > _firstSeq + _outbox.Count - 1) return null; // refused: the idle clock is not reset
            _lastActivity = Environment.TickCount64;
            while (_firstSeq <= ack)
            {
                var acknowledged = _outbox.Dequeue();
                _queuedBytes -= acknowledged.Bytes.Length + LongPollingOptions.QueueEntryBytes;
                if (!_released) budget.Release(acknowledged);
                _firstSeq++;
            }
            _wake?.TrySetResult(); // one poll at a time: the one waiting sees it is no longer current and answers empty
            _wake = null;
            if (_outbox.Count > 0 || _close is not null) return TakeLocked();
            wake = _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _polls++;
        }

        try
        {
            await wake.Task.WaitAsync(hold, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // Held long enough, or the server stops (its close is delivered by the client's next poll).
        }

        lock (_lock)
        {
            _polls--;
            _lastActivity = Environment.TickCount64;
            if (_wake != wake) return PollBatch.Empty; // a newer poll took over
            _wake = null;
            return TakeLocked();
        }
    }

    /// <summary>
    /// Hands the envelopes of one send, numbered from <paramref name="seq"/>, to <paramref name="deliver"/> in order,
    /// skipping those already taken. <see cref="SendOutcome.Gap"/> when an earlier send is missing.
    /// </summary>
    public async Task<SendOutcome> ReceiveAsync(long seq, int count, Func<int, ValueTask> deliver)
    {
        await _inbound.WaitAsync().ConfigureAwait(false);
        try
        {
            if (seq > _received + 1) return SendOutcome.Gap; // refused: the idle clock is not reset
            Touch();
            for (var i = 0; i < count; i++)
            {
                var number = seq + i;
                if (number <= _received) continue; // a retry of a send whose answer was lost
                if (!IsClosing) await deliver(i).ConfigureAwait(false);
                _received = number;
            }
            return SendOutcome.Taken;
        }
        finally
        {
            _inbound.Release();
        }
    }

    public void Touch()
    {
        lock (_lock) _lastActivity = Environment.TickCount64;
    }

    /// <summary>True when no poll waits and nothing was asked for <paramref name="idleTimeout"/>.</summary>
    public bool IsIdle(long now, TimeSpan idleTimeout)
    {
        lock (_lock) return _polls == 0 && now - _lastActivity >= (long)idleTimeout.TotalMilliseconds;
    }

    /// <summary>Marks the session ended; true only for the first call.</summary>
    public bool TryEnd() => Interlocked.Exchange(ref _ended, 1) == 0;

    /// <summary>
    /// Gives back to the budget what the queue holds, once the session has left the table: nothing is queued after
    /// this, and a poll still in flight answers with what it took before.
    /// </summary>
    public void Release()
    {
        lock (_lock)
        {
            if (_released) return;
            _released = true;
            foreach (var payload in _outbox) budget.Release(payload);
        }
    }

    private bool IsClosing
    {
        get
        {
            lock (_lock) return _close is not null;
        }
    }

    private PollBatch TakeLocked()
    {
        var messages = new ReadOnlyMemory<byte>[_outbox.Count];
        var i = 0;
        foreach (var payload in _outbox) messages[i++] = payload.Bytes;
        return new PollBatch(_firstSeq, messages, _close);
    }

    // The waiting poll stays current (_wake keeps pointing at it), so it answers with what woke it.
    private void WakeLocked() => _wake?.TrySetResult();
}

/// <summary>How a session was closed: the code and reason its client is told.</summary>
internal sealed record SessionClose(CloseCode Code, string? Reason);

/// <summary>What one poll answers: the messages from <paramref name="FirstSeq"/> on, and the close if there is one.</summary>
internal sealed record PollBatch(long FirstSeq, ReadOnlyMemory<byte>[] Messages, SessionClose? Close)
{
    public static PollBatch Empty { get; } = new(0, [], null);

    public bool IsEmpty => Messages.Length == 0 && Close is null;
}
