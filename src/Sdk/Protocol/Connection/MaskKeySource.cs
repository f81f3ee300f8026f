using System.Buffers.Binary;
using System.Security.Cryptography;
using Switchboard.Protocol.Framing;

namespace Switchboard.Protocol.Connection;

/// <summary>
/// Where a client's mask keys come from (RFC 6455 section 5.3: a fresh key for every frame, which the server cannot
/// predict). <see cref="Random"/> is the only source fit for a real connection; tests derive their own to pin the
/// bytes a client writes.
/// </summary>
/// <remarks>Implementations must be thread-safe: one source may serve many connections at once.</remarks>
public abstract class MaskKeySource
{
    /// <summary>Keys from the cryptographic random number generator; stateless and thread-safe.</summary>
    public static MaskKeySource Random { get; } = new RandomMaskKeySource();

    /// <summary>The key for the next frame, in the <see cref="FrameHeader.MaskKey"/> convention.</summary>
    /// <returns>Four key bytes, key byte <c>i</c> being <c>(byte)(key &gt;&gt; (8 * i))</c>.</returns>
    public abstract uint NextKey();

    private sealed class RandomMaskKeySource : MaskKeySource
    {
        public override uint NextKey()
        {
            Span<byte> key = stackalloc byte[sizeof(uint)];
            RandomNumberGenerator.Fill(key);
            return BinaryPrimitives.ReadUInt32LittleEndian(key);
        }
    }
}
