using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Switchboard.Benchmarks.Load.Wire;

/// <summary>Single masked text frames with FIN set, each with a fresh random mask key: plain, or compressed as a browser sends them.</summary>
internal static class ClientFrame
{
    /// <summary>One text frame of <paramref name="payload"/>; <paramref name="rsv1"/> marks it compressed (RFC 7692 section 6).</summary>
    public static byte[] Text(ReadOnlySpan<byte> payload, bool rsv1 = false)
    {
        var header = payload.Length switch { < 126 => 2, <= ushort.MaxValue => 4, _ => 10 } + 4;
        var frame = new byte[header + payload.Length];
        FrameBlock.Write(frame, ServerFrame.Text, payload, BinaryPrimitives.ReadUInt32LittleEndian(RandomNumberGenerator.GetBytes(4)));
        if (rsv1) frame[0] |= 0x40;
        return frame;
    }

    /// <summary>
    /// <paramref name="payload"/> compressed on its own (no context takeover), the <c>00 00 ff ff</c> tail removed, in a
    /// frame with RSV1; or, when compressing does not make it smaller, plain.
    /// </summary>
    public static byte[] Compressed(ReadOnlySpan<byte> payload)
    {
        using var output = new MemoryStream();
        byte[] bytes;
        using (var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.Write(payload);
            deflate.Flush(); // a sync flush: the output ends with 00 00 ff ff (RFC 7692 section 7.2.1)
            bytes = output.ToArray(); // before disposing writes a final block nobody wants
        }
        var compressed = bytes.AsSpan(0, bytes.Length - 4);
        return compressed.Length < payload.Length ? Text(compressed, rsv1: true) : Text(payload);
    }
}
