using Switchboard.Conformance.Tests.Model;
using Switchboard.Conformance.Tests.Wire;
using Xunit;
using Xunit.Abstractions;
using static Switchboard.Conformance.Tests.Wire.Frames;

namespace Switchboard.Conformance.Tests.Sections;

/// <summary>
/// Rules of RFC 6455 section 5.1-5.3 that Autobahn does not test: client frames must be masked, lengths use
/// the minimal encoding and a 64-bit length has its top bit clear. Any masking key is legal.
/// </summary>
public abstract class FrameEncoding(EchoServer echo, ITestOutputHelper output)
{
    public static readonly CaseTable Cases = new(Build());

    public static TheoryData<string> Ids => Cases.Ids();

    [Theory]
    [MemberData(nameof(Ids))]
    public Task Rfc6455(string id) => echo.RunAsync(Cases[id], output);

    private static IEnumerable<ConformanceCase> Build()
    {
        const string Hello = "Hello, world!";
        yield return new ConformanceCase("X.1", "unmasked text frame from the client (section 5.1)").Send(Text(Hello) with { Masked = false }).Fails(1002);
        yield return new ConformanceCase("X.2", "unmasked ping from the client: no pong").Send(Ping(Hello) with { Masked = false }).Fails(1002);
        yield return new ConformanceCase("X.3", "unmasked close from the client").Send(Close(1000) with { Masked = false }).Fails(1002);
        yield return new ConformanceCase("X.4", "text message, then an unmasked one: first echoed, then failure")
            .Send(Text(Hello), Text(Hello) with { Masked = false }).Echo(Hello).Fails(1002);

        yield return new ConformanceCase("X.5", "64-bit length with its most significant bit set (section 5.2)")
            .Then(new SendStep((Binary(Hex("0102030405")) with { Encoding = LengthEncoding.Extended64, DeclaredLength = 0x8000_0000_0000_0005 }).ToBytes(),
                "binary declaring 0x8000000000000005 B, then 5 bytes", EndsMidFrame: true))
            .Fails(1002);
        yield return new ConformanceCase("X.6", "5-byte text with a 16-bit length: not the minimal encoding")
            .Send(Text("Hello") with { Encoding = LengthEncoding.Extended16 }).Fails(1002);
        yield return new ConformanceCase("X.7", "5-byte text with a 64-bit length: not the minimal encoding")
            .Send(Text("Hello") with { Encoding = LengthEncoding.Extended64 }).Fails(1002);
        yield return new ConformanceCase("X.8", "1000-byte binary with a 64-bit length where 16 bits suffice")
            .Send(Binary(Repeat([0xfe], 1000)) with { Encoding = LengthEncoding.Extended64 }).Fails(1002);
        yield return new ConformanceCase("X.9", "ping with a 16-bit length of 5: not minimal, no pong")
            .Send(Ping(Hello) with { Encoding = LengthEncoding.Extended16 }).Fails(1002);

        yield return new ConformanceCase("X.10", "masking key 00 00 00 00 is legal").Send(Text(Hello) with { MaskKey = [0, 0, 0, 0] }).Echo(Hello);
        yield return new ConformanceCase("X.11", "a different masking key on every frame of a fragmented message")
            .Send(Text("frag", fin: false) with { MaskKey = [1, 2, 3, 4] }, Continuation("ment", fin: false) with { MaskKey = [0xff, 0xfe, 0xfd, 0xfc] },
                Continuation("ed") with { MaskKey = [0x80, 0, 0x80, 0] })
            .Echo("fragmented");
        yield return new ConformanceCase("X.12", "three messages and a ping in one write: all answered, in order")
            .Send(Text("one"), Binary(Hex("0203")), Ping("p"), Text("three")).Echo("one").EchoBinary(Hex("0203")).Pong("p").Echo("three");
    }
}

/// <summary><see cref="FrameEncoding"/> against <c>Echo</c> on its standalone host.</summary>
public sealed class FrameEncodingOnStandalone(EchoServer echo, ITestOutputHelper output) : FrameEncoding(echo, output), IClassFixture<EchoServer>;

/// <summary><see cref="FrameEncoding"/> against <c>Echo --host aspnetcore</c>.</summary>
public sealed class FrameEncodingOnAspNetCore(AspNetCoreEchoServer echo, ITestOutputHelper output) : FrameEncoding(echo, output), IClassFixture<AspNetCoreEchoServer>;
