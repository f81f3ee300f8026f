using Switchboard.Conformance.Tests.Model;
using Switchboard.Conformance.Tests.Wire;
using Xunit;
using Xunit.Abstractions;
using static Switchboard.Conformance.Tests.Wire.Frames;

namespace Switchboard.Conformance.Tests.Sections;

/// <summary>
/// Autobahn section 6: text messages must be valid UTF-8 (RFC 6455 sections 5.6 and 8.1), checked across frame
/// boundaries and as early as possible: an invalid byte fails the connection with 1007 before the rest arrives.
/// </summary>
public abstract class Utf8Handling(EchoServer echo, ITestOutputHelper output)
{
    private static readonly TimeSpan StayOpen = TimeSpan.FromMilliseconds(500);
    /// <summary>Autobahn waits 1 s; any bound proves the point, since the rest of the message is never sent while waiting.</summary>
    private static readonly TimeSpan FailFast = TimeSpan.FromSeconds(2);

    /// <summary>"Hello-µ@ßöäüàá-UTF-8!!": 2-byte sequences among ASCII.</summary>
    private static readonly byte[] Hello = Utf8("Hello-µ@ßöäüàá-UTF-8!!");

    /// <summary>κόσμε, then a lone surrogate (ED A0 80), then "edited": invalid at byte 12.</summary>
    private static readonly byte[] Invalid = Hex("cebae1bdb9cf83cebcceb5 eda080 656469746564");

    public static readonly CaseTable Cases = new(Build());

    public static TheoryData<string> Ids => Cases.Ids();

    [Theory]
    [MemberData(nameof(Ids))]
    public Task Autobahn(string id) => echo.RunAsync(Cases[id], output);

    private static ClientFrame[] Fragments(byte[] payload, int size)
    {
        if (payload.Length == 0) return [Text(payload)];
        var chunks = payload.Chunk(size).ToArray();
        return chunks.Select((chunk, i) => (i == 0 ? Text(chunk, fin: false) : Continuation(chunk, fin: false)) with { Fin = i == chunks.Length - 1 }).ToArray();
    }

    private static ConformanceCase Expect(ConformanceCase c, bool valid, byte[] payload) => valid ? c.EchoText(payload) : c.Fails(1007);

    private static IEnumerable<ConformanceCase> Build()
    {
        yield return new ConformanceCase("6.1.1", "empty text message").Send(Text("")).Echo("");
        yield return new ConformanceCase("6.1.2", "text message of 3 empty fragments")
            .Send(Text("", fin: false), Continuation("", fin: false), Continuation("")).Echo("");
        yield return new ConformanceCase("6.1.3", "text message of 3 fragments, first and last empty")
            .Send(Text("", fin: false), Continuation("middle frame payload", fin: false), Continuation("")).Echo("middle frame payload");

        yield return new ConformanceCase("6.2.1", "valid UTF-8 text in one frame").Send(Text(Hello)).EchoText(Hello);
        yield return new ConformanceCase("6.2.2", "valid UTF-8 text in 2 fragments split on a code point boundary")
            .Send(Text(Utf8("Hello-µ@ßöä"), fin: false), Continuation(Utf8("üàá-UTF-8!!"))).EchoText(Hello);
        yield return new ConformanceCase("6.2.3", "valid UTF-8 text in 1-byte fragments, most splitting code points").Send(Fragments(Hello, 1)).EchoText(Hello);
        yield return new ConformanceCase("6.2.4", "κόσμε in 1-byte fragments").Send(Fragments(Utf8Table.Kosme, 1)).EchoText(Utf8Table.Kosme);

        // Beyond Autobahn: 6.2.2 split at every byte position, so every code point is cut at every place.
        for (var cut = 1; cut < Hello.Length; cut++)
        {
            yield return new ConformanceCase($"6.2.2@{cut}", $"valid UTF-8 text in 2 fragments split after byte {cut}")
                .Send(Text(Hello.AsMemory(..cut), fin: false), Continuation(Hello.AsMemory(cut..))).EchoText(Hello);
        }

        yield return new ConformanceCase("6.3.1", "invalid UTF-8 text (a lone surrogate) in one frame").Send(Text(Invalid)).Fails(1007);
        yield return new ConformanceCase("6.3.2", "invalid UTF-8 text in 1-byte fragments").Send(Fragments(Invalid, 1)).Fails(1007);
        for (var cut = 1; cut < Invalid.Length; cut++)
        {
            yield return new ConformanceCase($"6.3.1@{cut}", $"invalid UTF-8 text in 2 fragments split after byte {cut}")
                .Send(Text(Invalid.AsMemory(..cut), fin: false), Continuation(Invalid.AsMemory(cut..))).Fails(1007);
        }

        foreach (var c in FailFastCases()) yield return c;

        // Beyond Autobahn: the decoder's state must survive a control frame between two halves of a code point.
        yield return new ConformanceCase("6.x.1", "text fragment ending inside κ (CE), a ping, then the rest (BA): pong, then the message")
            .Send(Text(Hex("ce"), fin: false), Ping("between"), Continuation(Hex("ba"))).Pong("between").EchoText(Hex("ceba"));
        yield return new ConformanceCase("6.x.2", "text fragment ending inside κ (CE), a ping, then an ASCII byte: pong, then 1007")
            .Send(Text(Hex("ce"), fin: false), Ping("between"), Continuation(Utf8("a"))).Pong("between").Fails(1007);
        yield return new ConformanceCase("6.x.3", "binary messages are not UTF-8: invalid sequences are echoed as they are")
            .Send(Binary(Hex("eda080 f4908080 c0af fe"))).EchoBinary(Hex("eda080f4908080c0affe"));

        foreach (var group in Utf8Table.Groups)
        {
            for (var j = 0; j < group.Entries.Count; j++)
            {
                var (valid, bytes) = group.Entries[j];
                var id = $"6.{group.Number}.{j + 1}";
                var what = $"{group.Title}: {Utf8Table.Show(bytes)} ({(valid ? "valid" : "invalid")})";
                yield return Expect(new ConformanceCase(id, what + " in one frame").Send(Text(bytes)), valid, bytes);
                if (bytes.Length > 1)
                    yield return Expect(new ConformanceCase(id + "/bytes", what + " in 1-byte fragments").Send(Fragments(bytes, 1)), valid, bytes);
            }
        }
    }

