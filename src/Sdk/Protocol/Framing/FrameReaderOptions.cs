namespace Switchboard.Protocol.Framing;

/// <summary>Limits a <see cref="FrameReader"/> enforces on what its peer sends.</summary>
/// <remarks>
/// Limits are checked against the lengths declared in frame headers, before any payload byte is
/// buffered, so a peer cannot make the endpoint allocate memory it then refuses. A violation is a
/// <see cref="FrameError.FrameTooBig"/> or <see cref="FrameError.MessageTooBig"/> error, which
/// closes the connection with status 1009 (<see cref="CloseCode.MessageTooBig"/>), or a
/// <see cref="FrameError.TooManyFragments"/> error (1008).
/// Instances are immutable once built and may be shared between readers and threads.
/// </remarks>
public sealed class FrameReaderOptions
{
    /// <summary>The default for both limits: 1 MiB.</summary>
    public const long DefaultMaxSize = 1024 * 1024;

    /// <summary>Options with the default limits.</summary>
    public static FrameReaderOptions Default { get; } = new();

    /// <summary>
    /// The largest payload length one frame may declare, control frames included. Default 1 MiB.
    /// A frame declaring more fails the connection with <see cref="FrameError.FrameTooBig"/> (close 1009).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public long MaxFrameSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = DefaultMaxSize;

    /// <summary>
    /// The largest total payload of one data message, all its fragments together. Default 1 MiB.
    /// The frame whose declared length would push the total past the limit fails the connection
    /// with <see cref="FrameError.MessageTooBig"/> (close 1009).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public long MaxMessageSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = DefaultMaxSize;

    /// <summary>The default <see cref="MaxFragments"/>: 1024 frames per message.</summary>
    public const int DefaultMaxFragments = 1024;

    /// <summary>
    /// The most frames one data message may come in, the first included. Default 1024 (browsers send every message as
    /// one frame). The frame past it fails the connection with <see cref="FrameError.TooManyFragments"/> (close 1008),
    /// from its header: a peer cannot make the reader parse a message of a million one-byte fragments.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxFragments
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = DefaultMaxFragments;
}
