using System.Diagnostics;

namespace Switchboard.Benchmarks.Load;

/// <summary>
/// The phases every scenario goes through, read by all loops without locks: warm-up (traffic, nothing recorded),
/// measuring (recorded), stopping (no new sends; loops finish what is in flight). Also the one clock, in nanoseconds
/// since the process started, that send stamps and receipts share.
/// </summary>
internal sealed class RunClock
{
    private static readonly long Origin = Stopwatch.GetTimestamp();
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;
    private volatile int _phase;

    public bool Measuring => _phase == 1;

    public bool Stopping => _phase == 2;

    public static long Now
    {
        get
        {
            var origin = Origin; // first: reading it may run the static initializer, which must not come after the timestamp
            return (long)((Stopwatch.GetTimestamp() - origin) * NanosecondsPerTick);
        }
    }

    public void StartMeasuring() => _phase = 1;

    public void Stop() => _phase = 2;
}

/// <summary>
/// The measured interval's wall time and CPU: the server side's (from /proc, the sum over its known pids: every node
/// of a cluster and the Redis server they share) and this process's, so a result shows whether the load side itself
/// was the limit.
/// </summary>
internal sealed class CpuWindow(IReadOnlyList<int> serverPids)
{
    /// <summary>
    /// The run's one measured interval: waits out the warm-up, then measures for the duration with
    /// <paramref name="clock"/> in its measuring phase, and leaves it stopping.
    /// </summary>
    public static async Task<CpuWindow> MeasureAsync(CommonSettings settings, RunClock clock)
    {
        var window = new CpuWindow(settings.ServerPids);
        await Task.Delay(settings.Warmup);
        window.Begin();
        clock.StartMeasuring();
        await Task.Delay(settings.Duration);
        clock.Stop();
        window.End();
        return window;
    }

    private readonly int _self = Environment.ProcessId;
    private long _start;
    private double _serverStart, _selfStart;
    private long _allocatedStart;

    public double Seconds { get; private set; }

    public double ServerCpuSeconds { get; private set; } = double.NaN;

    public double LoadCpuSeconds { get; private set; }

    public void Begin()
    {
        _serverStart = ServerCpu();
        _selfStart = ProcStats.CpuSeconds(_self);
        _allocatedStart = GC.GetTotalAllocatedBytes(precise: false);
        _start = Stopwatch.GetTimestamp();
    }

    public void End()
    {
        Seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        ServerCpuSeconds = ServerCpu() - _serverStart;
        LoadCpuSeconds = ProcStats.CpuSeconds(_self) - _selfStart;
        LoadAllocatedBytes = GC.GetTotalAllocatedBytes(precise: false) - _allocatedStart;
    }

    /// <summary>The CPU seconds of every server process; NaN when none is known or one is gone.</summary>
    private double ServerCpu() => serverPids.Count == 0 ? double.NaN : serverPids.Sum(ProcStats.CpuSeconds);

    /// <summary>What this process allocated in the window: near zero when nothing is allocated per message.</summary>
    public long LoadAllocatedBytes { get; private set; }

    /// <summary>Server CPU as a percentage of one core.</summary>
    public double ServerCpuPercent => 100 * ServerCpuSeconds / Seconds;

    public double LoadCpuPercent => 100 * LoadCpuSeconds / Seconds;
}