    /// <summary>
    /// 6.4.x: the message is κόσμε + F4 90 80 80 (above U+10FFFF, invalid at its second byte) + "edited", sent in three
    /// parts with a wait after the first. The server must stay open after part 1 and close with 1007 right after
    /// part 2, before part 3 is sent.
    /// </summary>
    private static IEnumerable<ConformanceCase> FailFastCases()
    {
        var part1 = Utf8Table.Kosme;
        var part2 = Hex("f4908080");
        var part3 = Utf8("edited");
        byte[] whole = [.. part1, .. part2, .. part3];
        var open = new ExpectOpenStep(StayOpen, "part 1 is valid UTF-8");
        var closes = new ExpectCloseStep(FailFast, "part 2 makes the text invalid: fail fast");

        yield return new ConformanceCase("6.4.1", "3 fragments, the 2nd invalid (F4 90 80 80): fail on the 2nd fragment")
            .Send(Text(part1, fin: false)).Then(open)
            .Send(Continuation(part2, fin: false)).Then(closes)
            .Send(Continuation(part3)).Fails(1007);
        yield return new ConformanceCase("6.4.2", "3 fragments cut right after the invalid byte (0x90): fail on the 2nd fragment")
            .Send(Text(whole.AsMemory(..12), fin: false)).Then(open)
            .Send(Continuation(whole.AsMemory(12..13), fin: false)).Then(closes)
            .Send(Continuation(whole.AsMemory(13..))).Fails(1007);

        // Same, but one frame written in three pieces: the server must judge the payload before the frame is complete.
        var pieces = Steps.SendInPieces(Text(whole), 11, 15).ToArray();
        yield return new ConformanceCase("6.4.3", "one frame written in 3 pieces, the 2nd holding F4 90 80 80: fail before the frame ends")
            .Then(pieces[0]).Then(open).Then(pieces[1]).Then(closes).Then(pieces[2]).Fails(1007);
        pieces = Steps.SendInPieces(Text(whole), 12, 13).ToArray();
        yield return new ConformanceCase("6.4.4", "one frame written in 3 pieces, the 2nd being the invalid byte alone: fail before the frame ends")
            .Then(pieces[0]).Then(open).Then(pieces[1]).Then(closes).Then(pieces[2]).Fails(1007);
    }
}

/// <summary><see cref="Utf8Handling"/> against <c>Echo</c> on its standalone host.</summary>
public sealed class Utf8HandlingOnStandalone(EchoServer echo, ITestOutputHelper output) : Utf8Handling(echo, output), IClassFixture<EchoServer>;

/// <summary><see cref="Utf8Handling"/> against <c>Echo --host aspnetcore</c>.</summary>
public sealed class Utf8HandlingOnAspNetCore(AspNetCoreEchoServer echo, ITestOutputHelper output) : Utf8Handling(echo, output), IClassFixture<AspNetCoreEchoServer>;
