namespace Switchboard.Fuzz;

/// <summary>Runs saved inputs through a target without AFL: the corpus, crashes copied from a run, a single file.</summary>
internal static class Replay
{
    /// <summary>Replays every file under <paramref name="paths"/> and prints one line per file.</summary>
    /// <returns>0 when every input was handled, 1 when any crashed.</returns>
    public static int Run(string target, ReadOnlySpan<string> paths)
    {
        int files = 0;
        int crashes = 0;
        foreach (string path in paths)
        {
            IEnumerable<string> inputs = Directory.Exists(path)
                ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal)
                : [path];
            foreach (string file in inputs)
            {
                files++;
                try
                {
                    FuzzOutcome outcome = FuzzTargets.Run(target, File.ReadAllBytes(file));
                    Console.WriteLine($"ok     {file}: {(outcome.Accepted ? "accepted" : "refused")}; {outcome.Verdict}");
                }
                catch (Exception e)
                {
                    crashes++;
                    Console.WriteLine($"CRASH  {file}: {e.GetType().Name}: {e.Message}");
                    Console.WriteLine(e.StackTrace);
                }
            }
        }

        Console.WriteLine($"{target}: {files} input(s), {crashes} crash(es)");
        return crashes == 0 ? 0 : 1;
    }
}
