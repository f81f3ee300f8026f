using System.Globalization;

namespace Switchboard.Benchmarks.Load;

/// <summary>A command line the tool cannot run: the message is printed with the usage.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary><c>--name value</c> pairs (a name with no value is a flag); every option must be used by the scenario.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public Options(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal) || list[i].Length < 3) throw new UsageException($"unexpected argument '{list[i]}'");
            var name = list[i][2..];
            var value = i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal) ? list[++i] : "true";
            if (!_values.TryAdd(name, value)) throw new UsageException($"--{name} is given twice");
        }
    }

    public bool Has(string name)
    {
        _used.Add(name);
        return _values.ContainsKey(name);
    }

    public string Get(string name, string fallback)
    {
        _used.Add(name);
        return _values.GetValueOrDefault(name, fallback);
    }

    public string Required(string name)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out var value) ? value : throw new UsageException($"--{name} is required");
    }

    public int GetInt(string name, int fallback, int min = 0)
    {
        var text = Get(name, fallback.ToString(CultureInfo.InvariantCulture));
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
            throw new UsageException($"--{name} must be an integer >= {min}, not '{text}'");
        return value;
    }

    public TimeSpan GetSeconds(string name, double fallback)
    {
        var text = Get(name, fallback.ToString(CultureInfo.InvariantCulture));
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
            throw new UsageException($"--{name} must be a number of seconds >= 0, not '{text}'");
        return TimeSpan.FromSeconds(value);
    }

    /// <summary>Fails on any option no one asked for (a typo must not silently run the defaults).</summary>
    public void EnsureAllUsed()
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new UsageException("unknown option(s): " + string.Join(", ", unknown.Select(u => "--" + u)));
    }
}

/// <summary>What every scenario takes: the target, the timing, where the result goes and whose CPU to read.</summary>
internal sealed class CommonSettings
{
    public required Target Target { get; init; }
    public required string Label { get; init; }
    public int Round { get; init; }
    public string? OutputFile { get; init; }
    public int? ServerPid { get; init; }
    public TimeSpan Warmup { get; init; }
    public TimeSpan Duration { get; init; }
    public SourceAddresses Sources { get; init; } = null!;

    /// <summary>An empty result of this run, for one case of <paramref name="scenario"/>; the case is formatted invariantly.</summary>
    public Result NewResult(string scenario, FormattableString @case) => new()
    {
        Scenario = scenario,
        Case = FormattableString.Invariant(@case),
        Server = Label,
        Round = Round,
    };

    public static CommonSettings From(Options options, double warmup, double duration, int sourceIps, WireFormat defaultFormat = WireFormat.Envelope)
    {
        var format = options.Get("format", defaultFormat == WireFormat.SignalR ? "signalr" : "envelope") switch
        {
            "envelope" => WireFormat.Envelope,
            "signalr" => WireFormat.SignalR,
            var other => throw new UsageException($"--format is envelope or signalr, not '{other}'"),
        };
        var target = Target.Parse(options.Required("url"), format);
        int? pid = options.Has("server-pid") ? options.GetInt("server-pid", 0, 1) : ProcStats.FindListener(target.Port);
        return new CommonSettings
        {
            Target = target,
            Label = options.Get("label", target.ToString()),
            Round = options.GetInt("round", 0),
            OutputFile = options.Has("out") ? options.Get("out", "") : null,
            ServerPid = pid,
            Warmup = options.GetSeconds("warmup", warmup),
            Duration = options.GetSeconds("duration", duration),
            Sources = new SourceAddresses(target.Address, options.GetInt("source-ips", sourceIps, 1)),
        };
    }
}
