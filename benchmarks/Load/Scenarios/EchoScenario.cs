using Switchboard.Benchmarks.Load.Wire;

namespace Switchboard.Benchmarks.Load.Scenarios;

/// <summary>
/// C connections, each keeping P messages of S bytes in flight against an echo server (closed loop): every echo that
/// comes back is timed against its send and replaced by a new message. Measures messages/s (echoes received) and the
/// round-trip latency of each message.
/// </summary>
internal static class EchoScenario
{
    public static async Task<Result> RunAsync(Options options)
    {
        var settings = CommonSettings.From(options, warmup: 2, duration: 5, sourceIps: 1);
        var connections = options.GetInt("connections", 32, 1);
        var inflight = options.GetInt("inflight", 8, 1);
        var payloadSize = options.GetInt("payload", 32, 0);
        options.EnsureAllUsed();

        var result = settings.NewResult("echo", $"C={connections} P={inflight} S={payloadSize}");
        var failures = new Dictionary<string, int>(StringComparer.Ordinal);
        var opened = await Connections.OpenAsync(settings, connections, 64, failures, CancellationToken.None);

        var payload = new byte[payloadSize];
        payload.AsSpan().Fill((byte)'x'); // valid UTF-8: a text message, so every server also validates it
        var clock = new RunClock();
        var loops = opened.OfType<LoadConnection>().Select(c => new EchoLoop(c, new FrameBlock(ServerFrame.Text, payload, inflight), clock)).ToList();
        var window = await ClosedLoop.RunAllAsync(loops, inflight, settings, clock);
        await Connections.CloseAllAsync(opened, TimeSpan.FromSeconds(2));

        var histogram = new LatencyHistogram();
        long messages = 0;
        foreach (var loop in loops)
        {
            histogram.Add(loop.Latency);
            messages += loop.Messages;
        }
        result["connections"] = loops.Count;
        result["messages"] = messages;
        result["msgsPerSec"] = messages / window.Seconds;
        result.AddLatency("", histogram);
        result.AddCpu(window, settings.Duration, "Msg", messages);
        result["loadAllocBytesPerMsg"] = (double)window.LoadAllocatedBytes / messages;
        result["failedConnections"] = loops.Count(l => l.Failure is not null) + (connections - loops.Count);
        Connections.NoteFailures(result, failures);
        foreach (var group in loops.Where(l => l.Failure is not null).GroupBy(l => l.Failure)) result.Notes.Add($"{group.Count()} x {group.Key}");
        return result;
    }

    /// <summary>One connection's closed loop. Echoes come back in order, so a ring of send times pairs each with its send.</summary>
    private sealed class EchoLoop(LoadConnection connection, FrameBlock frames, RunClock clock) : ClosedLoop(connection, clock)
    {
        private readonly long[] _sentAt = new long[frames.Count];
        private int _head;

        public LatencyHistogram Latency { get; } = new();

        public long Messages { get; private set; }

        public override void OnData(ReadOnlySpan<byte> payload, bool fin)
        {
            if (!fin) return;
            var now = RunClock.Now;
            var sent = _sentAt[_head];
            _head = (_head + 1) % _sentAt.Length;
            InFlight--;
            Returned++;
            if (Clock.Measuring)
            {
                Messages++;
                Latency.Record(now - sent);
            }
        }

        protected override ValueTask<int> SendAsync(int count, CancellationToken cancellationToken)
        {
            var now = RunClock.Now;
            for (var i = 0; i < count; i++) _sentAt[(_head + InFlight + i) % _sentAt.Length] = now;
            InFlight += count;
            return Connection.SendAsync(frames.Take(count), cancellationToken);
        }
    }
}
