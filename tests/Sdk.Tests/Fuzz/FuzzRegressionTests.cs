using Switchboard.Fuzz;
using Xunit;

namespace Switchboard.Tests.Fuzz;

/// <summary>
/// Replays the fuzz seed corpus and every input AFL ever flagged (tests/Fuzz/corpus and tests/Fuzz/findings) through
/// the fuzz targets themselves: on each the parsers may only accept or refuse with their typed errors, and the
/// targets' invariants (whole and segmented readings agree, prefixes agree with the whole, ...) must hold. Seeds named
/// <c>valid-</c> must be accepted, <c>invalid-</c> and <c>partial-</c> ones must not.
/// </summary>
public sealed class FuzzRegressionTests
{
    private static readonly string s_root = Path.Combine(AppContext.BaseDirectory, "fuzz");

    public static TheoryData<string, string> Seeds() => Files("corpus");

    public static TheoryData<string, string> Findings() => Files("findings");

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Seed_gets_its_expected_verdict_and_only_typed_errors(string target, string name)
    {
        FuzzOutcome outcome = FuzzTargets.Run(target, File.ReadAllBytes(Path.Combine(s_root, "corpus", target, name)));
        if (name.StartsWith("valid-", StringComparison.Ordinal))
        {
            Assert.True(outcome.Accepted, $"{name} should be accepted: {outcome.Verdict}");
        }
        else
        {
            Assert.True(name.StartsWith("invalid-", StringComparison.Ordinal) || name.StartsWith("partial-", StringComparison.Ordinal), $"{name}: seeds are named valid-, invalid- or partial-");
            Assert.False(outcome.Accepted, $"{name} should not be accepted: {outcome.Verdict}");
        }
    }

    [Theory]
    [MemberData(nameof(Findings))]
    public void Finding_gets_only_typed_errors(string target, string name) =>
        FuzzTargets.Run(target, File.ReadAllBytes(Path.Combine(s_root, "findings", target, name)));

    [Fact]
    public void Every_target_has_seeds()
    {
        foreach (string target in FuzzTargets.Names)
        {
            Assert.True(Directory.GetFiles(Path.Combine(s_root, "corpus", target)).Length >= 10, $"{target} has too few seeds");
        }
    }

    [Fact]
    public void Checked_in_corpus_is_what_the_seed_generator_writes()
    {
        string fresh = Directory.CreateTempSubdirectory("switchboard-seeds-").FullName;
        try
        {
            SeedCorpus.Write(fresh);
            foreach (string target in FuzzTargets.Names)
            {
                string[] expected = Names(Path.Combine(fresh, target));
                Assert.Equal(expected, Names(Path.Combine(s_root, "corpus", target)));
                foreach (string name in expected)
                {
                    Assert.True(
                        File.ReadAllBytes(Path.Combine(fresh, target, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(s_root, "corpus", target, name))),
                        $"corpus/{target}/{name} is stale: run `dotnet run --project tests/Fuzz -- seed tests/Fuzz/corpus`");
                }
            }
        }
        finally
        {
            Directory.Delete(fresh, recursive: true);
        }
    }

    [Fact]
    public void Target_outside_the_list_is_refused() =>
        Assert.Throws<ArgumentException>(() => FuzzTargets.Run("smtp", []));

    private static TheoryData<string, string> Files(string kind)
    {
        var data = new TheoryData<string, string>();
        foreach (string target in FuzzTargets.Names)
        {
            string folder = Path.Combine(s_root, kind, target);
            if (Directory.Exists(folder))
            {
                foreach (string name in Names(folder))
                {
                    data.Add(target, name);
                }
            }
        }

        return data;
    }

    private static string[] Names(string folder) =>
        [.. Directory.GetFiles(folder).Select(Path.GetFileName).Where(n => !n!.StartsWith('.')).Order(StringComparer.Ordinal)!];
}
