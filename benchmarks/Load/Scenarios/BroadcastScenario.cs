using System.Net.Sockets;
using System.Text;
using Switchboard.Benchmarks.Load.Wire;

namespace Switchboard.Benchmarks.Load.Scenarios;

/// <summary>
/// A room of N users; the server forwards every message to every member, the sender included. Each user keeps P
/// of its own messages in flight (closed loop: its next message goes when one of its own comes back). Every message
/// carries a <see cref="Marker"/> with its send time, so each of its N receipts is timed: fan-out latency is send time
/// to each receipt. Measures deliveries/s (receipts, all members together).
/// </summary>
internal static class BroadcastScenario
{
    public static async Task<Result> RunAsync(Options options)
    {
        var settings = CommonSettings.From(options, warmup: 2, duration: 5, sourceIps: 1);
        var users = options.GetInt("users", 100, 1);
        var inflight = options.GetInt("inflight", 1, 1);
        var payloadSize = options.GetInt("payload", 64, 0);
        options.EnsureAllUsed();

        var result = settings.NewResult("broadcast", $"N={users} P={inflight} S={payloadSize}");
        var failures = new Dictionary<string, int>(StringComparer.Ordinal);
        // Everyone is in the room before the first message, so every message has the same N receivers.
        var opened = await Connections.OpenAsync(settings, users, 64, failures, CancellationToken.None);

        var (payload, markerOffset) = Payload(settings.Target.Format, payloadSize);
        var clock = new RunClock();
        using var stop = new CancellationTokenSource();
        var loops = opened.OfType<LoadConnection>()
            .Select((c, i) => new UserLoop(c, i, new FrameBlock(ServerFrame.Text, payload, inflight), markerOffset, clock)).ToList();
        var running = loops.Select(l => l.RunAsync(stop.Token)).ToList();

        var window = await CpuWindow.MeasureAsync(settings, clock);

        stop.CancelAfter(TimeSpan.FromSeconds(5));
        await Task.WhenAll(running);
        await Connections.CloseAllAsync(opened, TimeSpan.FromSeconds(2));

        var histogram = new LatencyHistogram();
        long deliveries = 0, sent = 0;
        foreach (var loop in loops)
        {
            histogram.Add(loop.Latency);
            deliveries += loop.Deliveries;
            sent += loop.OwnReturned;
        }
        result["users"] = loops.Count;
        result["deliveries"] = deliveries;
        result["deliveriesPerSec"] = deliveries / window.Seconds;
        result["msgsPerSec"] = sent / window.Seconds;
        result.AddLatency("", histogram);
        result.AddCpu(window, settings.Duration, "Delivery", deliveries);
        result["loadAllocBytesPerDelivery"] = (double)window.LoadAllocatedBytes / deliveries;
        result["failedConnections"] = loops.Count(l => l.Failure is not null) + (users - loops.Count);
        Connections.NoteFailures(result, failures);
        foreach (var group in loops.Where(l => l.Failure is not null).GroupBy(l => l.Failure)) result.Notes.Add($"{group.Count()} x {group.Key}");
        return result;
    }

    /// <summary>
    /// The message a user sends, padded with 'x' to <paramref name="size"/> bytes (or the least that holds it), and
    /// where its stamp goes. Envelope: <c>{"type":"bench.message","data":{"text":"#…"}}</c>, which the Switchboard room
    /// reads and re-serializes byte for byte and raw forwarders pass through. SignalR: an invocation of the hub's
    /// <c>Send(string)</c> (no invocation id: no completion comes back).
    /// </summary>
    internal static (byte[] Payload, int MarkerOffset) Payload(WireFormat format, int size)
    {
        var (prefix, suffix) = format == WireFormat.SignalR
            ? ("{\"type\":1,\"target\":\"Send\",\"arguments\":[\"", "\"]}\u001e")
            : ("{\"type\":\"bench.message\",\"data\":{\"text\":\"", "\"}}");
        var padding = Math.Max(0, size - prefix.Length - suffix.Length - Marker.Length);
        var text = prefix + new string('0', Marker.Length) + new string('x', padding) + suffix;
        return (Encoding.UTF8.GetBytes(text), prefix.Length);
    }

    private sealed class UserLoop(LoadConnection connection, int id, FrameBlock frames, int markerOffset, RunClock clock) : IFrameSink
    {
        private int _inflight;
        private int _returned;

        public LatencyHistogram Latency { get; } = new();

        public long Deliveries { get; private set; }

        /// <summary>This user's own messages that came back while measuring: the messages sent per second.</summary>
        public long OwnReturned { get; private set; }

        public string? Failure { get; private set; }

        public void OnData(ReadOnlySpan<byte> payload, bool fin)
        {
            var now = RunClock.Now;
            var measuring = clock.Measuring;
            while (true)
            {
                var at = payload.IndexOf(Marker.Start);
                if (at < 0) return;
                payload = payload[at..];
                if (!Marker.TryRead(payload, out var sentAt, out var sender))
                {
                    payload = payload[1..];
                    continue;
                }
                payload = payload[Marker.Length..];
                if (measuring)
                {
                    Deliveries++;
                    Latency.Record(now - sentAt);
                }
                if (sender == id)
                {
                    _inflight--;
                    _returned++;
                    if (measuring) OwnReturned++;
                }
            }
        }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            try
            {
                await SendAsync(frames.Count, cancellationToken);
                while (true)
                {
                    connection.Drain(this);
                    if (connection.ProtocolError)
                    {
                        Failure = "protocol error from the server";
                        return;
                    }
                    await connection.FlushControlAsync(cancellationToken);
                    if (connection.CloseReceived)
                    {
                        Failure = "the server closed the connection";
                        return;
                    }

                    if (clock.Stopping)
                    {
                        if (_inflight <= 0) return;
                    }
                    else if (_returned > 0)
                    {
                        var count = Math.Min(_returned, frames.Count);
                        _returned = 0;
                        await SendAsync(count, cancellationToken);
                    }

                    if (!await connection.ReceiveAsync(cancellationToken))
                    {
                        Failure = "the server dropped the connection";
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                if (!clock.Stopping) throw;
                // Others' messages may still be arriving when our own are all back; only a stuck server lands here.
                if (_inflight > 0) Failure = "own messages still missing after the run";
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                Failure = e.Message;
            }
        }

        private ValueTask<int> SendAsync(int count, CancellationToken cancellationToken)
        {
            Span<byte> stamp = stackalloc byte[Marker.Length];
            Marker.Write(stamp, RunClock.Now, id);
            for (var i = 0; i < count; i++) frames.Patch(i, markerOffset, stamp);
            _inflight += count;
            return connection.SendAsync(frames.Take(count), cancellationToken);
        }
    }
}
