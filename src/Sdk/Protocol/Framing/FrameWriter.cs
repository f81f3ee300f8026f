using System.Buffers;
using System.Buffers.Binary;
using System.Text.Unicode;

namespace Switchboard.Protocol.Framing;

/// <summary>Writes frames (RFC 6455 section 5.2) with minimally encoded lengths.</summary>
/// <remarks>Stateless and thread-safe; the buffer writers passed in are not.</remarks>
public static class FrameWriter
{
    /// <summary>The longest frame header: 2 fixed bytes, an 8-byte length and a 4-byte mask key.</summary>
    public const int MaxHeaderLength = FrameHeader.MaxLength;

    private const int MaxControlPayload = 125;

    /// <summary>
    /// Writes a frame header with RSV bits clear, for a payload the caller writes (and masks) itself.
    /// Reserve <see cref="MaxHeaderLength"/> bytes, or <see cref="FrameHeader.GetLength"/> when the
    /// length is known in advance.
    /// </summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="fin">Whether this frame ends its message.</param>
    /// <param name="opcode">The frame opcode.</param>
    /// <param name="payloadLength">The payload length; not negative.</param>
    /// <param name="maskKey">The mask key for a client frame, or null for a server frame.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentException">The destination is too short or the opcode is not valid.</exception>
    public static int WriteHeader(Span<byte> destination, bool fin, Opcode opcode, long payloadLength, uint? maskKey = null)
    {
        ValidateFrame(fin, opcode, payloadLength);
        var header = new FrameHeader(fin, 0, opcode, maskKey.HasValue, payloadLength, maskKey.GetValueOrDefault());
        return header.Write(destination);
    }

    /// <summary>
    /// Writes a whole frame with one <see cref="IBufferWriter{T}.GetSpan"/>: header then payload,
    /// the copied payload masked when <paramref name="maskKey"/> is given (the source is not modified).
    /// </summary>
    /// <param name="output">The destination.</param>
    /// <param name="opcode">The frame opcode.</param>
    /// <param name="payload">The unmasked payload.</param>
    /// <param name="fin">Whether this frame ends its message.</param>
    /// <param name="maskKey">The mask key for a client frame, or null for a server frame.</param>
    /// <exception cref="ArgumentException">The opcode is reserved, or a control frame is fragmented or longer than 125 bytes.</exception>
    public static void WriteFrame(IBufferWriter<byte> output, Opcode opcode, ReadOnlySpan<byte> payload, bool fin = true, uint? maskKey = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ValidateFrame(fin, opcode, payload.Length);
        var header = new FrameHeader(fin, 0, opcode, maskKey.HasValue, payload.Length, maskKey.GetValueOrDefault());
        int headerLength = header.Length;
        Span<byte> span = output.GetSpan(headerLength + payload.Length);
        header.Write(span);
        Span<byte> body = span.Slice(headerLength, payload.Length);
        payload.CopyTo(body);
        if (maskKey is uint key)
        {
            Mask.Apply(body, key, 0);
        }

        output.Advance(headerLength + payload.Length);
    }

    /// <summary>
    /// Writes a close frame (section 5.5.1): the status code, then the reason in UTF-8, cut on a
    /// character boundary so the payload stays within 125 bytes.
    /// </summary>
    /// <param name="output">The destination.</param>
    /// <param name="code">The status code; must be allowed on the wire (not 1005, 1006, 1015, ...).</param>
    /// <param name="reason">An optional reason; lone surrogates become U+FFFD.</param>
    /// <param name="maskKey">The mask key for a client frame, or null for a server frame.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> must not be sent (RFC 6455 section 7.4).</exception>
    public static void WriteClose(IBufferWriter<byte> output, CloseCode code, string? reason = null, uint? maskKey = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!FrameParser.IsValidOnWire((ushort)code))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "The status code must not be sent in a close frame.");
        }

        Span<byte> payload = stackalloc byte[MaxControlPayload];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        int reasonLength = 0;
        if (!string.IsNullOrEmpty(reason))
        {
            // Stops before the first character that does not fit whole, so the cut is on a boundary.
            Utf8.FromUtf16(reason, payload[2..], out _, out reasonLength);
        }

        WriteFrame(output, Opcode.Close, payload[..(2 + reasonLength)], fin: true, maskKey);
    }

    private static void ValidateFrame(bool fin, Opcode opcode, long payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        switch (opcode)
        {
            case Opcode.Continuation or Opcode.Text or Opcode.Binary:
                return;
            case Opcode.Close or Opcode.Ping or Opcode.Pong:
                if (!fin || payloadLength > MaxControlPayload)
                {
                    throw new ArgumentException("A control frame must have FIN set and at most 125 payload bytes.", nameof(opcode));
                }

                return;
            default:
                throw new ArgumentException("The opcode is reserved.", nameof(opcode));
        }
    }
}
