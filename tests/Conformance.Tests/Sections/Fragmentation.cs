using Switchboard.Conformance.Tests.Model;
using Switchboard.Conformance.Tests.Wire;
using Xunit;
using Xunit.Abstractions;
using static Switchboard.Conformance.Tests.Wire.Frames;

namespace Switchboard.Conformance.Tests.Sections;

/// <summary>Autobahn section 5: fragmented messages, control frames between fragments, and every misuse of continuation frames (RFC 6455 section 5.4).</summary>
public abstract class Fragmentation(EchoServer echo, ITestOutputHelper output)
{
    private static readonly Delivery[] Deliveries = [Delivery.OneWrite, Delivery.FrameWise, Delivery.OctetWise];

    public static readonly CaseTable Cases = new(Build());

    public static TheoryData<string> Ids => Cases.Ids();

    [Theory]
    [MemberData(nameof(Ids))]
    public Task Autobahn(string id) => echo.RunAsync(Cases[id], output);

    private static string Way(Delivery delivery) => delivery switch
    {
        Delivery.OneWrite => "in one write",
        Delivery.FrameWise => "frame-wise",
        _ => "octet-wise",
    };

    private static IEnumerable<ConformanceCase> Build()
    {
        yield return new ConformanceCase("5.1", "ping fragmented into 2 frames: control frames must not be fragmented (section 5.5)")
            .Send(Ping("fragment1") with { Fin = false }, Continuation("fragment2")).Fails(1002);
        yield return new ConformanceCase("5.2", "pong fragmented into 2 frames")
            .Send(Pong("fragment1") with { Fin = false }, Continuation("fragment2")).Fails(1002);

        // 5.3-5.5: a text message in two fragments; 5.6-5.8: with a ping between them; 5.9-5.11: a continuation
        // with FIN set and nothing to continue; 5.12-5.14: the same with FIN clear. Each three ways on the wire.
        for (var k = 0; k < 3; k++)
        {
            var delivery = Deliveries[k];
            yield return new ConformanceCase($"5.{3 + k}", $"text message in 2 fragments, {Way(delivery)}")
                .Send(delivery, Text("fragment1", fin: false), Continuation("fragment2")).Echo("fragment1fragment2");
            yield return new ConformanceCase($"5.{6 + k}", $"text message in 2 fragments with a ping between them, {Way(delivery)}: pong first, then the message")
                .Send(delivery, Text("fragment1", fin: false), Ping("ping payload"), Continuation("fragment2")).Pong("ping payload").Echo("fragment1fragment2");
            yield return new ConformanceCase($"5.{9 + k}", $"continuation (FIN set) with nothing to continue, then a text message, {Way(delivery)}")
                .Send(delivery, Continuation("non-continuation payload"), Text("Hello, world!")).Fails(1002);
            yield return new ConformanceCase($"5.{12 + k}", $"continuation (FIN clear) with nothing to continue, then a text message, {Way(delivery)}")
                .Send(delivery, Continuation("non-continuation payload", fin: false), Text("Hello, world!")).Fails(1002);
        }

        yield return new ConformanceCase("5.15", "text in 2 fragments, then a continuation (FIN clear) with nothing to continue, then text: first echoed, then failure")
            .Send(Text("fragment1", fin: false), Continuation("fragment2"), Continuation("fragment3", fin: false), Text("fragment4"))
            .Echo("fragment1fragment2").Fails(1002);

        var stray = new List<ClientFrame>();
        var strayFin = new List<ClientFrame>();
        for (var i = 0; i < 2; i++)
        {
            stray.AddRange([Continuation("fragment1", fin: false), Text("fragment2", fin: false), Continuation("fragment3")]);
            strayFin.AddRange([Continuation("fragment1"), Text("fragment2", fin: false), Continuation("fragment3")]);
        }
        yield return new ConformanceCase("5.16", "twice: continuation (FIN clear) with nothing to continue, then text in 2 fragments").Send([.. stray]).Fails(1002);
        yield return new ConformanceCase("5.17", "twice: continuation (FIN set) with nothing to continue, then text in 2 fragments").Send([.. strayFin]).Fails(1002);
        yield return new ConformanceCase("5.18", "text in 2 fragments whose second frame is a text frame, not a continuation")
            .Send(Text("fragment1", fin: false), Text("fragment2")).Fails(1002);

        // 5.19/5.20: the server must answer a ping in the middle of a message at once, not after the message ends.
        foreach (var (id, delivery) in new[] { ("5.19", Delivery.OneWrite), ("5.20", Delivery.FrameWise) })
        {
            yield return new ConformanceCase(id, $"text in 5 fragments with pings after the 2nd and 4th and a 1 s pause, {Way(delivery)}: each pong comes before the message")
                .Send(delivery, Text("fragment1", fin: false), Continuation("fragment2", fin: false), Ping("pongme 1!"))
                .Then(new AwaitRepliesStep(1, TimeSpan.FromSeconds(2), "the first ping must be answered while the message is still open"))
                .Send(delivery, Continuation("fragment3", fin: false), Continuation("fragment4", fin: false), Ping("pongme 2!"), Continuation("fragment5"))
                .Pong("pongme 1!").Pong("pongme 2!").Echo("fragment1fragment2fragment3fragment4fragment5");
        }

        // Autobahn section 10 ("misc") has one case: a 64 KiB text message sent in 1300-byte fragments.
        var misc = Repeat("*", 65536);
        yield return new ConformanceCase("10.1.1", "text message of 65536 bytes in fragments of 1300 bytes")
            .Send(misc.Chunk(1300).Select((chunk, i) => (i == 0 ? Text(chunk, fin: false) : Continuation(chunk, fin: false)) with { Fin = (i + 1) * 1300 >= misc.Length }).ToArray())
            .EchoText(misc);

        // Beyond Autobahn.
        yield return new ConformanceCase("5.x.1", "binary message in 3 fragments, the middle one empty")
            .Send(Binary(Hex("0102"), fin: false), Continuation(ReadOnlyMemory<byte>.Empty, fin: false), Continuation(Hex("03"))).EchoBinary(Hex("010203"));
        yield return new ConformanceCase("5.x.2", "binary message started, then a text frame: a new data frame inside a message")
            .Send(Binary(Hex("0102"), fin: false), Text("oops")).Fails(1002);
    }
}

/// <summary><see cref="Fragmentation"/> against <c>Echo</c> on its standalone host.</summary>
public sealed class FragmentationOnStandalone(EchoServer echo, ITestOutputHelper output) : Fragmentation(echo, output), IClassFixture<EchoServer>;

/// <summary><see cref="Fragmentation"/> against <c>Echo --host aspnetcore</c>.</summary>
public sealed class FragmentationOnAspNetCore(AspNetCoreEchoServer echo, ITestOutputHelper output) : Fragmentation(echo, output), IClassFixture<AspNetCoreEchoServer>;
