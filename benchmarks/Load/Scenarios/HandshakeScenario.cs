using System.Net.Sockets;

namespace Switchboard.Benchmarks.Load.Scenarios;

/// <summary>
/// Whole connection lifetimes per second: L loops, each over and over connecting, upgrading, and closing with the
/// closing handshake (our close, the server's close, the server's FIN). Latency is one whole lifetime. Connections
/// come from rotating 127.x source addresses so the ephemeral ports of one address never run out.
/// </summary>
internal static class HandshakeScenario
{
    public static async Task<Result> RunAsync(Options options)
    {
        var settings = CommonSettings.From(options, warmup: 1, duration: 5, sourceIps: 32);
        var loops = options.GetInt("concurrency", 8, 1);
        options.EnsureAllUsed();

        var result = settings.NewResult("handshakes", $"L={loops}");
        var clock = new RunClock();
        var workers = Enumerable.Range(0, loops).Select(_ => new Worker(settings, clock)).ToList();
        var running = workers.Select(w => w.RunAsync()).ToList();

        var window = await CpuWindow.MeasureAsync(settings, clock);
        await Task.WhenAll(running);

        var histogram = new LatencyHistogram();
        long completed = 0;
        var failures = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var worker in workers)
        {
            histogram.Add(worker.Latency);
            completed += worker.Completed;
            foreach (var (reason, n) in worker.Failures) failures[reason] = failures.GetValueOrDefault(reason) + n;
        }
        result["handshakes"] = completed;
        result["handshakesPerSec"] = completed / window.Seconds;
        result["failures"] = failures.Values.Sum();
        result.AddLatency("", histogram);
        result.AddCpu(window, settings.Duration, "Handshake", completed);
        Connections.NoteFailures(result, failures);
        return result;
    }

    private sealed class Worker(CommonSettings settings, RunClock clock)
    {
        private readonly Wire.ClientHandshake _handshake = new(settings.Target.HostHeader, settings.Target.Port, settings.Target.Path);

        public LatencyHistogram Latency { get; } = new();

        public long Completed { get; private set; }

        public Dictionary<string, int> Failures { get; } = new(StringComparer.Ordinal);

        public async Task RunAsync()
        {
            while (!clock.Stopping)
            {
                var start = RunClock.Now;
                var measuring = clock.Measuring;
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    using var connection = await LoadConnection.OpenAsync(settings.Target, _handshake, settings.Sources.Next(), timeout.Token);
                    await connection.CloseAsync(TimeSpan.FromSeconds(2));
                    if (measuring && clock.Measuring)
                    {
                        Completed++;
                        Latency.Record(RunClock.Now - start);
                    }
                }
                catch (Exception e) when (e is ConnectFailedException or OperationCanceledException or SocketException or IOException)
                {
                    if (measuring) Failures[e.Message] = Failures.GetValueOrDefault(e.Message) + 1;
                    await Task.Delay(10); // a refusing server is not hammered in a tight loop
                }
            }
        }
    }
}
