using SharpFuzz;
using Switchboard.Fuzz;

// Switchboard.Fuzz <target>                  the AFL harness (SharpFuzz fork server); reads one input from stdin without AFL
// Switchboard.Fuzz <target> <path>...        replays files and directories, printing each verdict; exit 1 on any crash
// Switchboard.Fuzz seed <corpus directory>   writes the seed corpus
if (args.Length == 2 && args[0] == "seed")
{
    int written = SeedCorpus.Write(args[1]);
    Console.WriteLine($"wrote {written} seed files under {args[1]}");
    return 0;
}

if (args.Length == 0 || !FuzzTargets.TryGet(args[0], out FuzzCheck _))
{
    Console.Error.WriteLine($"usage: Switchboard.Fuzz <{string.Join('|', FuzzTargets.Names)}> [file or directory ...] | seed <directory>");
    return 2;
}

string target = args[0];
if (args.Length == 1)
{
    // The child process runs the target; the parent talks to afl-fuzz and restarts the child when a hang or a
    // crash that takes the process down (a stack overflow) kills it.
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        FuzzTargets.Run(target, memory.GetBuffer().AsSpan(0, (int)memory.Length));
    });
    return 0;
}

return Replay.Run(target, args.AsSpan(1));
