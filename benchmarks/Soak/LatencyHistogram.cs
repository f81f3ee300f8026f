namespace Switchboard.Soak;

/// <summary>
/// Delivery latencies in 100 µs buckets up to 10 s (and one bucket past that), so a long soak needs no more memory
/// than a short one. Thread-safe.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int BucketsPerMillisecond = 10;
    private readonly long[] _buckets = new long[10_000 * BucketsPerMillisecond + 1];
    private long _count;
    private long _maxTicks;

    public long Count => Interlocked.Read(ref _count);

    public TimeSpan Max => TimeSpan.FromTicks(Interlocked.Read(ref _maxTicks));

    public void Record(TimeSpan latency)
    {
        var bucket = (int)Math.Clamp(latency.TotalMilliseconds * BucketsPerMillisecond, 0, _buckets.Length - 1);
        Interlocked.Increment(ref _buckets[bucket]);
        Interlocked.Increment(ref _count);
        var ticks = latency.Ticks;
        long seen;
        while (ticks > (seen = Interlocked.Read(ref _maxTicks)) && Interlocked.CompareExchange(ref _maxTicks, ticks, seen) != seen)
        {
        }
    }

    /// <summary>The latency under which <paramref name="fraction"/> of the samples fall (upper edge of its bucket).</summary>
    public TimeSpan Percentile(double fraction)
    {
        var total = Count;
        if (total == 0) return TimeSpan.Zero;
        var rank = (long)Math.Ceiling(total * fraction);
        long running = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            running += Interlocked.Read(ref _buckets[i]);
            if (running >= rank) return TimeSpan.FromMilliseconds((i + 1) / (double)BucketsPerMillisecond);
        }
        return Max;
    }
}
