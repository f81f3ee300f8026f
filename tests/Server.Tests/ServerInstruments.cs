using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// Records every measurement of one server's meter, with its tags, and lets a test wait for a condition on them: each
/// measurement wakes the waiter, so nothing sleeps for a fixed time.
/// </summary>
internal sealed class ServerInstruments : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public ServerInstruments(WebSocketServer server)
    {
        var meter = server.Metrics.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    /// <summary>The sum of the measurements of <paramref name="instrument"/> that carry every tag of <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, object? Value)[] tags) => Matching(instrument, tags).Sum(m => m.Value);

    /// <summary>How many measurements of <paramref name="instrument"/> carry every tag of <paramref name="tags"/>.</summary>
    public int Count(string instrument, params (string Key, object? Value)[] tags) => Matching(instrument, tags).Count();

    /// <summary>The measurements of <paramref name="instrument"/> that carry every tag of <paramref name="tags"/>.</summary>
    public IEnumerable<Measurement> Matching(string instrument, params (string Key, object? Value)[] tags)
        => _measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)));

    /// <summary>Waits, woken by each measurement, until <paramref name="condition"/> holds; fails after 15 s.</summary>
    public async Task WaitForAsync(Func<ServerInstruments, bool> condition, string what)
    {
        var deadline = Environment.TickCount64 + 15_000;
        while (!condition(this))
        {
            var left = deadline - Environment.TickCount64;
            if (left <= 0 || !await _arrived.WaitAsync(TimeSpan.FromMilliseconds(left)))
            {
                Assert.True(condition(this), $"not reached in time: {what}; measured: " + string.Join(" | ", _measurements.Select(Describe)));
                return;
            }
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _arrived.Dispose();
    }

    private void Record<T>(System.Diagnostics.Metrics.Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags) where T : struct
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, tag) in tags) copy[key] = tag;
        _measurements.Enqueue(new Measurement(instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), copy));
        _arrived.Release();
    }

    private static string Describe(Measurement m) => $"{m.Instrument} {m.Value} {{{string.Join(", ", m.Tags.Select(t => $"{t.Key}={t.Value}"))}}}";
}
