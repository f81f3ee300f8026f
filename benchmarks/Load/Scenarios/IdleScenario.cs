using System.Net.Sockets;

namespace Switchboard.Benchmarks.Load.Scenarios;

/// <summary>
/// K idle connections: opened, held without traffic (pings are answered), then counted. The server's memory per
/// connection is the growth of its resident set (VmRSS) from a baseline to the end of the hold, divided by the
/// connections that opened. Before the baseline, a churn of connections is opened and closed, so every path of an
/// opening and a close has run often enough for the runtime to compile it at full optimization, and a few warm-up
/// connections are held: the growth is then what the K connections cost, not the server's one-time code.
/// </summary>
internal static class IdleScenario
{
    public static async Task<Result> RunAsync(Options options)
    {
        var settings = CommonSettings.From(options, warmup: 2, duration: 3, sourceIps: 4);
        var count = options.GetInt("connections", 2000, 1);
        var churn = options.GetInt("churn", 250, 0);
        var churnRounds = options.GetInt("churn-rounds", 12, 1);
        var warmupConnections = options.GetInt("warmup-connections", 50, 0);
        var parallel = options.GetInt("parallel", 32, 1);
        options.EnsureAllUsed();
        if (settings.ServerPid is not { } pid) throw new UsageException("idle needs the server's memory: give --server-pid (none listens on the port that this user can see)");

        var result = settings.NewResult("idle", $"K={count}");
        var failures = new Dictionary<string, int>(StringComparer.Ordinal);
        using var stop = new CancellationTokenSource();

        // Without it, the baseline is taken while the opening's code still runs unoptimized: the runtime then compiles
        // it during the measured opening, and that code (about 2 MiB of it, with the assembly pages it reads) counted
        // as a kilobyte per connection at K=2000. The runtime moves a method up one tier at a time, each after some
        // 30 calls that start only once no new code has been compiled for a moment: hence rounds, with a pause after each.
        var churnFailures = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var round = 0; round < churnRounds && churn > 0; round++)
        {
            var churned = await Connections.OpenAsync(settings, churn, parallel, churnFailures, CancellationToken.None);
            await Connections.CloseAllAsync(churned, TimeSpan.FromSeconds(3));
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        if (churnFailures.Count > 0) result.Notes.Add($"{churnFailures.Values.Sum()} of the {churn * churnRounds} churn connection(s) failed to open");

        var warm = await Connections.OpenAsync(settings, warmupConnections, parallel, failures, CancellationToken.None);
        var warmLoops = warm.OfType<LoadConnection>().Select(c => HoldAsync(c, stop.Token)).ToList();
        await Task.Delay(settings.Warmup);
        var before = ProcStats.ResidentBytes(pid);

        var started = Environment.TickCount64;
        var opened = await Connections.OpenAsync(settings, count, parallel, failures, CancellationToken.None);
        var openSeconds = (Environment.TickCount64 - started) / 1000.0;
        var holds = opened.OfType<LoadConnection>().Select(c => HoldAsync(c, stop.Token)).ToList();
        await Task.Delay(settings.Duration);
        var after = ProcStats.ResidentBytes(pid);
        var ended = holds.Count(h => h.IsCompleted);

        await stop.CancelAsync();
        await Task.WhenAll(holds.Concat(warmLoops));
        await Connections.CloseAllAsync(opened.Concat(warm), TimeSpan.FromSeconds(3));

        var succeeded = opened.Count(c => c is not null);
        result["attempted"] = count;
        result["opened"] = succeeded;
        result["held"] = succeeded - ended;
        result["openPerSec"] = succeeded / openSeconds;
        result["rssBeforeMiB"] = before / (1024 * 1024);
        result["rssAfterMiB"] = after / (1024 * 1024);
        result["kibPerConn"] = (after - before) / 1024 / Math.Max(1, succeeded);
        Connections.NoteFailures(result, failures);
        if (ended > 0) result.Notes.Add($"{ended} connection(s) ended during the hold");
        return result;
    }

    /// <summary>Reads (answering pings) until cancelled or the server ends the connection.</summary>
    private static async Task HoldAsync(LoadConnection connection, CancellationToken cancellationToken)
    {
        var sink = new NullSink();
        try
        {
            while (true)
            {
                connection.Drain(sink);
                await connection.FlushControlAsync(cancellationToken);
                if (connection.CloseReceived || connection.ProtocolError) return;
                if (!await connection.ReceiveAsync(cancellationToken)) return;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
        {
        }
    }

    private sealed class NullSink : IFrameSink
    {
        public void OnData(ReadOnlySpan<byte> payload, bool fin)
        {
        }
    }
}
