using Switchboard.Conformance.Tests.Model;
using Switchboard.Conformance.Tests.Sections;
using Xunit;
using Xunit.Abstractions;

namespace Switchboard.Conformance.Tests.Socketless;

/// <summary>
/// Every case of the socket suite's sections (the opening handshake aside) played against the sans-I/O state machine
/// directly, with no socket and no server: the same cases and the same verdicts, with the client's bytes arriving
/// as written, joined into one read, byte by byte, and as random segments.
/// </summary>
public sealed class StateMachineConformance(ITestOutputHelper output)
{
    private static readonly (string Section, CaseTable Cases)[] Sections =
    [
        (nameof(Framing), Framing.Cases),
        (nameof(PingPong), PingPong.Cases),
        (nameof(ReservedBits), ReservedBits.Cases),
        (nameof(Opcodes), Opcodes.Cases),
        (nameof(Fragmentation), Fragmentation.Cases),
        (nameof(Utf8Handling), Utf8Handling.Cases),
        (nameof(CloseHandling), CloseHandling.Cases),
        (nameof(FrameEncoding), FrameEncoding.Cases),
        (nameof(Limits), Limits.Cases),
    ];

    public static TheoryData<string, string, Feed> Cases()
    {
        var data = new TheoryData<string, string, Feed>();
        foreach (var (section, cases) in Sections)
        {
            foreach (var id in cases.Keys)
            {
                var c = cases[id];
                foreach (var feed in Enum.GetValues<Feed>())
                {
                    if (StateMachinePlayer.Applies(c, feed)) data.Add(section, id, feed);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Autobahn(string section, string id, Feed feed)
    {
        var cases = Sections.Single(s => s.Section == section).Cases;
        var result = StateMachinePlayer.Play(cases[id], feed);
        output.WriteLine(result.Report);
        Assert.True(result.Passed, result.Report);
    }
}
