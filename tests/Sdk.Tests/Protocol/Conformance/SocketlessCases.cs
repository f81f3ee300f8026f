using static Switchboard.Tests.Protocol.Conformance.ClientFrames;

namespace Switchboard.Tests.Protocol.Conformance;

/// <summary>
/// The conformance suite's cases (tests/Conformance.Tests/Sections, after Autobahn|Testsuite sections 1-7 and 10) that
/// need no socket: framing, pings and pongs, reserved bits and opcodes, fragmentation, UTF-8 and the closing handshake.
/// Left out: the opening handshake, the size and timing cases of section 9, and the UTF-8 table's hundreds of sequences.
/// </summary>
internal static class SocketlessCases
{
    private static readonly Lazy<Dictionary<string, SocketlessCase>> All = new(() => Build().ToDictionary(c => c.Id, StringComparer.Ordinal));

    public static SocketlessCase Get(string id) => All.Value[id];

    public static IEnumerable<string> Ids => All.Value.Keys;

    private static SocketlessCase Case(string id, params byte[][] writes) => new(id, [.. writes]);

    private static IEnumerable<SocketlessCase> Build() =>
        Framing().Concat(PingPong()).Concat(ReservedBits()).Concat(Opcodes()).Concat(Fragmentation()).Concat(Utf8Handling()).Concat(CloseHandling());

    private static IEnumerable<SocketlessCase> Framing()
    {
        int[] lengths = [0, 125, 126, 127, 128, 65535, 65536];
        for (int i = 0; i < lengths.Length; i++)
        {
            byte[] text = Repeat("*", lengths[i]);
            byte[] binary = Repeat(0xFE, lengths[i]);
            yield return Case($"1.1.{i + 1}", Text(text)).EchoText(text);
            yield return Case($"1.2.{i + 1}", Binary(binary)).EchoBinary(binary);
        }
    }

    private static IEnumerable<SocketlessCase> PingPong()
    {
        byte[] small = [0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff];
        yield return Case("2.1", Ping()).Pong("");
        yield return Case("2.2", Ping("Hello, world!")).Pong("Hello, world!");
        yield return Case("2.3", Ping(small)).Pong(small);
        yield return Case("2.4", Ping(Repeat(0xFE, 125))).Pong(Repeat(0xFE, 125));
        yield return Case("2.5", Ping(Repeat(0xFE, 126))).Fails(1002);
        yield return Case("2.7", Pong());
        yield return Case("2.8", Pong("unsolicited pong payload"));
        yield return Case("2.9", Pong("unsolicited pong payload"), Ping("ping payload")).Pong("ping payload");
        SocketlessCase ten = Case("2.10", [.. Enumerable.Range(0, 10).Select(i => Ping($"payload-{i}"))]);
        for (int i = 0; i < 10; i++)
        {
            ten.Pong($"payload-{i}");
        }

        yield return ten;
    }

    private static IEnumerable<SocketlessCase> ReservedBits()
    {
        const string Hello = "Hello, world!";
        yield return Case("3.1", Frame(1, Utf8(Hello), rsv: 1)).Fails(1002);
        yield return Case("3.2", Text(Hello), Frame(1, Utf8(Hello), rsv: 2), Ping()).Echo(Hello).Fails(1002);
        yield return Case("3.3", Text(Hello), Frame(1, Utf8(Hello), rsv: 3), Ping()).Echo(Hello).Fails(1002);
        yield return Case("3.4", Text(Hello), Frame(1, Utf8(Hello), rsv: 4), Ping()).Echo(Hello).Fails(1002);
        yield return Case("3.5", Frame(2, Hex("00fffefdfcfb00ff"), rsv: 5)).Fails(1002);
        yield return Case("3.6", Frame(9, Utf8(Hello), rsv: 6)).Fails(1002);
        yield return Case("3.7", Frame(8, [0x03, 0xE8], rsv: 7)).Fails(1002);
    }

    private static IEnumerable<SocketlessCase> Opcodes()
    {
        foreach ((int group, int first) in new[] { (1, 3), (2, 11) })
        {
            for (int j = 0; j < 5; j++)
            {
                byte[] reserved = Frame(first + j, j is 1 or 3 or 4 ? Utf8("reserved opcode payload") : []);
                string id = $"4.{group}.{j + 1}";
                yield return j < 2
                    ? Case(id, reserved).Fails(1002)
                    : Case(id, Text("Hello, world!"), reserved, Ping()).Echo("Hello, world!").Fails(1002);
            }
        }
    }

