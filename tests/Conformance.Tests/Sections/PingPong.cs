using Switchboard.Conformance.Tests.Model;
using Switchboard.Conformance.Tests.Wire;
using Xunit;
using Xunit.Abstractions;
using static Switchboard.Conformance.Tests.Wire.Frames;

namespace Switchboard.Conformance.Tests.Sections;

/// <summary>Autobahn section 2: pings are answered with the same payload, pongs are ignored (RFC 6455 sections 5.5.2, 5.5.3).</summary>
public abstract class PingPong(EchoServer echo, ITestOutputHelper output)
{
    public static readonly CaseTable Cases = new(Build());

    public static TheoryData<string> Ids => Cases.Ids();

    [Theory]
    [MemberData(nameof(Ids))]
    public Task Autobahn(string id) => echo.RunAsync(Cases[id], output);

    private static IEnumerable<ConformanceCase> Build()
    {
        byte[] small = [0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff];
        yield return new ConformanceCase("2.1", "ping without payload").Send(Ping()).Pong([]);
        yield return new ConformanceCase("2.2", "ping with a small text payload").Send(Ping("Hello, world!")).Pong("Hello, world!");
        yield return new ConformanceCase("2.3", "ping with a small binary (non UTF-8) payload").Send(Ping(small)).Pong(small);
        yield return new ConformanceCase("2.4", "ping with a 125-byte binary payload, the most a control frame may carry").Send(Ping(Repeat([0xfe], 125))).Pong(Repeat([0xfe], 125));
        yield return new ConformanceCase("2.5", "ping with a 126-byte payload: control frames are capped at 125 (section 5.5)").Send(Ping(Repeat([0xfe], 126))).Fails(1002);
        yield return new ConformanceCase("2.6", "ping with a 125-byte payload, octet-wise").Send(Delivery.OctetWise, Ping(Repeat([0xfe], 125))).Pong(Repeat([0xfe], 125));
        yield return new ConformanceCase("2.7", "unsolicited pong without payload is ignored").Send(Pong());
        yield return new ConformanceCase("2.8", "unsolicited pong with payload is ignored").Send(Pong("unsolicited pong payload"));
        yield return new ConformanceCase("2.9", "unsolicited pong, then ping: only the ping is answered")
            .Send(Pong("unsolicited pong payload"), Ping("ping payload")).Pong("ping payload");

        // The RFC lets a busy endpoint answer only the latest ping; like Autobahn, the suite expects every one.
        var pings = Enumerable.Range(0, 10).Select(i => Ping($"payload-{i}")).ToArray();
        var ten = new ConformanceCase("2.10", "10 pings with payload, each answered in order").Send(pings);
        var tenChopped = new ConformanceCase("2.11", "10 pings with payload, octet-wise, each answered in order").Send(Delivery.OctetWise, pings);
        for (var i = 0; i < 10; i++)
        {
            ten.Pong($"payload-{i}");
            tenChopped.Pong($"payload-{i}");
        }
        yield return ten;
        yield return tenChopped;
    }
}

/// <summary><see cref="PingPong"/> against <c>Echo</c> on its standalone host.</summary>
public sealed class PingPongOnStandalone(EchoServer echo, ITestOutputHelper output) : PingPong(echo, output), IClassFixture<EchoServer>;

/// <summary><see cref="PingPong"/> against <c>Echo --host aspnetcore</c>.</summary>
public sealed class PingPongOnAspNetCore(AspNetCoreEchoServer echo, ITestOutputHelper output) : PingPong(echo, output), IClassFixture<AspNetCoreEchoServer>;
