using System.Globalization;

namespace Switchboard.Soak;

/// <summary>The soak's command line.</summary>
internal sealed record SoakOptions(int Clients, double Minutes, int IntervalMs, double LongPollingFraction, bool Faults, int FaultEveryMs,
    int FaultResets, int? RestartEverySeconds, string ChatDll, bool Cluster, int Nodes, int History, bool RedisVolatile, string BroadcastDll,
    string? Dump)
{
    private const string Usage = "usage: Switchboard.Soak [--clients N] [--minutes M] [--interval-ms I] [--long-polling FRACTION] "
        + "[--faults] [--fault-every-ms F] [--fault-resets K] [--restart-every-s S] [--chat PATH/Chat.dll]\n"
        + "       Switchboard.Soak --cluster [--nodes N] [--clients N] [--minutes M] [--interval-ms I] [--history N] [--redis-volatile] "
        + "[--broadcast PATH/SwitchboardBroadcast.dll] [--dump FILE]";

    /// <summary>The options, or null (after printing the usage) when the command line is wrong.</summary>
    public static SoakOptions? Parse(string[] args)
    {
        var options = new SoakOptions(50, 2, 1000, 0, false, 3000, 2, null, Path.Combine(AppContext.BaseDirectory, "Chat.dll"),
            false, 3, 100_000, false, Path.Combine(AppContext.BaseDirectory, "SwitchboardBroadcast.dll"), null);
        var singleOnly = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "--faults" or "--cluster" or "--redis-volatile")
            {
                options = name switch
                {
                    "--faults" => options with { Faults = true },
                    "--cluster" => options with { Cluster = true },
                    _ => options with { RedisVolatile = true },
                };
                if (name == "--faults") singleOnly.Add(name);
                continue;
            }
            if (name is "--long-polling" or "--fault-every-ms" or "--fault-resets" or "--restart-every-s" or "--chat") singleOnly.Add(name);
            if (i + 1 >= args.Length) return Fail($"{name} needs a value");
            var value = args[++i];
            var ok = true;
            options = name switch
            {
                "--clients" => options with { Clients = Int(value, 1, ref ok) },
                "--minutes" => options with { Minutes = Number(value, ref ok) },
                "--interval-ms" => options with { IntervalMs = Int(value, 1, ref ok) },
                "--long-polling" => options with { LongPollingFraction = Math.Clamp(Number(value, ref ok), 0, 1) },
                "--fault-every-ms" => options with { FaultEveryMs = Int(value, 1, ref ok) },
                "--fault-resets" => options with { FaultResets = Int(value, 1, ref ok) },
                "--restart-every-s" => options with { RestartEverySeconds = Int(value, 1, ref ok) },
                "--chat" => options with { ChatDll = Path.GetFullPath(value) },
                "--nodes" => options with { Nodes = Int(value, 2, ref ok), Cluster = true },
                "--history" => options with { History = Int(value, 1, ref ok) },
                "--broadcast" => options with { BroadcastDll = Path.GetFullPath(value) },
                "--dump" => options with { Dump = Path.GetFullPath(value) },
                _ => null!,
            };
            if (options is null) return Fail($"unknown option {name}");
            if (!ok) return Fail($"invalid value '{value}' for {name}");
        }
        if (options.Cluster)
        {
            if (singleOnly.Count > 0) return Fail($"{singleOnly[0]} is not an option of the multi-node run (--cluster)");
            if (!File.Exists(options.BroadcastDll)) return Fail($"the room server {options.BroadcastDll} is not built");
            return options;
        }
        if (options.RedisVolatile || options.History != 100_000 || options.Dump is not null)
            return Fail("--history, --redis-volatile and --dump are options of the multi-node run (--cluster)");
        if (!File.Exists(options.ChatDll)) return Fail($"the chat server {options.ChatDll} is not built");
        return options;
    }

    private static int Int(string value, int min, ref bool ok)
    {
        ok = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var result) && result >= min;
        return result;
    }

    private static double Number(string value, ref bool ok)
    {
        ok = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var result) && result > 0;
        return result;
    }

    private static SoakOptions? Fail(string problem)
    {
        Console.Error.WriteLine(problem);
        Console.Error.WriteLine(Usage);
        return null;
    }
}
