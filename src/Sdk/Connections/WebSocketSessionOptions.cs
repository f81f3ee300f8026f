using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Switchboard.Protocol.Connection;

namespace Switchboard.Connections;

/// <summary>Limits and timers of an open WebSocket session. Defaults are safe for servers and clients alike.</summary>
public sealed class WebSocketSessionOptions
{
    /// <summary>The defaults.</summary>
    public static WebSocketSessionOptions Default { get; } = new();

    /// <summary>Caps on frames and messages read; a peer over them is closed with 1009 before its payload is buffered.</summary>
    public FrameReaderOptions Frames { get; init; } = FrameReaderOptions.Default;

    /// <summary>
    /// Time the peer has to answer our close frame (and to finish its side of the TCP close) before the
    /// socket is dropped. Default 5 seconds.
    /// </summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A session that has received nothing this long sends a ping. Default 30 seconds;
    /// <see cref="TimeSpan.Zero"/> turns keepalive pings off.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A peer that sends nothing at all (not even the pong) this long after our ping is considered dead and
    /// the socket is dropped. Default 30 seconds.
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock the keepalive and the close timeout run by, and their timers. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The timer of every session that runs with these options.</summary>
    internal SessionClock Clock
    {
        get
        {
            if (Volatile.Read(ref field) is { } clock) return clock;
            var made = new SessionClock(this);
            return Interlocked.CompareExchange(ref field, made, null) ?? made;
        }
    }

    /// <summary>
    /// The receive-loop callbacks of the last session started with these options through <see cref="WebSocketSession.Start"/>:
    /// a host starts each of its sessions with the same hooks, so they share one object, which lives as long as the
    /// options do and no longer.
    /// </summary>
    internal object? SharedLoopCallbacks
    {
        get => Volatile.Read(ref field);
        set => Volatile.Write(ref field, value);
    }

    /// <summary>The same settings as the protocol's options, made once for every session that uses these.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A timeout is zero or negative.</exception>
    internal ProtocolConnectionOptions ProtocolOptions => field ??= new ProtocolConnectionOptions
    {
        Frames = Frames,
        CloseTimeout = CloseTimeout,
        KeepAliveInterval = KeepAliveInterval > TimeSpan.Zero ? KeepAliveInterval : TimeSpan.Zero,
        KeepAliveTimeout = KeepAliveTimeout,
        TimeProvider = TimeProvider,
    };
}
