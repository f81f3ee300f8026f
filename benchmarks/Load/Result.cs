using System.Text.Json;

namespace Switchboard.Benchmarks.Load;

/// <summary>
/// One measurement: a scenario with its parameters against one server in one round. Written as one JSON line to
/// the results file (<c>report</c> turns a file of them into the table) and as one readable line to the console.
/// </summary>
internal sealed class Result
{
    private readonly SortedDictionary<string, double> _metrics = new(StringComparer.Ordinal);

    public required string Scenario { get; init; }

    /// <summary>The parameters, e.g. <c>C=32 P=8 S=32</c>: rows with the same case are compared.</summary>
    public required string Case { get; init; }

    public required string Server { get; init; }

    public int Round { get; init; }

    public List<string> Notes { get; } = [];

    public double this[string metric]
    {
        get => _metrics.TryGetValue(metric, out var value) ? value : double.NaN;
        set => _metrics[metric] = value;
    }

    public IEnumerable<KeyValuePair<string, double>> Metrics => _metrics;

    public void AddLatency(string prefix, LatencyHistogram histogram)
    {
        this[prefix + "P50Us"] = histogram.PercentileMicroseconds(50);
        this[prefix + "P99Us"] = histogram.PercentileMicroseconds(99);
        this[prefix + "P999Us"] = histogram.PercentileMicroseconds(99.9);
        this[prefix + "MaxUs"] = histogram.MaxMicroseconds;
    }

    /// <summary>The window's wall time (measured and asked for) and CPU, with the CPU per unit of work named <paramref name="perUnit"/>.</summary>
    public void AddCpu(CpuWindow window, TimeSpan requested, string perUnit, long units)
    {
        this["seconds"] = window.Seconds;
        this["requestedSeconds"] = requested.TotalSeconds;
        // Clock ticks are 10 ms: no tick at all says nothing about the cost per unit.
        if (units > 0 && window.ServerCpuSeconds > 0) this["serverCpuUsPer" + perUnit] = window.ServerCpuSeconds * 1e6 / units;
        if (units > 0 && window.LoadCpuSeconds > 0) this["loadCpuUsPer" + perUnit] = window.LoadCpuSeconds * 1e6 / units;
        this["serverCpuPct"] = window.ServerCpuPercent;
        this["loadCpuPct"] = window.LoadCpuPercent;
    }

    public string ToJsonLine()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("scenario", Scenario);
            writer.WriteString("case", Case);
            writer.WriteString("server", Server);
            writer.WriteNumber("round", Round);
            foreach (var (name, value) in _metrics)
            {
                if (double.IsFinite(value)) writer.WriteNumber(name, Math.Round(value, 3));
            }
            if (Notes.Count > 0)
            {
                writer.WriteStartArray("notes");
                foreach (var note in Notes) writer.WriteStringValue(note);
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public static Result FromJson(JsonElement element)
    {
        var result = new Result
        {
            Scenario = element.GetProperty("scenario").GetString()!,
            Case = element.GetProperty("case").GetString()!,
            Server = element.GetProperty("server").GetString()!,
            Round = element.TryGetProperty("round", out var round) ? round.GetInt32() : 0,
        };
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Number && property.Name != "round") result[property.Name] = property.Value.GetDouble();
            if (property.Name == "notes") result.Notes.AddRange(property.Value.EnumerateArray().Select(n => n.GetString()!));
        }
        return result;
    }

    public override string ToString()
    {
        var metrics = string.Join(' ', _metrics.Where(m => double.IsFinite(m.Value)).Select(m => FormattableString.Invariant($"{m.Key}={m.Value:0.###}")));
        var notes = Notes.Count > 0 ? "  [" + string.Join("; ", Notes) + "]" : "";
        return $"{Scenario} {Case} server={Server} round={Round}: {metrics}{notes}";
    }
}
