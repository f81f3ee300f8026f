using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Switchboard.Protocol.Framing;

/// <summary>Payload masking (RFC 6455 section 5.3): XOR with a 4-byte key, an involution.</summary>
/// <remarks>Pure functions over the caller's memory; thread-safe as long as callers do not share the span.</remarks>
public static class Mask
{
    /// <summary>
    /// XORs <paramref name="data"/> in place with the key, starting at key byte
    /// <c>offset &amp; 3</c>. The same call masks and unmasks.
    /// </summary>
    /// <param name="data">The bytes to transform in place.</param>
    /// <param name="maskKey">The key in the <see cref="FrameHeader.MaskKey"/> convention: key byte <c>i</c> is <c>(byte)(maskKey &gt;&gt; (8 * i))</c>.</param>
    /// <param name="offset">The position of <paramref name="data"/> within the payload (only <c>offset &amp; 3</c> matters).</param>
    /// <returns>
    /// <c>(offset + data.Length) &amp; 3</c>: the offset to pass with the next piece of the same
    /// payload when it arrives in pieces.
    /// </returns>
    public static int Apply(Span<byte> data, uint maskKey, int offset)
    {
        int next = (offset + data.Length) & 3;

        // Rotate once so that the key lines up with data[0]; every step below is a multiple of
        // four bytes long, so the key stays aligned to the data until the final bytes.
        uint key = BitOperations.RotateRight(maskKey, (offset & 3) * 8);
        uint nativeKey = BitConverter.IsLittleEndian ? key : BinaryPrimitives.ReverseEndianness(key);

        ref byte start = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint i = 0;

        if (Vector512.IsHardwareAccelerated && length >= (nuint)Vector512<byte>.Count)
        {
            Vector512<byte> keyVector = Vector512.Create(nativeKey).AsByte();
            nuint last = length - (nuint)Vector512<byte>.Count;
            for (; i <= last; i += (nuint)Vector512<byte>.Count)
            {
                (Vector512.LoadUnsafe(ref start, i) ^ keyVector).StoreUnsafe(ref start, i);
            }
        }

        if (Vector256.IsHardwareAccelerated && length - i >= (nuint)Vector256<byte>.Count)
        {
            Vector256<byte> keyVector = Vector256.Create(nativeKey).AsByte();
            nuint last = length - (nuint)Vector256<byte>.Count;
            for (; i <= last; i += (nuint)Vector256<byte>.Count)
            {
                (Vector256.LoadUnsafe(ref start, i) ^ keyVector).StoreUnsafe(ref start, i);
            }
        }

        if (Vector128.IsHardwareAccelerated && length - i >= (nuint)Vector128<byte>.Count)
        {
            Vector128<byte> keyVector = Vector128.Create(nativeKey).AsByte();
            nuint last = length - (nuint)Vector128<byte>.Count;
            for (; i <= last; i += (nuint)Vector128<byte>.Count)
            {
                (Vector128.LoadUnsafe(ref start, i) ^ keyVector).StoreUnsafe(ref start, i);
            }
        }

        ulong wideKey = nativeKey | ((ulong)nativeKey << 32);
        for (; length - i >= sizeof(ulong); i += sizeof(ulong))
        {
            ref byte at = ref Unsafe.Add(ref start, i);
            Unsafe.WriteUnaligned(ref at, Unsafe.ReadUnaligned<ulong>(ref at) ^ wideKey);
        }

        if (length - i >= sizeof(uint))
        {
            ref byte at = ref Unsafe.Add(ref start, i);
            Unsafe.WriteUnaligned(ref at, Unsafe.ReadUnaligned<uint>(ref at) ^ nativeKey);
            i += sizeof(uint);
        }

        for (int shift = 0; i < length; i++, shift += 8)
        {
            Unsafe.Add(ref start, i) ^= (byte)(key >> shift);
        }

        return next;
    }
}
