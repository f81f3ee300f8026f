namespace Switchboard.Protocol.Http;

/// <summary>
/// Caps on an HTTP head while its bytes are still arriving: the request heads a server reads (upgrade requests and
/// plain HTTP alike) and the response head a client reads during its opening handshake. A peer that never finishes
/// its head cannot make the endpoint buffer without bound.
/// </summary>
/// <remarks>Immutable once initialized; safe to share between threads and connections.</remarks>
public sealed class HttpHeadLimits
{
    /// <summary>The defaults: 8 KiB of head and 64 header fields.</summary>
    public static HttpHeadLimits Default { get; } = new();

    /// <summary>
    /// The most bytes the head may span: start line, header fields and every CRLF, including the blank line that
    /// ends it. A head still unterminated after this many bytes is refused (431 on a server). Default 8192.
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
    /// (431 on a server). Default 64.
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
