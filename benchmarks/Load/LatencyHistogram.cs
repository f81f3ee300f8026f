using System.Numerics;

namespace Switchboard.Benchmarks.Load;

/// <summary>
/// Latencies in nanoseconds, HdrHistogram style: exact below 128 ns, then 64 linear sub-buckets per power of two, so
/// any percentile is within 1.6 % of the true value. Recording is an array increment (no allocation, no lock); each
/// loop owns one and they are merged at the end. Not thread-safe.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBits = 6;
    private const int Sub = 1 << SubBits;
    private const int Linear = 2 * Sub;
    private readonly long[] _counts = new long[Linear + (62 - SubBits) * Sub];
    private long _max;

    public long Count { get; private set; }

    public void Record(long nanoseconds)
    {
        if (nanoseconds < 0) nanoseconds = 0;
        _counts[Index(nanoseconds)]++;
        Count++;
        if (nanoseconds > _max) _max = nanoseconds;
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Count += other.Count;
        _max = Math.Max(_max, other._max);
    }

    /// <summary>The value at or below which <paramref name="percent"/> % of the samples lie, in microseconds; NaN when empty.</summary>
    public double PercentileMicroseconds(double percent)
    {
        if (Count == 0) return double.NaN;
        var rank = Math.Max(1, (long)Math.Ceiling(percent / 100 * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(ValueAt(i), _max) / 1000.0;
        }
        return _max / 1000.0;
    }

    public double MaxMicroseconds => Count == 0 ? double.NaN : _max / 1000.0;

    private static int Index(long value)
    {
        if (value < Linear) return (int)value;
        var shift = 63 - BitOperations.LeadingZeroCount((ulong)value) - SubBits; // value >> shift is in [Sub, 2 Sub)
        return Linear + (shift - 1) * Sub + (int)((value >> shift) - Sub);
    }

    // The middle of the bucket.
    private static long ValueAt(int index)
    {
        if (index < Linear) return index;
        var shift = (index - Linear) / Sub + 1;
        var top = (long)((index - Linear) % Sub + Sub);
        return (top << shift) + (1L << (shift - 1));
    }
}
