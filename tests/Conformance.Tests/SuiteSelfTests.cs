using Switchboard.Conformance.Tests.Model;
using Switchboard.Conformance.Tests.Sections;
using Switchboard.Conformance.Tests.Wire;
using Xunit;
using static Switchboard.Conformance.Tests.Wire.Frames;

namespace Switchboard.Conformance.Tests;

/// <summary>The suite's own wire code, checked against the RFC's literal examples before it is trusted to judge a server.</summary>
public sealed class SuiteSelfTests
{
    [Fact]
    public void Masked_text_frame_matches_rfc_section_5_7()
    {
        Assert.Equal(Hex("818537fa213d7f9f4d5158"), Text("Hello").ToBytes());
    }

    [Fact]
    public void Unmasked_and_fragmented_frames_match_rfc_section_5_7()
    {
        Assert.Equal(Hex("810548656c6c6f"), (Text("Hello") with { Masked = false }).ToBytes());
        Assert.Equal(Hex("010348656c"), (Text("Hel", fin: false) with { Masked = false }).ToBytes());
        Assert.Equal(Hex("80026c6f"), (Continuation("lo") with { Masked = false }).ToBytes());
        Assert.Equal(Hex("898548656c6c6f").Length + 4, Ping("Hello").ToBytes().Length);
    }

    [Fact]
    public void Length_encodings_match_rfc_section_5_7()
    {
        var frame = (Binary(new byte[256]) with { Masked = false }).ToBytes();
        Assert.Equal(Hex("827e0100"), frame[..4]);
        frame = (Binary(new byte[65536]) with { Masked = false }).ToBytes();
        Assert.Equal(Hex("827f0000000000010000"), frame[..10]);
        Assert.Equal(Hex("817e0005"), (Text("Hello") with { Masked = false, Encoding = LengthEncoding.Extended16 }).ToBytes()[..4]);
        Assert.Equal(Hex("82ff8000000000000005"), (Binary(Hex("0102030405")) with { DeclaredLength = 0x8000_0000_0000_0005 }).ToBytes()[..10]);
    }

    [Fact]
    public void Rsv_bits_and_opcodes_land_where_section_5_2_puts_them()
    {
        Assert.Equal(0xc1, (Text("") with { Rsv = 4 }).ToBytes()[0]);
        Assert.Equal(0x91, (Text("") with { Rsv = 1 }).ToBytes()[0]);
        Assert.Equal(0x0b, (new ClientFrame { Opcode = 11, Fin = false }).ToBytes()[0]);
    }

    [Fact]
    public void Parser_reads_rfc_examples_in_every_split()
    {
        byte[] stream = [.. Hex("810548656c6c6f"), .. Hex("8a0548656c6c6f"), .. Hex("827e0100"), .. new byte[256], .. Hex("880203e8")];
        for (var chunk = 1; chunk <= stream.Length; chunk++)
        {
            var parser = new ServerFrameParser();
            var frames = new List<ServerFrame>();
            foreach (var piece in stream.Chunk(chunk))
            {
                piece.CopyTo(parser.GetWriteMemory());
                parser.Advance(piece.Length);
                while (parser.TryRead(out var frame)) frames.Add(frame!);
            }
            Assert.Equal([1, 10, 2, 8], frames.Select(f => f.Opcode));
            Assert.Equal("Hello"u8.ToArray(), frames[0].Payload);
            Assert.Equal(256, frames[2].Payload.Length);
            Assert.Equal(1000, frames[3].CloseCode);
            Assert.All(frames, f => Assert.Empty(f.Violations()));
        }
    }

    [Fact]
    public void Parser_flags_server_frames_that_break_the_rules()
    {
        var parser = new ServerFrameParser();
        byte[] masked = [.. Hex("818537fa213d7f9f4d5158"), .. Hex("017e0005"), .. "Hello"u8.ToArray(), .. Hex("880103")];
        masked.CopyTo(parser.GetWriteMemory());
        parser.Advance(masked.Length);
        Assert.True(parser.TryRead(out var first));
        Assert.Equal("Hello"u8.ToArray(), first!.Payload);
        Assert.Contains(first.Violations(), v => v.Contains("masked", StringComparison.Ordinal));
        Assert.True(parser.TryRead(out var second));
        Assert.Contains(second!.Violations(), v => v.Contains("minimal", StringComparison.Ordinal));
        Assert.True(parser.TryRead(out var third));
        Assert.Contains(third!.Violations(), v => v.Contains("one byte", StringComparison.Ordinal));
    }

    [Fact]
    public void Accept_value_matches_rfc_section_1_3()
    {
        Assert.Equal(HttpHead.SampleAccept, HttpHead.AcceptFor(HttpHead.SampleKey));
    }

    /// <summary>The hand-written validity flags of the UTF-8 table agree with an independent validator.</summary>
    [Fact]
    public void Utf8_table_flags_agree_with_the_runtime_validator()
    {
        foreach (var group in Utf8Table.Groups)
        {
            foreach (var (valid, bytes) in group.Entries)
                Assert.True(valid == System.Text.Unicode.Utf8.IsValid(bytes), $"6.{group.Number} {Utf8Table.Show(bytes)}");
        }
    }

    [Fact]
    public void Section_case_counts_match_autobahn()
    {
        Assert.Equal(19, Utf8Table.Groups.Count);
        Assert.Equal([5, 11, 4, 2, 4, 3, 5, 8, 5, 10, 1, 3, 5, 5, 5, 7, 8, 34, 7], Utf8Table.Groups.Select(g => g.Entries.Count));
        Assert.Equal(20 + 1 + 2, Fragmentation.Cases.Count);
        Assert.Equal(11, PingPong.Cases.Count);
        Assert.Equal(7, ReservedBits.Cases.Count);
        Assert.Equal(10, Opcodes.Cases.Count);
    }

    [Fact]
    public void Repeat_cycles_its_pattern()
    {
        Assert.Equal("abcabcab"u8.ToArray(), Repeat("abc", 8));
        Assert.Empty(Repeat("abc", 0));
        Assert.Equal(Repeat("BAsd7&jh23", 1 << 20).AsSpan(10 * 1000, 10).ToArray(), Utf8("BAsd7&jh23"));
    }

    [Fact]
    public void Large_masking_matches_bytewise_masking()
    {
        var data = Enumerable.Range(0, 1003).Select(i => (byte)i).ToArray();
        var expected = data.Select((b, i) => (byte)(b ^ ClientFrame.DefaultMaskKey[i % 4])).ToArray();
        ClientFrame.ApplyMask(data, ClientFrame.DefaultMaskKey);
        Assert.Equal(expected, data);
        _ = new CaseTable(Array.Empty<ConformanceCase>());
    }
}
