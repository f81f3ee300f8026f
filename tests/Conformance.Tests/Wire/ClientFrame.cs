using System.Buffers.Binary;

namespace Switchboard.Conformance.Tests.Wire;

/// <summary>How the payload length is written into a frame header (RFC 6455 section 5.2).</summary>
public enum LengthEncoding
{
    /// <summary>The shortest form, as the RFC requires: 7 bits, then 16, then 64.</summary>
    Minimal,

    /// <summary>Always the 16-bit extended form (126), even for lengths under 126: illegal when not minimal.</summary>
    Extended16,

    /// <summary>Always the 64-bit extended form (127), even for lengths under 65536: illegal when not minimal.</summary>
    Extended64,
}

/// <summary>
/// One client-to-server frame described field by field. Everything the RFC forbids can be expressed (reserved
/// bits and opcodes, an unmasked frame, non-minimal or oversized lengths, a declared length that differs from
/// the payload actually carried), because the suite must not depend on the codec it checks.
/// </summary>
public sealed record ClientFrame
{
    /// <summary>The RFC 6455 section 5.7 example key, so frames on the wire are predictable and easy to read.</summary>
    public static readonly byte[] DefaultMaskKey = [0x37, 0xfa, 0x21, 0x3d];

    public bool Fin { get; init; } = true;

    /// <summary>The three reserved bits as one number, RSV1 being 4 and RSV3 being 1 (Autobahn's convention).</summary>
    public int Rsv { get; init; }

    public int Opcode { get; init; }

    public ReadOnlyMemory<byte> Payload { get; init; }

    public bool Masked { get; init; } = true;

    public byte[] MaskKey { get; init; } = DefaultMaskKey;

    public LengthEncoding Encoding { get; init; } = LengthEncoding.Minimal;

    /// <summary>The length written in the header when it should differ from <see cref="Payload"/>'s.</summary>
    public ulong? DeclaredLength { get; init; }

    public ulong HeaderLength => DeclaredLength ?? (ulong)Payload.Length;

    /// <summary>A frame a correct client could send as its closing frame.</summary>
    public bool IsLegalClose => Opcode == 8 && Fin && Rsv == 0 && Masked && Payload.Length is 0 or (>= 2 and <= 125) && DeclaredLength is null;

    public int HeaderSize
    {
        get
        {
            var lengthBytes = Encoding switch
            {
                LengthEncoding.Extended16 => 2,
                LengthEncoding.Extended64 => 8,
                _ => HeaderLength switch { < 126 => 0, <= ushort.MaxValue => 2, _ => 8 },
            };
            return 2 + lengthBytes + (Masked ? 4 : 0);
        }
    }

    /// <summary>The frame exactly as it goes on the wire: header, then the payload masked with <see cref="MaskKey"/>.</summary>
    public byte[] ToBytes()
    {
        var header = HeaderSize;
        var bytes = new byte[header + Payload.Length];
        bytes[0] = (byte)((Fin ? 0x80 : 0) | ((Rsv & 7) << 4) | (Opcode & 0x0f));
        var maskBit = Masked ? 0x80 : 0;
        var length = HeaderLength;
        var offset = 2;
        switch (header - 2 - (Masked ? 4 : 0))
        {
            case 0:
                bytes[1] = (byte)(maskBit | (int)length);
                break;
            case 2:
                bytes[1] = (byte)(maskBit | 126);
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), checked((ushort)length));
                offset += 2;
                break;
            default:
                bytes[1] = (byte)(maskBit | 127);
                BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(2), length);
                offset += 8;
                break;
        }

        var payload = bytes.AsSpan(header);
        Payload.Span.CopyTo(payload);
        if (Masked)
        {
            MaskKey.CopyTo(bytes, offset);
            ApplyMask(payload, MaskKey);
        }
        return bytes;
    }

    /// <summary>XORs <paramref name="data"/> with the key, the key's first byte on the data's first byte (section 5.3).</summary>
    public static void ApplyMask(Span<byte> data, ReadOnlySpan<byte> key)
    {
        // Eight bytes at a time: the 16 MiB cases would otherwise spend most of their time here.
        var key64 = BinaryPrimitives.ReadUInt32LittleEndian(key) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(key) << 32);
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            var slot = data.Slice(i, 8);
            BinaryPrimitives.WriteUInt64LittleEndian(slot, BinaryPrimitives.ReadUInt64LittleEndian(slot) ^ key64);
        }
        for (; i < data.Length; i++) data[i] ^= key[i & 3];
    }
}
