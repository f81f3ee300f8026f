using Switchboard.Protocol.Framing;

namespace Switchboard.Protocol.Connection;

/// <summary>Limits, timers and sources of a <see cref="ProtocolConnection"/>. Defaults are safe for servers and clients alike.</summary>
/// <remarks>Immutable once built; one instance may be shared by any number of connections and threads.</remarks>
public sealed class ProtocolConnectionOptions
{
    /// <summary>The defaults.</summary>
    public static ProtocolConnectionOptions Default { get; } = new();

    /// <summary>
    /// Caps on the frames and messages the peer sends, checked from frame headers before payload arrives: a frame or
    /// message over them fails the connection with 1009, a message in too many frames with 1008.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public FrameReaderOptions Frames
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    } = FrameReaderOptions.Default;

    /// <summary>
    /// How long the peer has to answer our close frame before <see cref="ProtocolConnection.OnTimer"/> reports
    /// <see cref="TimerOutcome.CloseTimedOut"/>. Default 5 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan CloseTimeout
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// An open connection that has received nothing this long writes a ping. Default 30 seconds;
    /// <see cref="TimeSpan.Zero"/> turns keepalive off.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan KeepAliveInterval
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A peer that sends nothing at all (not even the pong) this long after our keepalive ping is dead:
    /// <see cref="ProtocolConnection.OnTimer"/> reports <see cref="TimerOutcome.KeepAliveTimedOut"/>. Default 30 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan KeepAliveTimeout
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromSeconds(30);

    /// <summary>The clock the keepalive and the close timeout run by. Default <see cref="TimeProvider.System"/>.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public TimeProvider TimeProvider
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    } = TimeProvider.System;

    /// <summary>Where a client's mask keys come from. Default <see cref="MaskKeySource.Random"/>; a server masks nothing.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public MaskKeySource MaskKeys
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    } = MaskKeySource.Random;
}
