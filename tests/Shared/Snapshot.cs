using System.Reflection;
using System.Runtime.CompilerServices;
using ApprovalTests;
using ApprovalTests.Approvers;
using ApprovalTests.Core;

namespace Switchboard.Testing;

/// <summary>
/// The one entry point to snapshot testing: compares text with <c>Snapshots/{Class}.{Test}.approved.txt</c>.
/// On a mismatch the test fails with the first differing line and the received file is left beside the
/// approved one (received files are git-ignored); no diff tool is ever launched. Set
/// <c>SWITCHBOARD_ACCEPT_SNAPSHOTS=1</c> to accept the received text instead.
/// </summary>
internal static class Snapshot
{
    private static readonly string Directory = typeof(Snapshot).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SnapshotDirectory").Value!;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Verify(string text, [CallerFilePath] string testFile = "", [CallerMemberName] string test = "")
    {
        string name = Path.GetFileNameWithoutExtension(testFile.Replace('\\', '/').Split('/')[^1]) + "." + test;
        var approver = new FileApprover(new ApprovalTextWriter(text.ReplaceLineEndings("\n")), new Namer(Directory, name), normalizeLineEndingsForTextFiles: true);
        var reporter = new FailingReporter();
        if (approver.Approve())
        {
            approver.CleanUpAfterSuccess(reporter);
            return;
        }

        approver.ReportFailure(reporter);
        if (reporter.ApprovedWhenReported())
        {
            approver.CleanUpAfterSuccess(reporter);
            return;
        }

        approver.Fail();
    }

    private sealed class Namer(string sourcePath, string name) : IApprovalNamer
    {
        public string SourcePath { get; } = sourcePath;

        public string Name { get; } = name;
    }

    /// <summary>Accepts when asked to; otherwise fails with a readable account of the first difference.</summary>
    private sealed class FailingReporter : IReporterWithApprovalPower
    {
        private bool _accepted;

        public void Report(string approved, string received)
        {
            if (Environment.GetEnvironmentVariable("SWITCHBOARD_ACCEPT_SNAPSHOTS") == "1")
            {
                File.Copy(received, approved, overwrite: true);
                _accepted = true;
                return;
            }

            if (!File.Exists(approved))
            {
                throw new SnapshotMismatchException($"No approved snapshot {approved}. Review {received} and rename it to approve it.");
            }

            string[] expected = File.ReadAllLines(approved);
            string[] actual = File.ReadAllLines(received);
            int line = 0;
            while (line < expected.Length && line < actual.Length && expected[line] == actual[line])
            {
                line++;
            }

            throw new SnapshotMismatchException(
                $"""
                Snapshot differs from {approved} at line {line + 1}:
                  approved: {(line < expected.Length ? expected[line] : "<end of file>")}
                  received: {(line < actual.Length ? actual[line] : "<end of file>")}
                The received text is in {received}.
                """);
        }

        public bool ApprovedWhenReported() => _accepted;
    }
}

/// <summary>A snapshot did not match its approved file.</summary>
public sealed class SnapshotMismatchException(string message) : Exception(message);
