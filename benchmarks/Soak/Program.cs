using System.Diagnostics;
using System.Globalization;
using Switchboard.Client;
using Switchboard.Soak;

// A bounded soak of the chat sample on loopback: the server runs as its own process, N clients chat for M minutes,
// each checking it gets every other member's messages in order; optional faults reset client connections at random,
// and the server can be killed and started again on the same port every so often.
// The last lines are the report; the exit status is non-zero when a message was lost or the server kept a socket.
// With --cluster, the multi-node run instead (ClusterSoak): N nodes on one redis-server, a node and Redis killed.
// Usage (scripts/soak.sh builds and runs it):
//   Switchboard.Soak [--clients N] [--minutes M] [--interval-ms I] [--long-polling FRACTION] [--faults]
//                    [--fault-every-ms F] [--fault-resets K] [--restart-every-s S] [--chat PATH/Chat.dll]
//   Switchboard.Soak --cluster [--nodes N] [--clients N] [--minutes M] [--interval-ms I] [--history N] [--redis-volatile]
//                    [--broadcast PATH/SwitchboardBroadcast.dll] [--dump FILE]
var options = SoakOptions.Parse(args);
if (options is null) return 2;
if (options.Cluster) return await ClusterSoak.RunAsync(options);

var invariant = CultureInfo.InvariantCulture;
void Say(string line) => Console.WriteLine(line);

await using var server = new ServerSlot(await ServerProcess.StartAsync(options.ChatDll), options.ChatDll);
await Task.Delay(1000); // let start-up settle before the first sample
var rssStart = server.Current.ResidentBytes();
var socketsStart = ProcStats.SocketCount(server.Current.Id);
long rssPeak = rssStart;
Say(string.Create(invariant, $"chat server pid {server.Current.Id} on port {server.Current.Port}: RSS {Mib(rssStart)}, {socketsStart} sockets open"));

await using var relay = options.Faults ? new Relay(server.Current.Port) : null;
var target = new Uri($"ws://127.0.0.1:{relay?.Port ?? server.Current.Port}");
var latency = new LatencyHistogram();
var clients = new List<SoakClient>();
var longPolling = (int)Math.Round(options.Clients * options.LongPollingFraction);
for (var i = 0; i < options.Clients; i++)
{
    // Exactly longPolling of the clients use long polling, spread evenly among the rest.
    var transport = i * longPolling % options.Clients < longPolling ? SwitchboardTransport.LongPolling : SwitchboardTransport.WebSocket;
    clients.Add(new SoakClient(string.Create(invariant, $"u{i:D4}"), target, transport, latency));
}

using (var connecting = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
{
    await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = connecting.Token },
        async (client, token) => await client.ConnectAsync(token));
}
var through = options.Faults ? string.Create(invariant, $", through a relay that resets {options.FaultResets} connections every {options.FaultEveryMs} ms") : "";
Say(string.Create(invariant, $"{clients.Count} clients connected ({clients.Count(c => c.Transport == SwitchboardTransport.LongPolling)} over long polling){through}"));

var clock = Stopwatch.StartNew();
var duration = TimeSpan.FromMinutes(options.Minutes);
using var stop = new CancellationTokenSource();
var faultsInjected = 0;

var senders = clients.Select(async client =>
{
    var interval = TimeSpan.FromMilliseconds(options.IntervalMs);
    try
    {
        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(options.IntervalMs)), stop.Token);
        using var timer = new PeriodicTimer(interval);
        do
        {
            await client.TrySendAsync();
        }
        while (await timer.WaitForNextTickAsync(stop.Token));
    }
    catch (OperationCanceledException)
    {
    }
}).ToArray();

var restarts = Task.Run(async () =>
{
    if (options.RestartEverySeconds is not { } every) return;
    try
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(every));
        while (await timer.WaitForNextTickAsync(stop.Token))
        {
            await server.RestartAsync();
            Say(string.Create(invariant, $"  {clock.Elapsed:mm\\:ss}  server killed and started again (pid {server.Current.Id})"));
        }
    }
    catch (OperationCanceledException)
    {
    }
});

var faults = Task.Run(async () =>
{
    if (relay is null) return;
    var random = new Random(12345);
    try
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.FaultEveryMs));
        while (await timer.WaitForNextTickAsync(stop.Token)) Interlocked.Add(ref faultsInjected, relay.ResetRandom(options.FaultResets, random));
    }
    catch (OperationCanceledException)
    {
    }
});

