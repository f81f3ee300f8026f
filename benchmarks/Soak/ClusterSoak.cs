using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace Switchboard.Soak;

/// <summary>
/// The multi-node run (<c>--nodes N</c>): N nodes of benchmarks/Peers/SwitchboardBroadcast on one redis-server of its
/// own, the room a group with history, the members spread over the nodes sending numbered messages. A quarter of the way
/// in one node is killed (SIGKILL) and its members move to a live node with their positions; it is started again a bit
/// later; past half way redis-server is killed and started again. At the end every member sends one last message,
/// then each member's receipts are checked against the room's history (read from Redis) and what the other members
/// received: per member, what it sent, what it received, what it missed but was told about (<c>recovered=false</c>),
/// what it missed silently (lost) and what it got twice.
/// </summary>
internal static partial class ClusterSoak
{
    private const string Endpoint = "bench-room";

    public static async Task<int> RunAsync(SoakOptions options)
    {
        var invariant = CultureInfo.InvariantCulture;
        void Say(string line) => Console.WriteLine(line);

        await using var redis = await RedisServer.StartAsync(persistent: !options.RedisVolatile);
        string[] nodeArguments = ["--redis", redis.EndPoint, "--history", options.History.ToString(invariant)];
        var slots = new List<ServerSlot>();
        try
        {
            for (var i = 0; i < options.Nodes; i++)
            {
                slots.Add(new ServerSlot(await ServerProcess.StartAsync(options.BroadcastDll, 0, nodeArguments), options.BroadcastDll, nodeArguments));
            }
            Say(string.Create(invariant, $"redis-server on {redis.EndPoint} ({(options.RedisVolatile ? "volatile" : "append-only file, synced at every write")}); {options.Nodes} nodes on ports {string.Join(", ", slots.Select(s => s.Current.Port))}; the room keeps {options.History} messages"));
            return await RunAsync(options, redis, slots, Say);
        }
        finally
        {
            foreach (var slot in slots) await slot.DisposeAsync();
        }
    }

