using System.Buffers;

namespace Switchboard.Protocol.Framing;

/// <summary>
/// One frame as the reader took it: its header, field by field, and the start of its payload as it came off the wire.
/// Passed to an <see cref="IFrameTraceObserver"/> once per frame, data and control alike, before the payload is
/// unmasked; valid only during that call.
/// </summary>
public readonly ref struct FrameTrace
{
    private readonly ReadOnlySequence<byte> _wirePayload;

    internal FrameTrace(in FrameHeader header, in ReadOnlySequence<byte> wirePayload)
    {
        Header = header;
        // The reader's input may run on into the next frames.
        _wirePayload = wirePayload.Length > header.PayloadLength ? wirePayload.Slice(0, header.PayloadLength) : wirePayload;
    }

    /// <summary>The header as read: FIN, RSV1-3, opcode, MASK, payload length and masking key.</summary>
    public FrameHeader Header { get; }

    /// <summary>
    /// Which payload length form the header used (RFC 6455 section 5.2): 7 for a length up to 125 in the second byte,
    /// 16 for 126 followed by a 16-bit length, 64 for 127 followed by a 64-bit length.
    /// </summary>
    public int LengthForm => Header.PayloadLength switch
    {
        <= 125 => 7,
        <= ushort.MaxValue => 16,
        _ => 64,
    };

    /// <summary>How many payload bytes were available when the frame was read (at most the payload length).</summary>
    public long AvailablePayloadLength => _wirePayload.Length;

    /// <summary>
    /// Copies the first payload bytes as they were sent (masked, for a client's frame) to <paramref name="masked"/> and
    /// the same bytes unmasked to <paramref name="unmasked"/>.
    /// </summary>
    /// <param name="masked">Receives the bytes as sent; its length is how many bytes are wanted.</param>
    /// <param name="unmasked">Receives the bytes unmasked; at least as long as <paramref name="masked"/>.</param>
    /// <returns>How many bytes were copied: the smaller of the span's length and the available payload.</returns>
    /// <exception cref="ArgumentException"><paramref name="unmasked"/> is shorter than <paramref name="masked"/>.</exception>
    public int CopyFirstBytes(Span<byte> masked, Span<byte> unmasked)
    {
        if (unmasked.Length < masked.Length)
        {
            throw new ArgumentException("unmasked must be at least as long as masked", nameof(unmasked));
        }

        int count = (int)Math.Min(masked.Length, _wirePayload.Length);
        _wirePayload.Slice(0, count).CopyTo(masked);
        masked[..count].CopyTo(unmasked);
        if (Header.Masked)
        {
            Mask.Apply(unmasked[..count], Header.MaskKey, 0);
        }

        return count;
    }
}
