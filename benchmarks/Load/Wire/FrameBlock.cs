using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Switchboard.Benchmarks.Load.Wire;

/// <summary>
/// <see cref="Count"/> identical client frames (masked, RFC 6455 section 5.3) laid end to end in one array, built once
/// per connection: sending k messages is one write of the first k frames, with no copy and no allocation. Each frame
/// has its own random mask key. <see cref="Patch"/> rewrites a few payload bytes (a timestamp) in place, masked.
/// </summary>
internal sealed class FrameBlock
{
    private readonly byte[] _bytes;
    private readonly uint[] _keys;

    public FrameBlock(byte opcode, ReadOnlySpan<byte> payload, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        HeaderLength = payload.Length switch { < 126 => 2, <= ushort.MaxValue => 4, _ => 10 } + 4;
        FrameLength = HeaderLength + payload.Length;
        Count = count;
        _bytes = new byte[FrameLength * count];
        _keys = new uint[count];
        for (var i = 0; i < count; i++)
        {
            _keys[i] = BinaryPrimitives.ReadUInt32LittleEndian(RandomNumberGenerator.GetBytes(4));
            Write(_bytes.AsSpan(i * FrameLength, FrameLength), opcode, payload, _keys[i]);
        }
    }

    public int Count { get; }

    public int FrameLength { get; }

    public int HeaderLength { get; }

    /// <summary>The first <paramref name="frames"/> frames, ready to send.</summary>
    public ReadOnlyMemory<byte> Take(int frames) => _bytes.AsMemory(0, frames * FrameLength);

    /// <summary>Overwrites payload bytes at <paramref name="payloadOffset"/> of frame <paramref name="index"/> with <paramref name="plain"/>, masked.</summary>
    public void Patch(int index, int payloadOffset, ReadOnlySpan<byte> plain)
    {
        var start = index * FrameLength + HeaderLength;
        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(key, _keys[index]);
        var destination = _bytes.AsSpan(start + payloadOffset, plain.Length);
        for (var i = 0; i < plain.Length; i++) destination[i] = (byte)(plain[i] ^ key[(payloadOffset + i) & 3]);
    }

    /// <summary>Writes one masked frame with FIN set; <paramref name="destination"/> is exactly its length.</summary>
    public static void Write(Span<byte> destination, byte opcode, ReadOnlySpan<byte> payload, uint maskKey)
    {
        destination[0] = (byte)(0x80 | opcode);
        int header;
        if (payload.Length < 126)
        {
            destination[1] = (byte)(0x80 | payload.Length);
            header = 2;
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            destination[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payload.Length);
            header = 4;
        }
        else
        {
            destination[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payload.Length);
            header = 10;
        }
        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(key, maskKey);
        key.CopyTo(destination[header..]);
        var body = destination.Slice(header + 4, payload.Length);
        for (var i = 0; i < payload.Length; i++) body[i] = (byte)(payload[i] ^ key[i & 3]);
    }

    /// <summary>A masked close frame with status 1000 (section 5.5.1).</summary>
    public static byte[] Close()
    {
        var frame = new byte[2 + 4 + 2];
        Write(frame, ServerFrame.Close, [0x03, 0xE8], BinaryPrimitives.ReadUInt32LittleEndian(RandomNumberGenerator.GetBytes(4)));
        return frame;
    }

    /// <summary>A masked pong echoing <paramref name="payload"/> (section 5.5.3).</summary>
    public static byte[] Pong(ReadOnlySpan<byte> payload)
    {
        var frame = new byte[2 + 4 + payload.Length];
        Write(frame, ServerFrame.Pong, payload, BinaryPrimitives.ReadUInt32LittleEndian(RandomNumberGenerator.GetBytes(4)));
        return frame;
    }
}
