using Switchboard.Conformance.Tests.Model;
using Xunit;
using Xunit.Abstractions;
using static Switchboard.Conformance.Tests.Wire.Frames;

namespace Switchboard.Conformance.Tests.Sections;

/// <summary>Autobahn section 3: RSV bits must be 0 when no extension is negotiated (RFC 6455 section 5.2).</summary>
public abstract class ReservedBits(EchoServer echo, ITestOutputHelper output)
{
    public static readonly CaseTable Cases = new(Build());

    public static TheoryData<string> Ids => Cases.Ids();

    [Theory]
    [MemberData(nameof(Ids))]
    public Task Autobahn(string id) => echo.RunAsync(Cases[id], output);

    private static IEnumerable<ConformanceCase> Build()
    {
        const string Hello = "Hello, world!";
        yield return new ConformanceCase("3.1", "text with RSV = 1").Send(Text(Hello) with { Rsv = 1 }).Fails(1002);
        yield return new ConformanceCase("3.2", "text, then text with RSV = 2, then ping: first echoed, then failure, no pong")
            .Send(Text(Hello), Text(Hello) with { Rsv = 2 }, Ping()).Echo(Hello).Fails(1002);
        yield return new ConformanceCase("3.3", "as 3.2 with RSV = 3, frame-wise")
            .Send(Delivery.FrameWise, Text(Hello), Text(Hello) with { Rsv = 3 }, Ping()).Echo(Hello).Fails(1002);
        yield return new ConformanceCase("3.4", "as 3.2 with RSV = 4, octet-wise")
            .Send(Delivery.OctetWise, Text(Hello), Text(Hello) with { Rsv = 4 }, Ping()).Echo(Hello).Fails(1002);
        yield return new ConformanceCase("3.5", "binary with RSV = 5").Send(Binary(Hex("00fffefdfcfb00ff")) with { Rsv = 5 }).Fails(1002);
        yield return new ConformanceCase("3.6", "ping with RSV = 6: no pong").Send(Ping(Hello) with { Rsv = 6 }).Fails(1002);
        yield return new ConformanceCase("3.7", "close with RSV = 7").Send(Close(1000) with { Rsv = 7 }).Fails(1002);
    }
}

/// <summary><see cref="ReservedBits"/> against <c>Echo</c> on its standalone host.</summary>
public sealed class ReservedBitsOnStandalone(EchoServer echo, ITestOutputHelper output) : ReservedBits(echo, output), IClassFixture<EchoServer>;

/// <summary><see cref="ReservedBits"/> against <c>Echo --host aspnetcore</c>.</summary>
public sealed class ReservedBitsOnAspNetCore(AspNetCoreEchoServer echo, ITestOutputHelper output) : ReservedBits(echo, output), IClassFixture<AspNetCoreEchoServer>;