    private static IEnumerable<SocketlessCase> Fragmentation()
    {
        yield return Case("5.1", Frame(9, Utf8("fragment1"), fin: false), Continuation("fragment2")).Fails(1002);
        yield return Case("5.2", Frame(10, Utf8("fragment1"), fin: false), Continuation("fragment2")).Fails(1002);
        yield return Case("5.3", Text("fragment1", fin: false), Continuation("fragment2")).Echo("fragment1fragment2");
        yield return Case("5.6", Text("fragment1", fin: false), Ping("ping payload"), Continuation("fragment2")).Pong("ping payload").Echo("fragment1fragment2");
        yield return Case("5.9", Continuation("non-continuation payload"), Text("Hello, world!")).Fails(1002);
        yield return Case("5.12", Continuation("non-continuation payload", fin: false), Text("Hello, world!")).Fails(1002);
        yield return Case("5.15", Text("fragment1", fin: false), Continuation("fragment2"), Continuation("fragment3", fin: false), Text("fragment4"))
            .Echo("fragment1fragment2").Fails(1002);
        yield return Case("5.16", Continuation("fragment1", fin: false), Text("fragment2", fin: false), Continuation("fragment3")).Fails(1002);
        yield return Case("5.17", Continuation("fragment1"), Text("fragment2", fin: false), Continuation("fragment3")).Fails(1002);
        yield return Case("5.18", Text("fragment1", fin: false), Text("fragment2")).Fails(1002);
        yield return Case("5.19", Text("fragment1", fin: false), Continuation("fragment2", fin: false), Ping("pongme 1!"),
                Continuation("fragment3", fin: false), Continuation("fragment4", fin: false), Ping("pongme 2!"), Continuation("fragment5"))
            .Pong("pongme 1!").Pong("pongme 2!").Echo("fragment1fragment2fragment3fragment4fragment5");
        byte[] misc = Repeat("*", 65536);
        byte[][] chunks = [.. misc.Chunk(1300).Select((chunk, i) => Frame(i == 0 ? 1 : 0, chunk, fin: (i + 1) * 1300 >= misc.Length))];
        yield return Case("10.1.1", chunks).EchoText(misc);
        yield return Case("5.x.1", Binary(Hex("0102"), fin: false), Continuation([], fin: false), Continuation(Hex("03"))).EchoBinary(Hex("010203"));
        yield return Case("5.x.2", Binary(Hex("0102"), fin: false), Text("oops")).Fails(1002);
    }

