namespace Switchboard.Benchmarks.Load.Wire;

/// <summary>What <see cref="ServerFrame.TryRead"/> found at the start of a buffer.</summary>
internal enum FrameStatus
{
    /// <summary>Not a whole frame yet; <c>required</c> says how many bytes are needed when the header is complete.</summary>
    NeedMore,

    /// <summary>A whole frame.</summary>
    Complete,

    /// <summary>Reserved bits, a masked server frame, a bad control frame or an absurd length (RFC 6455 section 5.2).</summary>
    Invalid,
}

/// <summary>
/// One frame a server sent (RFC 6455 section 5.2), located in a receive buffer: no copy, no unmasking (a server never
/// masks, section 5.1). The load side's whole receive parser.
/// </summary>
internal readonly record struct ServerFrame(byte Opcode, bool Fin, int HeaderLength, int PayloadLength)
{
    /// <summary>RSV1: the first frame of a message compressed with permessage-deflate (RFC 7692 section 6).</summary>
    public bool Compressed { get; init; }

    public const byte Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA;

    /// <summary>The frames this tool accepts: 64 MiB, far above any payload it sends.</summary>
    private const long MaxPayload = 64L * 1024 * 1024;

    public int Length => HeaderLength + PayloadLength;

    public bool IsControl => Opcode >= Close;

    /// <summary>
    /// Reads the frame at the start of <paramref name="buffer"/>. With <see cref="FrameStatus.NeedMore"/>,
    /// <paramref name="required"/> is the whole frame's length once the header is in (so the caller can grow its
    /// buffer), else 0. RSV1 is accepted on a data frame only with <paramref name="deflate"/> (permessage-deflate was
    /// negotiated). Never throws.
    /// </summary>
    public static FrameStatus TryRead(ReadOnlySpan<byte> buffer, out ServerFrame frame, out int required, bool deflate = false)
    {
        frame = default;
        required = 0;
        if (buffer.Length < 2) return FrameStatus.NeedMore;

        var b0 = buffer[0];
        var b1 = buffer[1];
        var opcode = (byte)(b0 & 0x0F);
        var compressed = (b0 & 0x40) != 0;
        if ((b0 & 0x30) != 0 || (b1 & 0x80) != 0 || (compressed && (!deflate || opcode is not (Text or Binary)))) return FrameStatus.Invalid;
        var fin = (b0 & 0x80) != 0;

        long length = b1 & 0x7F;
        var header = 2;
        if (length == 126)
        {
            if (buffer.Length < 4) return FrameStatus.NeedMore;
            length = (buffer[2] << 8) | buffer[3];
            header = 4;
        }
        else if (length == 127)
        {
            if (buffer.Length < 10) return FrameStatus.NeedMore;
            length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(buffer[2..]);
            header = 10;
        }

        if (length is < 0 or > MaxPayload) return FrameStatus.Invalid;
        if (opcode >= Close && (!fin || length > 125)) return FrameStatus.Invalid; // section 5.5
        if (opcode is > Binary and < Close or > Pong) return FrameStatus.Invalid;

        frame = new ServerFrame(opcode, fin, header, (int)length) { Compressed = compressed };
        if (buffer.Length < frame.Length)
        {
            required = frame.Length;
            return FrameStatus.NeedMore;
        }
        return FrameStatus.Complete;
    }
}
