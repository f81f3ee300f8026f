using System.Buffers;
using System.Buffers.Binary;

namespace Switchboard.Protocol.Framing;

/// <summary>A decoded frame header (RFC 6455 section 5.2).</summary>
/// <param name="Fin">FIN: this frame is the last of its message.</param>
/// <param name="Rsv">The three RSV bits as a number 0-7; RSV1 is 4, RSV2 is 2, RSV3 is 1.</param>
/// <param name="Opcode">The frame opcode; may be a reserved value when written by hand.</param>
/// <param name="Masked">MASK: the payload is masked with <paramref name="MaskKey"/>.</param>
/// <param name="PayloadLength">The payload length in bytes, 0 to 2^63-1.</param>
/// <param name="MaskKey">
/// The masking key as the four wire bytes read little-endian, so key byte <c>i</c> is
/// <c>(byte)(MaskKey &gt;&gt; (8 * i))</c>. Ignored when <paramref name="Masked"/> is false.
/// </param>
/// <remarks>An immutable value; safe to share between threads.</remarks>
public readonly record struct FrameHeader(bool Fin, byte Rsv, Opcode Opcode, bool Masked, long PayloadLength, uint MaskKey)
{
    /// <summary>The longest header: 2 fixed bytes, an 8-byte length and a 4-byte mask key.</summary>
    internal const int MaxLength = 14;

    private const byte FinBit = 0x80;
    private const byte MaskBit = 0x80;
    private const int ShortLengthMarker = 126;
    private const int LongLengthMarker = 127;
    private const int MaxControlPayload = 125;

    /// <summary>The number of bytes this header occupies on the wire, mask key included.</summary>
    public int Length => GetLength(PayloadLength, Masked);

    /// <summary>
    /// The size of a minimally encoded header: 2, 4 or 10 bytes for payloads up to 125, 65535 or
    /// more bytes, plus 4 when masked.
    /// </summary>
    /// <param name="payloadLength">The payload length; must not be negative.</param>
    /// <param name="masked">Whether the header carries a mask key.</param>
    /// <returns>The header length in bytes.</returns>
    public static int GetLength(long payloadLength, bool masked)
    {
        int length = payloadLength <= MaxControlPayload ? 2 : payloadLength <= ushort.MaxValue ? 4 : 10;
        return masked ? length + 4 : length;
    }

    /// <summary>Writes the header with the minimal length encoding.</summary>
    /// <param name="destination">Where to write; needs at least <see cref="Length"/> bytes.</param>
    /// <returns>The number of bytes written, equal to <see cref="Length"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <see cref="Rsv"/> is above 7, <see cref="Opcode"/> above 15 or <see cref="PayloadLength"/> negative.
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    /// <remarks>
    /// Writes any opcode and RSV bits as given, reserved ones included: validity is the caller's
    /// concern, which lets tests produce invalid frames.
    /// </remarks>
    public int Write(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Rsv, (byte)7, nameof(Rsv));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((byte)Opcode, (byte)15, nameof(Opcode));
        ArgumentOutOfRangeException.ThrowIfNegative(PayloadLength, nameof(PayloadLength));
        int length = Length;
        if (destination.Length < length)
        {
            throw new ArgumentException("The destination is shorter than the header.", nameof(destination));
        }

        destination[0] = (byte)((Fin ? FinBit : 0) | (Rsv << 4) | (byte)Opcode);
        byte mask = Masked ? MaskBit : (byte)0;
        int position;
        if (PayloadLength <= MaxControlPayload)
        {
            destination[1] = (byte)(mask | (byte)PayloadLength);
            position = 2;
        }
        else if (PayloadLength <= ushort.MaxValue)
        {
            destination[1] = (byte)(mask | ShortLengthMarker);
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)PayloadLength);
            position = 4;
        }
        else
        {
            destination[1] = (byte)(mask | LongLengthMarker);
            BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)PayloadLength);
            position = 10;
        }

        if (Masked)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[position..], MaskKey);
        }

        return length;
    }

    /// <summary>Parses a header from the start of <paramref name="input"/>, which may span segments.</summary>
    /// <inheritdoc cref="TryRead(ReadOnlySpan{byte}, out FrameHeader, out FrameError)"/>
    public static bool TryRead(in ReadOnlySequence<byte> input, out FrameHeader header, out FrameError error) =>
        TryRead(input, allowedRsv: 0, out header, out error);

    /// <summary>
    /// As <see cref="TryRead(in ReadOnlySequence{byte}, out FrameHeader, out FrameError)"/>, with the RSV bits a
    /// negotiated extension defines allowed on the first frame of a data message (RSV1 for permessage-deflate, RFC
    /// 7692 section 6); set on a control frame or a continuation they are still <see cref="FrameError.ReservedBitsSet"/>.
    /// </summary>
    internal static bool TryRead(in ReadOnlySequence<byte> input, byte allowedRsv, out FrameHeader header, out FrameError error)
    {
        ReadOnlySpan<byte> first = input.FirstSpan;
        if (first.Length >= MaxLength || input.IsSingleSegment)
        {
            return TryRead(first, allowedRsv, out header, out error);
        }

        // The header straddles segments: it is at most 14 bytes, so gather them.
        Span<byte> buffer = stackalloc byte[MaxLength];
        int count = (int)Math.Min(input.Length, MaxLength);
        input.Slice(0, count).CopyTo(buffer);
        return TryRead(buffer[..count], allowedRsv, out header, out error);
    }

    /// <summary>
    /// Parses the header at the start of <paramref name="input"/> and validates what the header
    /// alone tells: reserved opcodes and RSV bits, control frame rules (section 5.5), and the
    /// 64-bit length's top bit and minimal encoding (section 5.2). Role rules on masking are left
    /// to <see cref="FrameReader"/>. Never throws.
    /// </summary>
    /// <param name="input">Bytes starting at a frame boundary; the payload need not be present.</param>
    /// <param name="header">The decoded header when the result is true and <paramref name="error"/> is <see cref="FrameError.None"/>; otherwise default.</param>
    /// <param name="error">Why the header is invalid, or <see cref="FrameError.None"/>.</param>
    /// <returns>
    /// False when more bytes are needed. True when a verdict is reached: a valid header, or an
    /// error, which is reported as soon as the bytes that prove it are present.
    /// </returns>
    public static bool TryRead(ReadOnlySpan<byte> input, out FrameHeader header, out FrameError error) =>
        TryRead(input, allowedRsv: 0, out header, out error);

    private static bool TryRead(ReadOnlySpan<byte> input, byte allowedRsv, out FrameHeader header, out FrameError error)
    {
        header = default;
        error = FrameError.None;
        if (input.IsEmpty)
        {
            return false;
        }

        // Fail as early as the bytes allow: the first byte alone can prove a violation.
        byte first = input[0];
        bool fin = (first & FinBit) != 0;
        byte rsv = (byte)((first >> 4) & 0x7);
        var opcode = (Opcode)(first & 0xF);
        error = ValidateFirstByte(fin, rsv, opcode, allowedRsv);
        if (error != FrameError.None)
        {
            return true;
        }

        if (input.Length < 2)
        {
            return false;
        }

        byte second = input[1];
        bool masked = (second & MaskBit) != 0;
        int length7 = second & 0x7F;

        // Section 5.5: control payloads are at most 125 bytes, so an extended length marker
        // (126 or 127) already proves the frame too long.
        if (IsControl(opcode) && length7 > MaxControlPayload)
        {
            error = FrameError.ControlFrameTooLong;
            return true;
        }

        long payloadLength;
        int position;
        if (length7 < ShortLengthMarker)
        {
            payloadLength = length7;
            position = 2;
        }
        else if (length7 == ShortLengthMarker)
        {
            if (input.Length < 4)
            {
                return false;
            }

            payloadLength = BinaryPrimitives.ReadUInt16BigEndian(input[2..]);
            if (payloadLength <= MaxControlPayload)
            {
                error = FrameError.NonMinimalLength;
                return true;
            }

            position = 4;
        }
        else
        {
            if (input.Length < 10)
            {
                return false;
            }

            ulong length64 = BinaryPrimitives.ReadUInt64BigEndian(input[2..]);
            if (length64 > long.MaxValue)
            {
                error = FrameError.PayloadLengthTopBitSet;
                return true;
            }

            if (length64 <= ushort.MaxValue)
            {
                error = FrameError.NonMinimalLength;
                return true;
            }

            payloadLength = (long)length64;
            position = 10;
        }

        uint maskKey = 0;
        if (masked)
        {
            if (input.Length < position + 4)
            {
                return false;
            }

            maskKey = BinaryPrimitives.ReadUInt32LittleEndian(input[position..]);
        }

        header = new FrameHeader(fin, rsv, opcode, masked, payloadLength, maskKey);
        return true;
    }

    /// <summary>True for Close, Ping and Pong, and the reserved control opcodes 0xB-0xF.</summary>
    internal static bool IsControl(Opcode opcode) => ((byte)opcode & 0x8) != 0;

    private static FrameError ValidateFirstByte(bool fin, byte rsv, Opcode opcode, byte allowedRsv)
    {
        if ((rsv & ~allowedRsv) != 0 || (rsv != 0 && opcode is not (Opcode.Text or Opcode.Binary)))
        {
            return FrameError.ReservedBitsSet;
        }

        return opcode switch
        {
            Opcode.Continuation or Opcode.Text or Opcode.Binary => FrameError.None,
            Opcode.Close or Opcode.Ping or Opcode.Pong => fin ? FrameError.None : FrameError.ControlFrameFragmented,
            _ => FrameError.ReservedOpcode,
        };
    }
}
