using System.Net.Sockets;

namespace Switchboard.Benchmarks.Load.Scenarios;

/// <summary>
/// K idle connections: opened, held without traffic (pings are answered), then counted. The server's memory per
/// connection is the growth of its resident set (VmRSS) from a baseline taken after a few warm-up connections (so
/// code paths are jitted and pools exist) to the end of the hold, divided by the connections that opened.
/// </summary>
internal static class IdleScenario
{
    public static async Task<Result> RunAsync(Options options)
    {
        var settings = CommonSettings.From(options, warmup: 1, duration: 3, sourceIps: 4);
        var count = options.GetInt("connections", 2000, 1);
        var warmupConnections = options.GetInt("warmup-connections", 50, 0);
        var parallel = options.GetInt("parallel", 32, 1);
        options.EnsureAllUsed();
        if (settings.ServerPid is not { } pid) throw new UsageException("idle needs the server's memory: give --server-pid (none listens on the port that this user can see)");

        var result = settings.NewResult("idle", $"K={count}");
        var failures = new Dictionary<string, int>(StringComparer.Ordinal);
        using var stop = new CancellationTokenSource();

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
