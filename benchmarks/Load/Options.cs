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
    /// <summary>The servers to connect to: one, or (for a scenario that spans nodes) one per node.</summary>
    public required IReadOnlyList<Target> Targets { get; init; }

    /// <summary>The first (for most scenarios the only) server.</summary>
    public Target Target => Targets[0];

    public required string Label { get; init; }
    public int Round { get; init; }
    public string? OutputFile { get; init; }

    /// <summary>The processes whose CPU the server side is charged with: every node, and any process they share (Redis).</summary>
    public required IReadOnlyList<int> ServerPids { get; init; }

    /// <summary>The one server process, when there is exactly one.</summary>
    public int? ServerPid => ServerPids.Count == 1 ? ServerPids[0] : null;

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

    /// <summary>
    /// The common options. <c>--url</c> is one URL, or with <paramref name="manyUrls"/> a comma-separated list of them
    /// (one per node); <c>--server-pid</c> is a comma-separated list of process ids, by default the processes listening
    /// on the URLs' ports.
    /// </summary>
    public static CommonSettings From(Options options, double warmup, double duration, int sourceIps, WireFormat defaultFormat = WireFormat.Envelope,
        bool manyUrls = false)
    {
        var format = options.Get("format", defaultFormat == WireFormat.SignalR ? "signalr" : "envelope") switch
        {
            "envelope" => WireFormat.Envelope,
            "signalr" => WireFormat.SignalR,
            var other => throw new UsageException($"--format is envelope or signalr, not '{other}'"),
        };
        var urls = options.Required("url").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (urls.Length == 0 || (urls.Length > 1 && !manyUrls)) throw new UsageException($"--url must be one URL here, not '{options.Get("url", "")}'");
        var targets = urls.Select(u => Target.Parse(u, format)).ToList();
        var pids = options.Has("server-pid")
            ? options.Get("server-pid", "").Split(',').Select(ParsePid).ToList()
            : targets.Select(t => ProcStats.FindListener(t.Port)).OfType<int>().Distinct().ToList();
        return new CommonSettings
        {
            Targets = targets,
            Label = options.Get("label", string.Join(',', targets)),
            Round = options.GetInt("round", 0),
            OutputFile = options.Has("out") ? options.Get("out", "") : null,
            ServerPids = pids,
            Warmup = options.GetSeconds("warmup", warmup),
            Duration = options.GetSeconds("duration", duration),
            Sources = new SourceAddresses(targets[0].Address, options.GetInt("source-ips", sourceIps, 1)),
        };
    }

    private static int ParsePid(string text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0
        ? pid
        : throw new UsageException($"--server-pid must be process ids separated by commas, not '{text}'");
}