    private static async Task<int> RunAsync(SoakOptions options, RedisServer redis, List<ServerSlot> slots, Action<string> say)
    {
        var invariant = CultureInfo.InvariantCulture;
        var nodes = new ClusterNodes(slots);
        var latency = new LatencyHistogram();
        var members = Enumerable.Range(0, options.Clients)
            .Select(i => new RoomMember(string.Create(invariant, $"u{i:D4}"), nodes, i % options.Nodes, latency)).ToList();
        using (var connecting = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            await Parallel.ForEachAsync(members, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = connecting.Token },
                async (member, token) => await member.StartAsync(token));
        }
        // A member is in the room once its join notice came: only then is everything sent owed to it.
        if (!await Until(() => members.All(m => m.IsLive), TimeSpan.FromSeconds(60))) say("warning: not every member joined the room within 60 s");
        say(string.Create(invariant, $"{members.Count} members in the room, spread over {options.Nodes} nodes"));

        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromMinutes(options.Minutes);
        using var stop = new CancellationTokenSource();
        var senders = members.Select(async member =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(options.IntervalMs)), stop.Token);
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.IntervalMs));
                do
                {
                    await member.TrySendAsync();
                }
                while (await timer.WaitForNextTickAsync(stop.Token));
            }
            catch (OperationCanceledException)
            {
            }
        }).ToArray();

        // The faults, at fixed points of the run: a node killed and started again, then redis-server.
        var victim = options.Nodes - 1;
        var faults = Task.Run(async () =>
        {
            async Task At(double fraction) => await Task.Delay(duration * fraction - clock.Elapsed is { Ticks: > 0 } wait ? wait : TimeSpan.Zero, stop.Token);
            try
            {
                await At(0.25);
                await slots[victim].KillAsync();
                say(string.Create(invariant, $"  {clock.Elapsed:mm\\:ss}  node {victim + 1} killed (SIGKILL)"));
                await At(0.40);
                await slots[victim].StartAgainAsync();
                say(string.Create(invariant, $"  {clock.Elapsed:mm\\:ss}  node {victim + 1} started again (pid {slots[victim].Current.Id})"));
                await At(0.60);
                await redis.RestartAsync(TimeSpan.FromSeconds(2));
                say(string.Create(invariant, $"  {clock.Elapsed:mm\\:ss}  redis-server killed, started again 2 s later"));
            }
            catch (OperationCanceledException)
            {
            }
        });
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(15));
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token))
                {
                    say(string.Create(invariant, $"  {clock.Elapsed:mm\\:ss}  sent {members.Sum(m => m.LastSeq)}, received {members.Sum(m => m.Receipts.Count)}, connections {members.Sum(m => m.Joined)} ({members.Sum(m => m.Generations)} attempts), moves {members.Sum(m => m.Moves)}, p99 {latency.Percentile(0.99).TotalMilliseconds:F1} ms"));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        try
        {
            await Task.Delay(duration, CancellationToken.None);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(senders);
            await faults;
            await sampler;
        }

        // Everyone back in the room; then one last message each, which every member must receive.
        var settled = await Until(() => members.All(m => m.IsLive), TimeSpan.FromSeconds(60));
        foreach (var member in members)
        {
            for (var attempt = 0; attempt < 100 && !await member.TrySendAsync(); attempt++) await Task.Delay(100);
        }
        var drained = await Until(() => members.All(r => members.All(s => r.HasSeen(s.Name, s.LastSeq))), TimeSpan.FromSeconds(60));
        var elapsed = clock.Elapsed;
        await Parallel.ForEachAsync(members, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (member, _) => await member.DisposeAsync());
        var nodesAlive = slots.All(s => !s.Current.HasExited);

        var history = await ReadHistoryAsync(redis.EndPoint);
        if (options.Dump is { } dump) await DumpAsync(dump, members);
        var check = Check(members, history);

        say("");
        say("multi-node soak report");
        say(string.Create(invariant, $"  nodes               {options.Nodes} on one redis-server; {members.Count} members (WebSocket), one message each per {options.IntervalMs} ms"));
        say(string.Create(invariant, $"  duration            {elapsed.TotalMinutes:F2} min ({options.Minutes} min of traffic, then the final round)"));
        say(string.Create(invariant, $"  faults              node {victim + 1} killed and started again; redis-server killed and started again ({redis.Restarts}x, {(options.RedisVolatile ? "volatile: history lost" : "history kept")})"));
        say(string.Create(invariant, $"  history             {history.Entries.Count} messages in the room's final history (epoch {history.Epoch}); {check.Epochs} epoch(s) seen"));
        say(string.Create(invariant, $"  latency             p50 {Ms(latency.Percentile(0.50))}, p99 {Ms(latency.Percentile(0.99))}, max {Ms(latency.Max)} ({latency.Count} receipts, replays included)"));
        say("");
        say("  member  moves  connections  sent  unconfirmed  delivered  reported  lost  duplicates");
        foreach (var row in check.Rows)
        {
            say(string.Create(invariant, $"  {row.Name}  {row.Moves,5}  {row.Connections,11}  {row.Sent,4}  {row.Unconfirmed,11}  {row.Delivered,9}  {row.Reported,8}  {row.Lost,4}  {row.Duplicates,10}"));
        }
        say(string.Create(invariant, $"  total   {check.Rows.Sum(r => r.Moves),5}  {check.Rows.Sum(r => r.Connections),11}  {check.Rows.Sum(r => r.Sent),4}  {check.Rows.Sum(r => r.Unconfirmed),11}  {check.Rows.Sum(r => r.Delivered),9}  {check.Rows.Sum(r => r.Reported),8}  {check.Rows.Sum(r => r.Lost),4}  {check.Rows.Sum(r => r.Duplicates),10}"));
        say("  (unconfirmed: sent on a connection that then died, and in no history: in flight at a fault, which the sender saw;");
        say("   reported: missed while the member's join said recovered=false; lost: missed without being told)");

        var failures = new List<string>();
        if (!nodesAlive) failures.Add("a node exited");
        if (!settled) failures.Add("not every member was back in the room at the end");
        if (!drained) failures.Add("the final messages did not all arrive");
        var lost = check.Rows.Sum(r => r.Lost);
        var duplicates = check.Rows.Sum(r => r.Duplicates);
        if (lost > 0) failures.Add($"{lost} deliveries lost silently");
        if (duplicates > 0) failures.Add($"{duplicates} deliveries duplicated");
        if (check.Dropped > 0) failures.Add($"{check.Dropped} messages sent on a live connection never reached the room");
        if (check.PublishedTwice > 0) failures.Add($"{check.PublishedTwice} messages stored twice");
        if (check.Conflicts > 0) failures.Add($"{check.Conflicts} positions held different messages for different members");
        if (check.Unplaced > 0) failures.Add($"{check.Unplaced} receipts without a position");
        say(failures.Count == 0 ? "  result              PASS" : "  result              FAIL: " + string.Join("; ", failures));
        return failures.Count == 0 ? 0 : 1;
    }

    /// <summary>The room's history as Redis holds it at the end: its epoch and, by offset, each message's sender and number.</summary>
    private static async Task<History> ReadHistoryAsync(string endPoint)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(endPoint);
        var database = connection.GetDatabase();
        var prefix = $"switchboard:{{{Endpoint}}}:";
        var epoch = (string?)await database.HashGetAsync(prefix + "history-meta:" + RoomMember.Room, "e") ?? "";
        var entries = new Dictionary<long, (string Sender, int Seq)>();
        foreach (var entry in await database.StreamRangeAsync(prefix + "history:" + RoomMember.Room))
        {
            var id = (string)entry.Id!;
            var offset = long.Parse(id.AsSpan(0, id.IndexOf('-', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
            var body = Encoding.UTF8.GetString((byte[])entry["f"]!);
            if (Numbered().Match(body) is { Success: true } match)
                entries[offset] = (match.Groups[1].Value, int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        }
        return new History(epoch, entries);
    }

    /// <summary>
    /// Checks every member's receipts. The truth of a position (epoch, offset) is the final history in Redis, and for
    /// positions it no longer holds (an earlier epoch) what any member received there. A member owes every position of
    /// an epoch from where it entered it (its join's offset) to the epoch's last; a join that said recovered=false
    /// excuses the positions between the one it presented and the join's (to the end of the old epoch, and the new
    /// epoch's start, when the epoch changed). Missing from the rest is lost.
    /// </summary>
    private static Checked Check(List<RoomMember> members, History history)
    {
        var truth = new Dictionary<(string Epoch, long Offset), (string Sender, int Seq)>();
        foreach (var (offset, message) in history.Entries) truth[(history.Epoch, offset)] = message;
        var conflicts = 0;
        var unplaced = 0;
        var receipts = members.ToDictionary(m => m.Name, m => m.Receipts);
        foreach (var receipt in receipts.Values.SelectMany(r => r))
        {
            if (receipt.Epoch.Length == 0)
            {
                unplaced++;
                continue;
            }
            var key = (receipt.Epoch, receipt.Offset);
            if (!truth.TryGetValue(key, out var known)) truth[key] = (receipt.Sender, receipt.Seq);
            else if (known != (receipt.Sender, receipt.Seq)) conflicts++;
        }
        var top = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (epoch, offset) in truth.Keys) top[epoch] = Math.Max(top.GetValueOrDefault(epoch), offset);
        var published = truth.Values.GroupBy(m => m).ToDictionary(g => g.Key, g => g.Count());

        var rows = new List<Row>();
        var dropped = 0;
        foreach (var member in members)
        {
            var mine = receipts[member.Name];
            var received = new HashSet<(string, long)>();
            var duplicates = 0;
            var messages = new HashSet<(string, int)>();
            foreach (var receipt in mine)
            {
                if (receipt.Epoch.Length > 0 && !received.Add((receipt.Epoch, receipt.Offset))) duplicates++;
                else if (!messages.Add((receipt.Sender, receipt.Seq))) duplicates++; // the same message at another position
            }
            var owed = new HashSet<(string, long)>();
            var excused = new HashSet<(string, long)>();
            void Range(HashSet<(string, long)> set, string epoch, long from, long to)
            {
                for (var offset = from; offset <= to; offset++) set.Add((epoch, offset));
            }
            foreach (var join in member.Joins)
            {
                if (join.Recovered == true) continue; // everything after the presented position follows
                if (join.Recovered == false && join.Presented is { } presented)
                {
                    if (presented.Epoch == join.Epoch)
                    {
                        Range(excused, join.Epoch, presented.Offset + 1, join.Offset);
                        continue;
                    }
                    Range(excused, presented.Epoch, presented.Offset + 1, top.GetValueOrDefault(presented.Epoch));
                    Range(excused, join.Epoch, 1, join.Offset);
                }
                Range(owed, join.Epoch, join.Offset + 1, top.GetValueOrDefault(join.Epoch));
            }
            var reported = excused.Count(p => !received.Contains(p));
            var lost = owed.Count(p => !received.Contains(p) && !excused.Contains(p));

            // The member as a sender: a number in no history went out on a connection that then died (unconfirmed), or
            // was dropped while its connection lived on.
            var sentOn = member.SentOn;
            var last = member.Generation;
            var unconfirmed = 0;
            for (var seq = 1; seq < sentOn.Count; seq++)
            {
                if (published.ContainsKey((member.Name, seq))) continue;
                var generation = sentOn[seq];
                var later = false;
                for (var next = seq + 1; next < sentOn.Count && sentOn[next] == generation; next++)
                {
                    if (published.ContainsKey((member.Name, next)))
                    {
                        later = true;
                        break;
                    }
                }
                if (later || generation == last) dropped++;
                else unconfirmed++;
            }
            rows.Add(new Row(member.Name, member.Moves, member.Joined, sentOn.Count - 1, unconfirmed, received.Count, reported, lost, duplicates));
        }
        return new Checked(rows, dropped, published.Values.Count(c => c > 1), conflicts, unplaced, top.Count);
    }

    /// <summary>Every member's joins and receipts, in order, one a line: what the check was made from.</summary>
    private static async Task DumpAsync(string path, List<RoomMember> members)
    {
        await using var writer = new StreamWriter(path);
        foreach (var member in members)
        {
            foreach (var join in member.Joins)
            {
                var presented = join.Presented is { } p ? string.Create(CultureInfo.InvariantCulture, $"{p.Epoch}:{p.Offset}") : "none";
                await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{member.Name} join connection {join.Generation} presented {presented} joined {join.Epoch}:{join.Offset} recovered {join.Recovered?.ToString() ?? "null"}"));
            }
            foreach (var receipt in member.Receipts)
                await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{member.Name} received {receipt.Epoch}:{receipt.Offset} {receipt.Sender}#{receipt.Seq}"));
        }
    }

    private static string Ms(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalMilliseconds:F1} ms");

    private static async Task<bool> Until(Func<bool> condition, TimeSpan within)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(within.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline) return false;
            await Task.Delay(100);
        }
        return true;
    }

    [GeneratedRegex(@"(u\d{4,})\|(\d+)\|\d+")]
    private static partial Regex Numbered();

    private sealed record History(string Epoch, Dictionary<long, (string Sender, int Seq)> Entries);

    private sealed record Row(string Name, int Moves, int Connections, int Sent, int Unconfirmed, int Delivered, int Reported, int Lost, int Duplicates);

    private sealed record Checked(List<Row> Rows, int Dropped, int PublishedTwice, int Conflicts, int Unplaced, int Epochs);
}
