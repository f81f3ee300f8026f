using System.Globalization;
using System.Text;
using Switchboard.Conformance.Tests.Wire;

namespace Switchboard.Conformance.Tests.Model;

/// <summary>The verdict on one case, with a transcript fit to paste into a bug report.</summary>
public sealed record CaseResult(bool Passed, string Report);

/// <summary>The verdict on a played case, the same whichever way it was played (over a socket or against the state machine).</summary>
public static class CaseJudge
{
    /// <summary>
    /// Judges what the server sent in <paramref name="c"/>: each frame against section 5, the messages and pongs
    /// against the expected ones, and the close frame against the expected close; failures found while playing
    /// come in through <paramref name="failures"/>.
    /// </summary>
    /// <param name="received">The server's frames, in order.</param>
    /// <param name="serverClose">The server's first close frame, if it sent one.</param>
    /// <param name="serverClosedFirst">The server sent its close before the client sent one.</param>
    public static CaseResult Judge(ConformanceCase c, IReadOnlyList<ServerFrame> received, ServerFrame? serverClose, bool serverClosedFirst,
        IReadOnlyList<string> transcript, List<string> failures)
    {
        foreach (var (frame, index) in received.Select((f, i) => (f, i)))
        {
            foreach (var violation in frame.Violations()) failures.Add($"server frame #{index + 1} ({frame}): {violation}");
        }

        var got = Assemble(received, out var problems);
        foreach (var problem in problems) failures.Add(problem);
        if (!got.SequenceEqual(c.Frames, ExpectedComparer.Instance))
        {
            failures.Add("the server's messages differ from the expected ones:\n      expected: "
                + (c.Frames.Count == 0 ? "(none)" : string.Join("\n                ", c.Frames))
                + "\n      got:      " + (got.Count == 0 ? "(none)" : string.Join("\n                ", got)));
        }

        if (serverClose is null)
        {
            failures.Add("the server sent no close frame");
        }
        else
        {
            if (!c.Close.Codes.Contains(serverClose.CloseCode))
                failures.Add($"close code {serverClose.CloseCode?.ToString(CultureInfo.InvariantCulture) ?? "(no status)"}, expected {string.Join(" or ", c.Close.Codes.Select(x => x?.ToString(CultureInfo.InvariantCulture) ?? "(no status)"))}");
            if (!c.Close.ServerFails && serverClosedFirst)
                failures.Add("the server started the closing handshake itself, but it had no reason to");
            var afterClose = received.SkipWhile(f => !ReferenceEquals(f, serverClose)).Skip(1).ToList();
            if (afterClose.Count > 0) failures.Add($"the server sent {afterClose.Count} frame(s) after its close frame, first: {afterClose[0]}");
        }

        var report = new StringBuilder();
        report.Append(CultureInfo.InvariantCulture, $"Case {c.Id}: {c.Description}\n");
        report.Append("  expected: ").Append(c.Frames.Count == 0 ? "no message" : string.Join("; ", c.Frames)).Append("; ").Append(c.Close).Append('\n');
        report.Append("  transcript:\n");
        foreach (var line in transcript) report.Append("    ").Append(line).Append('\n');
        if (failures.Count > 0)
        {
            report.Append("  FAILED:\n");
            foreach (var failure in failures) report.Append("    - ").Append(failure).Append('\n');
        }
        return new CaseResult(failures.Count == 0, report.ToString());
    }

    /// <summary>Rebuilds messages from data frames (section 5.4) and lists pongs; stops at the first close frame.</summary>
    private static List<Expected> Assemble(IReadOnlyList<ServerFrame> frames, out List<string> problems)
    {
        problems = [];
        var items = new List<Expected>();
        int? opcode = null;
        var message = new List<byte>();
        foreach (var frame in frames)
        {
            switch (frame.Opcode)
            {
                case 1 or 2:
                    if (opcode is not null) problems.Add("the server began a new message inside a fragmented one (section 5.4)");
                    opcode = frame.Opcode;
                    message.Clear();
                    message.AddRange(frame.Payload);
                    break;
                case 0:
                    if (opcode is null)
                    {
                        problems.Add("the server sent a continuation frame with no message to continue (section 5.4)");
                        continue;
                    }
                    message.AddRange(frame.Payload);
                    break;
                case 10:
                    items.Add(new ExpectPong(frame.Payload));
                    continue;
                case 8:
                    if (opcode is not null) problems.Add("the server closed in the middle of its own fragmented message");
                    return items;
                default:
                    continue;
            }
            if (frame.Fin && opcode is { } done)
            {
                items.Add(new ExpectMessage(done, [.. message]));
                opcode = null;
            }
        }
        return items;
    }

    private sealed class ExpectedComparer : IEqualityComparer<Expected>
    {
        public static readonly ExpectedComparer Instance = new();

        public bool Equals(Expected? x, Expected? y) => (x, y) switch
        {
            (ExpectMessage a, ExpectMessage b) => a.Opcode == b.Opcode && a.Payload.AsSpan().SequenceEqual(b.Payload),
            (ExpectPong a, ExpectPong b) => a.Payload.AsSpan().SequenceEqual(b.Payload),
            _ => false,
        };

        public int GetHashCode(Expected obj) => 0;
    }
}
