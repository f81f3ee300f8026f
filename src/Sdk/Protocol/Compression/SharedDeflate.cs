using System.IO.Compression;

namespace Switchboard.Protocol.Compression;

/// <summary>
/// A message sent to many connections that can be compressed once for all of them. Without server context takeover
/// (RFC 7692 section 7.1.1.1) a server starts every message with an empty window, and it always compresses with a
/// 15-bit window, so the compressed bytes depend on the payload and the level alone.
/// </summary>
internal interface ISharedDeflate
{
    /// <summary>
    /// <paramref name="payload"/>, the message's own payload, compressed at <paramref name="level"/> (without the
    /// <c>00 00 ff ff</c> tail), made on the first call and shared by every later one; empty when compressing does not
    /// make it smaller, and the message goes uncompressed.
    /// </summary>
    ReadOnlyMemory<byte> Deflate(ReadOnlySpan<byte> payload, CompressionLevel level);
}

/// <summary>
/// The compressed forms of one message, one per compression level asked for, each made once whichever thread asks
/// first. A message's <see cref="ISharedDeflate"/> makes one when the first connection that compresses asks for it.
/// </summary>
/// <remarks>Thread-safe: connections sending the same message on other threads wait for the first compression.</remarks>
internal sealed class SharedDeflate
{
    // CompressionLevel's values: Optimal, Fastest, NoCompression, SmallestSize.
    private const int Levels = 4;

    private readonly byte[]?[] _compressed = new byte[Levels][];
    private int _compressions;

    /// <summary>
    /// How many times a payload was compressed here, and not yet taken: 1 per level, however many connections shared
    /// it. A server reads it after a send to count the work of its compressor (docs/observability.md).
    /// </summary>
    public int TakeCompressions() => Interlocked.Exchange(ref _compressions, 0);

    /// <inheritdoc cref="ISharedDeflate.Deflate"/>
    public ReadOnlyMemory<byte> Deflate(ReadOnlySpan<byte> payload, CompressionLevel level)
    {
        int slot = (int)level;
        if (Volatile.Read(ref _compressed[slot]) is { } done)
        {
            return done;
        }

        lock (_compressed)
        {
            if (_compressed[slot] is { } raced)
            {
                return raced;
            }

            using var deflater = new MessageDeflater(level);
            ReadOnlySpan<byte> compressed = deflater.Compress(payload, endOfMessage: true);
            // Section 6 lets a message go uncompressed: it does when deflate would not make it smaller.
            byte[] result = compressed.Length < payload.Length ? compressed.ToArray() : [];
            Interlocked.Increment(ref _compressions);
            Volatile.Write(ref _compressed[slot], result);
            return result;
        }
    }
}
