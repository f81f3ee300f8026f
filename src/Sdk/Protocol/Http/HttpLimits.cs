namespace Switchboard.Protocol;

/// <summary>
/// Caps <see cref="HttpRequestParser"/> applies to a request while its head is still arriving, so a peer that
/// never finishes its headers, or announces a huge body, cannot make the endpoint buffer without bound.
/// </summary>
/// <remarks>Immutable once initialized; safe to share between threads and connections.</remarks>
public sealed class HttpLimits
{
    /// <summary>The default for <see cref="MaxRequestBodySize"/>: 1 MiB.</summary>
    public const long DefaultMaxRequestBodySize = 1024 * 1024;

    /// <summary>The defaults: 8 KiB of head, 64 header fields, and 1 MiB of body.</summary>
    public static HttpLimits Default { get; } = new();

    /// <summary>
    /// The most bytes the head may span: request line, header fields and every CRLF, including the blank line
    /// that ends it. A head still unterminated after this many bytes is refused with
    /// <see cref="HttpError.HeadersTooLarge"/> (431). Default 8192, the same as <see cref="HandshakeLimits.MaxHeaderBytes"/>.
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
    /// The most header field lines the head may carry, a repeated name counting once per line. One more is refused
    /// with <see cref="HttpError.TooManyHeaders"/> (431). Default 64, the same as <see cref="HandshakeLimits.MaxHeaderCount"/>.
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

    /// <summary>
    /// The largest Content-Length a request may declare. A larger one is refused with
    /// <see cref="HttpError.ContentTooLarge"/> (413) from the head alone, before any body byte is read.
    /// Zero refuses every body. Default 1 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long MaxRequestBodySize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = DefaultMaxRequestBodySize;
}
