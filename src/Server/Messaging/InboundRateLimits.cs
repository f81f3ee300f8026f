using System.Globalization;
using Switchboard.Server.Diagnostics;

namespace Switchboard.Server.Messaging;

/// <summary>
/// The rate limits a typed endpoint was mapped with (<see cref="EndpointOptions.MessageRate"/>,
/// <see cref="EndpointOptions.ByteRate"/>), the clock they refill by and where their hits are reported. Immutable;
/// each connection gets its own <see cref="ConnectionRateLimiter"/> from it.
/// </summary>
internal sealed class InboundRateLimits
{
    public InboundRateLimits(EndpointOptions options, LimitReporter reporter)
    {
        Messages = options.MessageRate;
        Bytes = options.ByteRate;
        Time = options.TimeProvider;
        Reporter = reporter;
        if (Messages is { } m)
            MessageReason = string.Create(CultureInfo.InvariantCulture, $"message rate limit: {m.Burst} messages at once, {m.PerSecond} a second");
        if (Bytes is { } b)
            ByteReason = string.Create(CultureInfo.InvariantCulture, $"byte rate limit: {b.Burst} bytes at once, {b.PerSecond} a second");
    }

    public RateLimit? Messages { get; }

    public RateLimit? Bytes { get; }

    public TimeProvider Time { get; }

    public LimitReporter Reporter { get; }

    /// <summary>The close reason of a connection over <see cref="Messages"/>.</summary>
    public string MessageReason { get; } = "";

    /// <summary>The close reason of a connection over <see cref="Bytes"/>.</summary>
    public string ByteReason { get; } = "";

    /// <summary>Whether <paramref name="options"/> sets the same limits and clock as these.</summary>
    public bool SameAs(EndpointOptions options)
        => Equals(Messages, options.MessageRate) && Equals(Bytes, options.ByteRate) && ReferenceEquals(Time, options.TimeProvider);

    /// <summary>Full buckets for a connection that has just opened.</summary>
    public ConnectionRateLimiter NewConnection() => new(this);
}

/// <summary>What a <see cref="ConnectionRateLimiter"/> says of one incoming message.</summary>
internal enum RateVerdict : byte
{
    /// <summary>Within the limits: handle it.</summary>
    Allowed,

    /// <summary>Over <see cref="EndpointOptions.MessageRate"/>: the connection is to be closed.</summary>
    OverMessageRate,

    /// <summary>Over <see cref="EndpointOptions.ByteRate"/>: the connection is to be closed.</summary>
    OverByteRate,

    /// <summary>The connection went over a limit before and is closing: drop it unread.</summary>
    Dropped,
}

/// <summary>
/// The token buckets of one connection: they start full and refill with the time that passed since the last message.
/// Not thread-safe: a connection's messages arrive one at a time (the WebSocket receive loop, the long-polling send
/// that holds the session's inbound lock).
/// </summary>
internal sealed class ConnectionRateLimiter
{
    private readonly InboundRateLimits _limits;
    private double _messages;
    private double _bytes;
    private long _last;
    private bool _over;

    public ConnectionRateLimiter(InboundRateLimits limits)
    {
        _limits = limits;
        _messages = limits.Messages?.Burst ?? 0;
        _bytes = limits.Bytes?.Burst ?? 0;
        _last = limits.Time.GetTimestamp();
    }

    /// <summary>Takes one message of <paramref name="length"/> bytes from the buckets, if they hold enough.</summary>
    public RateVerdict Take(long length)
    {
        if (_over) return RateVerdict.Dropped;
        var now = _limits.Time.GetTimestamp();
        var elapsed = Math.Max(0, _limits.Time.GetElapsedTime(_last, now).TotalSeconds);
        _last = now;

        if (_limits.Messages is { } messages)
        {
            _messages = Math.Min(messages.Burst, _messages + (elapsed * messages.PerSecond));
            if (_messages < 1) return Over(RateVerdict.OverMessageRate);
        }
        if (_limits.Bytes is { } bytes)
        {
            _bytes = Math.Min(bytes.Burst, _bytes + (elapsed * bytes.PerSecond));
            if (_bytes < length) return Over(RateVerdict.OverByteRate);
        }
        _messages -= 1;
        _bytes -= length;
        return RateVerdict.Allowed;
    }

    private RateVerdict Over(RateVerdict verdict)
    {
        _over = true;
        return verdict;
    }
}
