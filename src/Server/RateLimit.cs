using System.Globalization;

namespace Switchboard.Server;

/// <summary>
/// A token bucket: a connection may spend up to <see cref="Burst"/> at once, and the bucket refills at
/// <see cref="PerSecond"/> up to <see cref="Burst"/> again. Used by <see cref="EndpointOptions.MessageRate"/> (counting
/// messages) and <see cref="EndpointOptions.ByteRate"/> (counting the bytes of their payloads). Immutable.
/// </summary>
/// <example>
/// Twenty messages at once, then two a second: <c>new RateLimit(perSecond: 2, burst: 20)</c>.
/// </example>
public sealed class RateLimit : IEquatable<RateLimit>
{
    /// <summary>Creates a bucket that refills at <paramref name="perSecond"/> and holds at most <paramref name="burst"/>.</summary>
    /// <param name="perSecond">The sustained rate: units (messages or bytes) a second. Positive and finite.</param>
    /// <param name="burst">The most a connection may spend at once; the bucket starts full. At least 1 and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of its range.</exception>
    public RateLimit(double perSecond, double burst)
    {
        if (!double.IsFinite(perSecond) || perSecond <= 0) throw new ArgumentOutOfRangeException(nameof(perSecond), perSecond, "the rate must be positive and finite");
        if (!double.IsFinite(burst) || burst < 1) throw new ArgumentOutOfRangeException(nameof(burst), burst, "the burst must be at least 1 and finite");
        PerSecond = perSecond;
        Burst = burst;
    }

    /// <summary>The sustained rate, in units a second.</summary>
    public double PerSecond { get; }

    /// <summary>The most a connection may spend at once.</summary>
    public double Burst { get; }

    /// <inheritdoc/>
    public bool Equals(RateLimit? other) => other is not null && PerSecond.Equals(other.PerSecond) && Burst.Equals(other.Burst);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RateLimit);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(PerSecond, Burst);

    /// <summary>The rate and burst, e.g. <c>2/s, burst 20</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{PerSecond}/s, burst {Burst}");
}
