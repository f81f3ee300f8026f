using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Switchboard.Server.Diagnostics;

namespace Switchboard.Server.Tests;

/// <summary>Records the <c>switchboard.server.limit.hits</c> of one server, by limit, for tests that assert a limit was counted.</summary>
internal sealed class LimitMetrics : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _hits = new(StringComparer.Ordinal);

    public LimitMetrics(WebSocketServer server)
    {
        var meter = server.Metrics.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == ServerMetrics.LimitTag) _hits.AddOrUpdate((string)tag.Value!, value, (_, sum) => sum + value);
            }
        });
        _listener.Start();
    }

    /// <summary>Hits of <paramref name="limit"/> counted so far.</summary>
    public long this[ServerLimit limit] => _hits.GetValueOrDefault(limit.ToString());

    public void Dispose() => _listener.Dispose();
}
