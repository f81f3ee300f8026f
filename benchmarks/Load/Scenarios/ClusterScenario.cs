namespace Switchboard.Benchmarks.Load.Scenarios;

/// <summary>
/// One room spread over the nodes of a cluster: N users, user <c>i</c> connected to node <c>i % nodes</c>, and the
/// cluster delivers every message to every member on every node, the sender included. As in
/// <see cref="BroadcastScenario"/>, each user keeps P of its own messages in flight (its next one goes when one of its
/// own comes back) and every receipt is timed from its send. Receipts whose sender is on another node are reported
/// apart as cross-node: the deliveries that had to cross the backplane. At the end every user reads until it has every
/// message of the run, so a delivery the cluster lost is counted (<c>undelivered</c>).
/// </summary>
internal static class ClusterScenario
{
    public static async Task<Result> RunAsync(Options options)
    {
        var settings = CommonSettings.From(options, warmup: 2, duration: 5, sourceIps: 1, manyUrls: true);
        var users = options.GetInt("users", 50, 1);
        var inflight = options.GetInt("inflight", 16, 1);
        var payloadSize = options.GetInt("payload", 64, 0);
        // How many of the users send (users 0..K-1, so spread over the nodes as every user is); the others only
        // receive. With --inflight 1, K is the number of messages in flight in the whole room.
        var senders = options.GetInt("senders", users, 1);
        // A server that puts a connection in the room after it opened sends it one message then (without a stamp):
        // with --await-joined no message goes before every connection has had it.
        var awaitJoined = options.Has("await-joined");
        options.EnsureAllUsed();
        var nodes = settings.Targets.Count;
        if (nodes < 2) throw new UsageException("cluster needs two or more nodes: --url ws://127.0.0.1:9301/chat,ws://127.0.0.1:9302/chat");
        if (users < nodes) throw new UsageException($"--users must be at least the number of nodes ({nodes}), not {users}");
        if (senders > users) throw new UsageException($"--senders must be at most --users ({users}), not {senders}");

        var result = senders == users
            ? settings.NewResult("cluster", $"nodes={nodes} N={users} P={inflight} S={payloadSize}")
            : settings.NewResult("cluster", $"nodes={nodes} N={users} senders={senders} P={inflight} S={payloadSize}");
        var failures = new Dictionary<string, int>(StringComparer.Ordinal);
        // Everyone is in the room, on every node, before the first message, so every message has the same N receivers.
        var opened = new LoadConnection?[users];
        for (var node = 0; node < nodes; node++)
        {
            var ids = Enumerable.Range(0, users).Where(i => i % nodes == node).ToList();
            var connections = await Connections.OpenAsync(settings, settings.Targets[node], ids.Count, 64, failures, CancellationToken.None);
            for (var j = 0; j < ids.Count; j++) opened[ids[j]] = connections[j];
        }

        if (awaitJoined)
        {
            using var joining = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await Task.WhenAll(opened.OfType<LoadConnection>().Select(c => FirstFrameAsync(c, joining.Token)));
            }
            catch (OperationCanceledException)
            {
                throw new InvalidOperationException("--await-joined: not every connection was told it joined the room within 30 s");
            }
        }

        var (payload, markerOffset) = BroadcastScenario.Payload(settings.Target.Format, payloadSize);
        var clock = new RunClock();
        using var stop = new CancellationTokenSource();
        // A user's id is its place in the room, whatever failed to open: the id says which node it is on.
        var loops = opened.Select((c, id) => c is null ? null : new RoomUserLoop(c, id, nodes, new RoomMessage(payload, markerOffset, inflight, compress: false), clock, sends: id < senders))
            .OfType<RoomUserLoop>().ToList();
        var running = loops.Select(l => l.RunAsync(stop.Token)).ToList();

        var window = await CpuWindow.MeasureAsync(settings, clock);

        stop.CancelAfter(TimeSpan.FromSeconds(5));
        await Task.WhenAll(running);
        // Every message is owed to every member of the room: with all sends done, each user reads until it has them all.
        var sends = loops.Sum(l => l.Sent);
        var complete = loops.Count == users && loops.All(l => l.Failure is null);
        if (complete)
        {
            using var settle = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await Task.WhenAll(loops.Select(l => l.ReceiveAllAsync(sends, settle.Token)));
        }
        await Connections.CloseAllAsync(opened, TimeSpan.FromSeconds(2));

        var latency = new LatencyHistogram();
        var crossLatency = new LatencyHistogram();
        long deliveries = 0, crossDeliveries = 0, sent = 0;
        foreach (var loop in loops)
        {
            latency.Add(loop.Latency);
            crossLatency.Add(loop.CrossLatency);
            deliveries += loop.Deliveries;
            crossDeliveries += loop.CrossDeliveries;
            sent += loop.OwnReturned;
        }
        result["nodes"] = nodes;
        result["users"] = loops.Count;
        result["deliveries"] = deliveries;
        result["deliveriesPerSec"] = deliveries / window.Seconds;
        result["crossDeliveries"] = crossDeliveries;
        result["crossDeliveriesPerSec"] = crossDeliveries / window.Seconds;
        result["msgsPerSec"] = sent / window.Seconds;
        result.AddLatency("", latency);
        result.AddLatency("cross", crossLatency);
        // Server CPU is that of every node and the Redis server together (run.sh pins them all to one core).
        result.AddCpu(window, settings.Duration, "Delivery", deliveries);
        result["loadAllocBytesPerDelivery"] = (double)window.LoadAllocatedBytes / deliveries;
        // Over the whole run: what the room was owed (every send, to every member) and what never arrived.
        result["sends"] = sends;
        if (complete)
        {
            var undelivered = loops.Sum(l => Math.Max(0, sends - l.Received));
            result["undelivered"] = undelivered;
            if (undelivered > 0) result.Notes.Add($"{undelivered} of {sends * users} deliveries never arrived (after 10 s)");
        }
        result["failedConnections"] = loops.Count(l => l.Failure is not null) + (users - loops.Count);
        Connections.NoteFailures(result, failures);
        foreach (var group in loops.Where(l => l.Failure is not null).GroupBy(l => l.Failure)) result.Notes.Add($"{group.Count()} x {group.Key}");
        return result;
    }

    /// <summary>Reads until the connection's first data frame: the server's word that it is in the room.</summary>
    private static async Task FirstFrameAsync(LoadConnection connection, CancellationToken cancellationToken)
    {
        var sink = new FirstFrame();
        while (true)
        {
            connection.Drain(sink);
            if (sink.Seen) return;
            if (connection.CloseReceived || connection.ProtocolError) throw new InvalidOperationException("the server closed a connection before it joined the room");
            await connection.FlushControlAsync(cancellationToken);
            if (!await connection.ReceiveAsync(cancellationToken)) throw new InvalidOperationException("the server dropped a connection before it joined the room");
        }
    }

    private sealed class FirstFrame : IFrameSink
    {
        public bool Seen { get; private set; }

        public void OnData(ReadOnlySpan<byte> payload, bool fin) => Seen |= fin;
    }
}
