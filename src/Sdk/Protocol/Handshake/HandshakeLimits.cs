namespace Switchboard.Protocol;

/// <summary>
/// Caps applied to the HTTP head of an opening handshake while its bytes are still arriving, so a
/// peer that never finishes its headers cannot make the endpoint buffer without bound.
/// </summary>
/// <remarks>Immutable once initialized; safe to share between threads and connections.</remarks>
public sealed class HandshakeLimits
{
    /// <summary>The defaults: 8 KiB of head and 64 header fields.</summary>
    public static HandshakeLimits Default { get; } = new();

    /// <summary>
    /// The most bytes the head may span: start line, header fields and every CRLF, including the blank
    /// line that ends it. A head still unterminated after this many bytes is rejected with
    /// <see cref="HandshakeError.HeadersTooLarge"/> (431). Default 8192.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxHeaderBytes
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = 8192;

    /// <summary>
    /// The most header field lines the head may carry, a repeated name counting once per line. One more is
    /// rejected with <see cref="HandshakeError.TooManyHeaders"/> (431). Default 64.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxHeaderCount
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = 64;
}