    private static IEnumerable<SocketlessCase> Utf8Handling()
    {
        byte[] hello = Utf8("Hello-µ@ßöäüàá-UTF-8!!");
        byte[] kosme = Hex("cebae1bdb9cf83cebcceb5");
        byte[] invalid = Hex("cebae1bdb9cf83cebcceb5 eda080 656469746564");
        static byte[][] Fragments(byte[] payload) =>
            [.. payload.Select((b, i) => Frame(i == 0 ? 1 : 0, [b], fin: i == payload.Length - 1))];

        yield return Case("6.1.1", Text("")).Echo("");
        yield return Case("6.1.2", Text("", fin: false), Continuation("", fin: false), Continuation("")).Echo("");
        yield return Case("6.1.3", Text("", fin: false), Continuation("middle frame payload", fin: false), Continuation("")).Echo("middle frame payload");
        yield return Case("6.2.1", Text(hello)).EchoText(hello);
        yield return Case("6.2.2", Text("Hello-µ@ßöä", fin: false), Continuation("üàá-UTF-8!!")).EchoText(hello);
        yield return Case("6.2.3", Fragments(hello)).EchoText(hello);
        yield return Case("6.2.4", Fragments(kosme)).EchoText(kosme);
        for (int cut = 1; cut < hello.Length; cut++)
        {
            yield return Case($"6.2.2@{cut}", Text(hello.AsSpan(..cut), fin: false), Continuation(hello.AsSpan(cut..))).EchoText(hello);
        }

        yield return Case("6.3.1", Text(invalid)).Fails(1007);
        yield return Case("6.3.2", Fragments(invalid)).Fails(1007);
        for (int cut = 1; cut < invalid.Length; cut++)
        {
            yield return Case($"6.3.1@{cut}", Text(invalid.AsSpan(..cut), fin: false), Continuation(invalid.AsSpan(cut..))).Fails(1007);
        }

        // Fail fast: the server must fail right after the second write, before the third comes.
        byte[] part2 = Hex("f4908080");
        byte[] part3 = Utf8("edited");
        byte[] whole = [.. kosme, .. part2, .. part3];
        yield return Case("6.4.1", Text(kosme, fin: false), Continuation(part2, fin: false), Continuation(part3)).FailsAfter(1, 1007);
        yield return Case("6.4.2", Text(whole.AsSpan(..12), fin: false), Continuation(whole.AsSpan(12..13), fin: false), Continuation(whole.AsSpan(13..)))
            .FailsAfter(1, 1007);
        byte[] frame = Text(whole);
        const int Header = 6;
        yield return Case("6.4.3", frame[..(Header + 11)], frame[(Header + 11)..(Header + 15)], frame[(Header + 15)..]).FailsAfter(1, 1007);
        yield return Case("6.4.4", frame[..(Header + 12)], frame[(Header + 12)..(Header + 13)], frame[(Header + 13)..]).FailsAfter(1, 1007);

        yield return Case("6.x.1", Text(Hex("ce"), fin: false), Ping("between"), Continuation(Hex("ba"))).Pong("between").EchoText(Hex("ceba"));
        yield return Case("6.x.2", Text(Hex("ce"), fin: false), Ping("between"), Continuation("a")).Pong("between").Fails(1007);
        yield return Case("6.x.3", Binary(Hex("eda080 f4908080 c0af fe"))).EchoBinary(Hex("eda080f4908080c0affe"));
    }

    private static IEnumerable<SocketlessCase> CloseHandling()
    {
        int[] validCodes = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999];
        int[] invalidCodes = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999];

        yield return Case("7.1.1", Text("Hello World")).Echo("Hello World");
        yield return Case("7.1.2", Close(1000), Close(1000)).Answered(1000);
        yield return Case("7.1.3", Close(1000), Ping("Hello World")).Answered(1000);
        yield return Case("7.1.4", Close(1000), Text("Hello World")).Answered(1000);
        yield return Case("7.1.5", Text("fragment1", fin: false), Close(1000), Continuation("fragment2")).Answered(1000);
        byte[] big = Repeat("BAsd7&jh23", 256 * 1024);
        yield return Case("7.1.6", Text(big), Text("Hello World!"), Close(1000), Ping()).EchoText(big).Echo("Hello World!").Answered(1000);
        yield return Case("7.3.1", Close()).Answered(null, 1000);
        yield return Case("7.3.2", Frame(8, Utf8("a"))).Fails(1002);
        yield return Case("7.3.3", Close(1000)).Answered(1000);
        yield return Case("7.3.4", Close(1000, "Hello World!")).Answered(1000);
        yield return Case("7.3.5", Close(1000, new string('*', 123))).Answered(1000);
        yield return Case("7.3.6", Close(1000, new string('*', 124))).Fails(1002);
        yield return Case("7.3.x.1", Close(1000, Hex("cebae1bdb9cf83cebcceb5"))).Answered(1000);
        yield return Case("7.5.1", Close(1000, Hex("cebae1bdb9cf83cebcceb5eda080656469746564"))).Fails(1007);
        yield return Case("7.5.x.1", Close(1000, Hex("48656c6c6f20ce"))).Fails(1007);
        for (int i = 0; i < validCodes.Length; i++)
        {
            yield return Case($"7.7.{i + 1}", Close(validCodes[i])).Answered(validCodes[i]);
        }

        for (int i = 0; i < invalidCodes.Length; i++)
        {
            yield return Case($"7.9.{i + 1}", Close(invalidCodes[i])).Fails(1002);
        }

        yield return Case("7.9.x.1", Close(1015)).Fails(1002);
        yield return Case("7.13.1", Close(5000)).Answered(1000, 1002);
        yield return Case("7.13.2", Close(65535)).Answered(1000, 1002);
    }
}
