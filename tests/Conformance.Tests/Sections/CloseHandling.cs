using Switchboard.Conformance.Tests.Model;
using Switchboard.Conformance.Tests.Wire;
using Xunit;
using Xunit.Abstractions;
using static Switchboard.Conformance.Tests.Wire.Frames;

namespace Switchboard.Conformance.Tests.Sections;

/// <summary>Autobahn section 7: the closing handshake, close payloads and status codes (RFC 6455 sections 5.5.1, 7).</summary>
public abstract class CloseHandling(EchoServer echo, ITestOutputHelper output)
{
    /// <summary>Codes a client may send: defined by the RFC or registered (3000-3999) or private (4000-4999).</summary>
    private static readonly int[] ValidCodes = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999];

    /// <summary>Codes that must never appear in a close frame (section 7.4.1 reserves 1004-1006, 0-999 are unused, 1016-2999 unassigned).</summary>
    private static readonly int[] InvalidCodes = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999];

    public static readonly CaseTable Cases = new(Build());

    public static TheoryData<string> Ids => Cases.Ids();

    [Theory]
    [MemberData(nameof(Ids))]
    public Task Autobahn(string id) => echo.RunAsync(Cases[id], output);

    private static IEnumerable<ConformanceCase> Build()
    {
        yield return new ConformanceCase("7.1.1", "text message, then a clean close").Send(Text("Hello World")).Echo("Hello World");
        yield return new ConformanceCase("7.1.2", "close sent twice: the second is ignored")
            .Send(Close(1000), Close(1000)).Ends(CloseExpectation.Answered(1000));
        yield return new ConformanceCase("7.1.3", "close, then ping: nothing after the close is answered")
            .Send(Close(1000), Ping("Hello World")).Ends(CloseExpectation.Answered(1000));
        yield return new ConformanceCase("7.1.4", "close, then text: nothing after the close is echoed")
            .Send(Close(1000), Text("Hello World")).Ends(CloseExpectation.Answered(1000));
        yield return new ConformanceCase("7.1.5", "text fragment, close, last fragment: the close is answered, the message never echoed")
            .Send(Text("fragment1", fin: false), Close(1000), Continuation("fragment2")).Ends(CloseExpectation.Answered(1000));
        var big = Repeat("BAsd7&jh23", 256 * 1024);
        // Informational in Autobahn; this server handles frames in order, so both messages come back before its close.
        yield return new ConformanceCase("7.1.6", "256 KiB text, a short text, close, ping, back to back: both echoed in order, then the close answer")
            .Send(Text(big), Text("Hello World!"), Close(1000), Ping()).EchoText(big).Echo("Hello World!").Ends(CloseExpectation.Answered(1000));

        yield return new ConformanceCase("7.3.1", "close with an empty payload: answered with no status or 1000")
            .Send(Close()).Ends(CloseExpectation.Answered(null, 1000));
        yield return new ConformanceCase("7.3.2", "close with a 1-byte payload: a status code needs 2 bytes")
            .Send(new ClientFrame { Opcode = 8, Payload = Utf8("a") }).Fails(1002);
        yield return new ConformanceCase("7.3.3", "close 1000 without reason").Send(Close(1000)).Ends(CloseExpectation.Answered(1000));
        yield return new ConformanceCase("7.3.4", "close 1000 with a reason").Send(Close(1000, "Hello World!")).Ends(CloseExpectation.Answered(1000));
        yield return new ConformanceCase("7.3.5", "close 1000 with a 123-byte reason: a 125-byte payload, the most allowed")
            .Send(Close(1000, Repeat("*", 123))).Ends(CloseExpectation.Answered(1000));
        yield return new ConformanceCase("7.3.6", "close 1000 with a 124-byte reason: a 126-byte control frame")
            .Send(Close(1000, Repeat("*", 124))).Fails(1002);

        yield return new ConformanceCase("7.3.x.1", "close 1000 with a multi-byte UTF-8 reason (κόσμε)")
            .Send(Close(1000, Utf8Table.Kosme)).Ends(CloseExpectation.Answered(1000));

        yield return new ConformanceCase("7.5.1", "close 1000 whose reason is not UTF-8")
            .Send(Close(1000, Hex("cebae1bdb9cf83cebcceb5eda080656469746564"))).Fails(1007);

        yield return new ConformanceCase("7.5.x.1", "close 1000 whose reason ends inside a code point (CE)")
            .Send(Close(1000, Hex("48656c6c6f20ce"))).Fails(1007);

        for (var i = 0; i < ValidCodes.Length; i++)
        {
            yield return new ConformanceCase($"7.7.{i + 1}", $"close with valid code {ValidCodes[i]}: the code is echoed")
                .Send(Close(ValidCodes[i])).Ends(CloseExpectation.Answered(ValidCodes[i]));
        }
        for (var i = 0; i < InvalidCodes.Length; i++)
        {
            yield return new ConformanceCase($"7.9.{i + 1}", $"close with invalid code {InvalidCodes[i]}")
                .Send(Close(InvalidCodes[i])).Fails(1002);
        }

        yield return new ConformanceCase("7.9.x.1", "close with code 1015, which section 7.4.1 forbids on the wire").Send(Close(1015)).Fails(1002);

        // Autobahn leaves these to the implementation; codes above 4999 are undefined, so echoing them is not an option.
        yield return new ConformanceCase("7.13.1", "close with code 5000 (undefined)").Send(Close(5000)).Ends(CloseExpectation.Answered(1000, 1002));
        yield return new ConformanceCase("7.13.2", "close with code 65535 (undefined)").Send(Close(65535)).Ends(CloseExpectation.Answered(1000, 1002));
    }
}

/// <summary><see cref="CloseHandling"/> against <c>Echo</c> on its standalone host.</summary>
public sealed class CloseHandlingOnStandalone(EchoServer echo, ITestOutputHelper output) : CloseHandling(echo, output), IClassFixture<EchoServer>;

/// <summary><see cref="CloseHandling"/> against <c>Echo --host aspnetcore</c>.</summary>
public sealed class CloseHandlingOnAspNetCore(AspNetCoreEchoServer echo, ITestOutputHelper output) : CloseHandling(echo, output), IClassFixture<AspNetCoreEchoServer>;
