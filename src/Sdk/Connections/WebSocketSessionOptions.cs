using Switchboard.Protocol;
using Switchboard.Protocol.Framing;

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
}
