namespace Switchboard.Connections;

/// <summary>
/// The one timer of the sessions that share a <see cref="WebSocketSessionOptions"/>: it ticks at a quarter of the
/// shortest of their timeouts (10 ms to 1 s) on the options' <see cref="WebSocketSessionOptions.TimeProvider"/> while any
/// of them runs, and each tick lets every session ask its protocol whether a deadline has passed. A server's idle
/// sessions so share one timer instead of holding one each.
/// </summary>
/// <remarks>Thread-safe. A tick reads the list without the lock: a session added or removed meanwhile is seen by the next one.</remarks>
internal sealed class SessionClock
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _period;
    private readonly Stack<int> _free = new();
    private WebSocketSession?[] _sessions = new WebSocketSession?[16];
    private int _used;
    private int _count;
    private ITimer? _timer;

    public SessionClock(WebSocketSessionOptions options)
    {
        _time = options.TimeProvider;
        var shortest = options.CloseTimeout;
        if (options.KeepAliveInterval > TimeSpan.Zero)
        {
            shortest = TimeSpan.FromTicks(Math.Min(shortest.Ticks, Math.Min(options.KeepAliveInterval.Ticks, options.KeepAliveTimeout.Ticks)));
        }
        _period = TimeSpan.FromTicks(Math.Clamp(shortest.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
    }

    /// <summary>Ticks for <paramref name="session"/> from now on, starting the timer for the first session.</summary>
    /// <returns>The session's slot, for <see cref="Remove"/>.</returns>
    public int Add(WebSocketSession session)
    {
        lock (_lock)
        {
            if (!_free.TryPop(out var slot))
            {
                slot = _used++;
                if (slot == _sessions.Length)
                {
                    var larger = new WebSocketSession?[_sessions.Length * 2];
                    _sessions.CopyTo(larger, 0);
                    Volatile.Write(ref _sessions, larger);
                }
            }
            _sessions[slot] = session;
            if (_count++ == 0)
            {
                if (_timer is null) _timer = _time.CreateTimer(static clock => ((SessionClock)clock!).Tick(), this, _period, _period);
                else _timer.Change(_period, _period);
            }
            return slot;
        }
    }

    /// <summary>Stops ticking for the session in <paramref name="slot"/>; the timer stops with the last one.</summary>
    public void Remove(int slot)
    {
        lock (_lock)
        {
            _sessions[slot] = null;
            _free.Push(slot);
            if (--_count == 0) _timer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private void Tick()
    {
        foreach (var session in Volatile.Read(ref _sessions)) session?.OnClockTick();
    }
}
