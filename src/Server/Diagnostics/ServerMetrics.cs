using System.Diagnostics.Metrics;

namespace Switchboard.Server.Diagnostics;

/// <summary>
/// The server's instruments, created once per server on its own <see cref="Meter"/> named <see cref="MeterName"/>, so
/// dotnet-counters and OpenTelemetry find them by that name. Thread-safe.
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    /// <summary>The name of every server's meter.</summary>
    public const string MeterName = "Switchboard.Server";

    /// <summary>The tag that names the limit on <c>switchboard.server.limit.hits</c>.</summary>
    public const string LimitTag = "switchboard.limit";

    private readonly Counter<long> _limitHits;

    public ServerMetrics()
    {
        Meter = new Meter(MeterName, typeof(ServerMetrics).Assembly.GetName().Version?.ToString());
        _limitHits = Meter.CreateCounter<long>("switchboard.server.limit.hits", "{hit}",
            "Connections, requests, sessions and messages refused or closed because a client went over a limit.");
    }

    /// <summary>This server's meter: a listener tells two servers in one process apart by it.</summary>
    public Meter Meter { get; }

    /// <summary>Counts one hit of <paramref name="limit"/>.</summary>
    public void LimitHit(ServerLimit limit) => _limitHits.Add(1, new KeyValuePair<string, object?>(LimitTag, limit.ToString()));

    public void Dispose() => Meter.Dispose();
}