var sampler = Task.Run(async () =>
{
    using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
    var lastReport = TimeSpan.Zero;
    while (await timer.WaitForNextTickAsync())
    {
        var rss = server.Current.ResidentBytes(); // -1 while a restart replaces the process
        if (rss > Interlocked.Read(ref rssPeak)) Interlocked.Exchange(ref rssPeak, rss);
        if (clock.Elapsed >= duration + TimeSpan.FromMinutes(5)) return;
        if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(15) && clock.Elapsed < duration)
        {
            lastReport = clock.Elapsed;
            Say(string.Create(invariant, $"  {clock.Elapsed:mm\\:ss}  sent {clients.Sum(c => c.Sent)}, delivered {clients.Sum(c => c.Delivered)}, lost {clients.Sum(c => c.Lost)}, reconnects {clients.Sum(c => c.Reconnects)}, p99 {latency.Percentile(0.99).TotalMilliseconds:F1} ms, RSS {Mib(rss)}"));
        }
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
    await restarts;
}

// The end: with faults over, everyone must be back in the room; then each sends one last message, which every member
// must receive.
var settled = await Until(() => clients.All(c => c.Client.State == ConnectionState.Connected), TimeSpan.FromSeconds(60));
foreach (var client in clients)
{
    for (var attempt = 0; attempt < 100 && !await client.TrySendAsync(); attempt++) await Task.Delay(100);
}
var drained = await Until(() => clients.All(b => b.IsLive && clients.All(s => b.LastFrom(s.Name) >= s.LastSeq)), TimeSpan.FromSeconds(60));
foreach (var receiver in clients)
{
    foreach (var sender in clients) receiver.CountMissingTail(sender.Name, sender.LastSeq);
}
var elapsed = clock.Elapsed;

var sent = clients.Sum(c => c.Sent);
var delivered = clients.Sum(c => c.Delivered);
var lost = clients.Sum(c => c.Lost);
var duplicates = clients.Sum(c => c.Duplicates);
var reconnects = clients.Sum(c => c.Reconnects);
var refusals = clients.Sum(c => c.Refusals);
await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (client, _) => await client.DisposeAsync());

// The server must let go of every client socket once they are all closed.
await Until(() => ProcStats.SocketCount(server.Current.Id) <= socketsStart, TimeSpan.FromSeconds(30));
await Task.Delay(TimeSpan.FromSeconds(3));
var rssEnd = server.Current.ResidentBytes();
var socketsEnd = ProcStats.SocketCount(server.Current.Id);
var serverAlive = !server.Current.HasExited;

Say("");
Say("soak report");
Say(string.Create(invariant, $"  clients             {clients.Count} ({clients.Count(c => c.Transport == SwitchboardTransport.WebSocket)} WebSocket, {clients.Count(c => c.Transport == SwitchboardTransport.LongPolling)} long polling), one message each per {options.IntervalMs} ms"));
Say(string.Create(invariant, $"  duration            {elapsed.TotalMinutes:F2} min ({options.Minutes} min of traffic, then the final round)"));
var faultText = options.Faults ? string.Create(invariant, $"{faultsInjected} connections reset") : "no resets";
Say(string.Create(invariant, $"  faults              {faultText}, {server.Restarts} server restarts (killed)"));
Say(string.Create(invariant, $"  messages sent       {sent}"));
Say(string.Create(invariant, $"  deliveries checked  {delivered}"));
Say(string.Create(invariant, $"  lost                {lost}"));
Say(string.Create(invariant, $"  duplicates          {duplicates}"));
Say(string.Create(invariant, $"  reconnects          {reconnects} ({refusals} rejoins refused as name taken, then retried)"));
Say(string.Create(invariant, $"  latency             p50 {Ms(latency.Percentile(0.50))}, p99 {Ms(latency.Percentile(0.99))}, max {Ms(latency.Max)} ({latency.Count} samples)"));
Say(string.Create(invariant, $"  server RSS          start {Mib(rssStart)}, peak {Mib(Interlocked.Read(ref rssPeak))}, end {Mib(rssEnd)}"));
Say(string.Create(invariant, $"  server sockets      start {socketsStart}, end {socketsEnd}"));
var failures = new List<string>();
if (!serverAlive) failures.Add("the server exited:\n" + server.Current.Tail);
if (!settled) failures.Add("not every client was connected at the end");
if (!drained) failures.Add("the final messages did not all arrive");
if (lost > 0) failures.Add($"{lost} messages lost");
if (socketsEnd > socketsStart) failures.Add($"the server holds {socketsEnd - socketsStart} more sockets than before the clients came");
Say(failures.Count == 0 ? "  result              PASS" : "  result              FAIL: " + string.Join("; ", failures));
return failures.Count == 0 ? 0 : 1;

static string Mib(long bytes) => bytes < 0 ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):F1} MiB");

static string Ms(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalMilliseconds:F1} ms");

static async Task<bool> Until(Func<bool> condition, TimeSpan within)
{
    var deadline = Stopwatch.GetTimestamp() + (long)(within.TotalSeconds * Stopwatch.Frequency);
    while (!condition())
    {
        if (Stopwatch.GetTimestamp() > deadline) return false;
        await Task.Delay(100);
    }
    return true;
}
