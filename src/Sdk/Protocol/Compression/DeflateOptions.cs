using System.IO.Compression;

namespace Switchboard.Protocol.Compression;

/// <summary>
/// What an endpoint offers or accepts of the permessage-deflate extension (RFC 7692): whether it is on, the context
/// takeover of each side, the window the client is asked to use, the smallest message worth compressing and the
/// compression level. The server's options say what it accepts, the client's what it offers.
/// </summary>
/// <remarks>
/// <para>
/// The compressor is System.IO.Compression's raw deflate, which always uses a 15-bit (32 KiB) window on net8.0 and
/// net10.0 alike: neither exposes the window size. So a server declines an offer that asks it for a smaller
/// <c>server_max_window_bits</c> (RFC 7692 section 7.1.2.1 lets it), and a client never offers
/// <c>client_max_window_bits</c>, which would let the server ask it for a smaller one. The decompressor accepts
/// every window from 8 to 15 bits.
/// </para>
/// <para>
/// The defaults keep an idle connection free of compression state: neither side keeps its context between messages
/// (<see cref="ServerNoContextTakeover"/> and <see cref="ClientNoContextTakeover"/> are true), so the zlib streams
/// live only while a message is compressed or decompressed. Turning either off compresses small, similar messages
/// better for a cost per connection that docs/performance.md states.
/// </para>
/// <para>Immutable once built; one instance may be shared by any number of connections and threads.</para>
/// </remarks>
public sealed class DeflateOptions
{
    /// <summary>The defaults: on, no context takeover either way, messages of 256 bytes and more compressed.</summary>
    public static DeflateOptions Default { get; } = new();

    /// <summary>Off: the server declines every offer, the client offers nothing.</summary>
    public static DeflateOptions Disabled { get; } = new() { Enabled = false };

    /// <summary>Whether the extension is negotiated at all. Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// Whether the server starts each message it sends with an empty window (<c>server_no_context_takeover</c>),
    /// so it keeps no compressor between messages. A server includes it in every response; a client asks for it.
    /// Default true.
    /// </summary>
    public bool ServerNoContextTakeover { get; init; } = true;

    /// <summary>
    /// Whether the client starts each message it sends with an empty window (<c>client_no_context_takeover</c>),
    /// so the server keeps no decompressor between messages. A server includes it in every response; a client
    /// offers it (and then keeps no compressor between messages). Default true.
    /// </summary>
    public bool ClientNoContextTakeover { get; init; } = true;

    /// <summary>
    /// The largest LZ77 window, as a power of two (8 to 15), a server asks a client to compress with when the client's
    /// offer says it can (<c>client_max_window_bits</c>); a smaller window costs the client less memory and compresses
    /// worse. zlib cannot make raw deflate streams with 8 bits, so 8 is sent as 9, as other servers do. Default 15.
    /// Not used by a client, which never offers the parameter (see remarks).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not between 8 and 15.</exception>
    public int ClientMaxWindowBits
    {
        get;
        init => field = WindowBits(value, nameof(ClientMaxWindowBits));
    } = MaxWindowBits;

    /// <summary>
    /// The largest window, as a power of two (8 to 15), a client asks the server to compress with
    /// (<c>server_max_window_bits</c>, offered only below 15; 8 is offered as 9). Default 15. Not used by a server,
    /// whose compressor always uses 15 bits (see remarks).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not between 8 and 15.</exception>
    public int ServerMaxWindowBits
    {
        get;
        init => field = WindowBits(value, nameof(ServerMaxWindowBits));
    } = MaxWindowBits;

    /// <summary>
    /// Messages shorter than this many bytes go uncompressed: deflate saves little on them and costs a compressor's
    /// set-up each time. Default 256. A fragmented message is compressed whatever its size.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MinimumSize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = 256;

    /// <summary>How hard the compressor works. Default <see cref="CompressionLevel.Fastest"/>, which suits short JSON messages.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined level.</exception>
    public CompressionLevel Level
    {
        get;
        init
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Not a compression level.");
            }

            field = value;
        }
    } = CompressionLevel.Fastest;

    /// <summary>The largest window RFC 7692 allows, and the only one System.IO.Compression compresses with.</summary>
    internal const int MaxWindowBits = 15;

    /// <summary>The smallest window RFC 7692 allows.</summary>
    internal const int MinWindowBits = 8;

    // Both windows take the same range; the exception names the property.
    private static int WindowBits(int value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, MinWindowBits, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxWindowBits, name);
        return value;
    }
}
