using System.Buffers;
using System.Text;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Framing;

/// <summary>RFC 6455 section 5.5 (and 7.4 for close codes): Close, Ping and Pong.</summary>
public class Section5_5_ControlFrameTests
{
    private const uint Key = 0x3D21FA37;

    public static TheoryData<int, bool> CloseCodes => new()
    {
        { 0, false }, { 999, false }, { 1000, true }, { 1001, true }, { 1002, true }, { 1003, true },
        { 1004, false }, { 1005, false }, { 1006, false }, { 1007, true }, { 1008, true }, { 1009, true },
        { 1010, true }, { 1011, true }, { 1012, true }, { 1013, true }, { 1014, true }, { 1015, false },
        { 1016, false }, { 1100, false }, { 2000, false }, { 2999, false }, { 3000, true }, { 3999, true },
        { 4000, true }, { 4999, true }, { 5000, false }, { 65535, false },
    };

    [Fact]
    public void Ping_and_pong_are_returned_whole()
    {
        Transcript transcript = ReaderDriver.ReadBytewise(Hex.Bytes("89 05 48 65 6C 6C 6F  8A 00"));

        Assert.Equal([ReadItem.Control(Opcode.Ping, "Hello"u8), ReadItem.Control(Opcode.Pong, [])], transcript.Items);
    }

    [Fact]
    public void Masked_pong_is_unmasked()
    {
        Transcript transcript = ReaderDriver.ReadWhole(Hex.Bytes("8A 85 37 FA 21 3D 7F 9F 4D 51 58"), WebSocketRole.Server);

        Assert.Equal([ReadItem.Control(Opcode.Pong, "Hello"u8)], transcript.Items);
    }

    [Fact]
    public void Control_frame_of_125_bytes_is_accepted()
    {
        byte[] payload = Hex.Counting(125);

        Transcript transcript = ReaderDriver.ReadWhole(Hex.Concat(Hex.Bytes("89 7D"), payload));

        Assert.Equal([ReadItem.Control(Opcode.Ping, payload)], transcript.Items);
    }

    [Fact]
    public void Every_prefix_of_a_control_frame_needs_more_and_consumes_nothing()
    {
        byte[] wire = Hex.Bytes("88 85 37 FA 21 3D 34 12 43 44 52"); // masked close 1000 "bye"
        for (int length = 0; length < wire.Length; length++)
        {
            var reader = new FrameReader(WebSocketRole.Server);
            byte[] prefix = wire[..length];
            foreach (ReadOnlySequence<byte> input in new[] { new ReadOnlySequence<byte>(prefix), TestSegment.PerByte(prefix) })
            {
                Assert.False(reader.TryRead(input, out SequencePosition consumed, out SequencePosition examined, out _), $"prefix of {length}");
                Assert.Equal(input.Length, input.Slice(consumed).Length);
                Assert.Equal(0, input.Slice(examined).Length);
            }

            Assert.Equal(Hex.Of(wire.AsSpan(0, length)), Hex.Of(prefix)); // not unmasked before it is whole
        }
    }

    [Fact]
    public void Close_with_code_and_reason()
    {
        Transcript transcript = ReaderDriver.ReadBytewise(Hex.Bytes("88 85 37 FA 21 3D 34 12 43 44 52"), WebSocketRole.Server);

        Assert.Equal([ReadItem.Close(CloseCode.NormalClosure, Hex.Bytes("03 E8 62 79 65"), "bye"u8)], transcript.Items);
    }

    [Fact]
    public void Close_event_exposes_status_and_reason()
    {
        var reader = new FrameReader(WebSocketRole.Client);

        Assert.True(reader.TryRead(new ReadOnlySequence<byte>(Hex.Bytes("88 04 0F A0 68 69")), out _, out _, out FrameEvent close));

        Assert.Equal(FrameEventKind.Control, close.Kind);
        Assert.Equal(Opcode.Close, close.Opcode);
        Assert.Equal((CloseCode)4000, close.CloseStatus);
        Assert.Equal("hi", Encoding.UTF8.GetString(close.CloseReason.ToArray()));
        Assert.Equal("0FA06869", Hex.Of(close.Payload.ToArray()));
    }

    [Fact]
    public void Empty_close_has_no_status()
    {
        var reader = new FrameReader(WebSocketRole.Client);

        Assert.True(reader.TryRead(new ReadOnlySequence<byte>(Hex.Bytes("88 00")), out _, out _, out FrameEvent close));

        Assert.Null(close.CloseStatus);
        Assert.True(close.CloseReason.IsEmpty);
        Assert.True(close.Payload.IsEmpty);
    }

    [Fact]
    public void Close_with_one_byte_is_rejected()
    {
        Assert.Equal([ReadItem.Failure(FrameError.InvalidClosePayload)], ReaderDriver.ReadWhole(Hex.Bytes("88 01 03")).Items);
    }

    [Theory]
    [MemberData(nameof(CloseCodes))]
    public void Close_codes_allowed_on_the_wire(int code, bool valid)
    {
        byte[] wire = [0x88, 0x02, (byte)(code >> 8), (byte)code];

        Transcript transcript = ReaderDriver.ReadWhole(wire);

        Assert.Equal(
            valid ? ReadItem.Close((CloseCode)code, wire.AsSpan(2), []) : ReadItem.Failure(FrameError.InvalidCloseCode),
            Assert.Single(transcript.Items));
    }

    [Theory]
    [InlineData("88 03 03 E8 80")]
    [InlineData("88 04 03 E8 C3 28")]
    [InlineData("88 05 03 E8 ED A0 80")]
    [InlineData("88 04 03 E8 E2 82")] // truncated at the end of the frame
    public void Close_reason_must_be_utf8(string hex)
    {
        byte[] wire = Hex.Bytes(hex);

        Assert.Equal([ReadItem.Failure(FrameError.InvalidCloseReason)], ReaderDriver.ReadWhole(wire).Items);
        Assert.Equal([ReadItem.Failure(FrameError.InvalidCloseReason)], ReaderDriver.Read(wire, WebSocketRole.Client, null, [], TestSegment.PerByte).Items);
    }

    [Fact]
    public void Close_reason_split_across_segments_mid_character_is_valid()
    {
        byte[] wire = Hex.Bytes("88 06 03 E8 E2 82 AC 21"); // "€!"

        Transcript transcript = ReaderDriver.Read(wire, WebSocketRole.Client, null, [], TestSegment.PerByte);

        Assert.Equal([ReadItem.Close(CloseCode.NormalClosure, wire.AsSpan(2), "€!"u8)], transcript.Items);
    }

    [Theory]
    [InlineData("89 7E 00 7E")]
    [InlineData("88 7E 00 7E")]
    [InlineData("8A 7F 00 00 00 00 00 01 00 00")]
    public void Control_frame_longer_than_125_is_rejected(string hex)
    {
        Assert.Equal([ReadItem.Failure(FrameError.ControlFrameTooLong)], ReaderDriver.ReadWhole(Hex.Bytes(hex)).Items);
    }

    [Theory]
    [InlineData("09 00")]
    [InlineData("08 00")]
    [InlineData("01 01 61  0A 00")]
    public void Fragmented_control_frame_is_rejected(string hex)
    {
        Assert.Equal(ReadItem.Failure(FrameError.ControlFrameFragmented), ReaderDriver.ReadWhole(Hex.Bytes(hex)).Items[^1]);
    }

    [Fact]
    public void WriteClose_is_byte_exact()
    {
        var writer = new ArrayBufferWriter<byte>();

        FrameWriter.WriteClose(writer, CloseCode.NormalClosure, "bye");
        FrameWriter.WriteClose(writer, CloseCode.GoingAway, maskKey: Key);
        FrameWriter.WriteClose(writer, CloseCode.NormalClosure, "bye", Key);

        Assert.Equal("880503E8627965" + "888237FA213D3413" + "888537FA213D3412434452", Hex.Of(writer.WrittenSpan));
    }

    [Theory]
    [InlineData("a", 1)]
    [InlineData("é", 2)]
    [InlineData("€", 3)]
    [InlineData("😀", 4)]
    public void WriteClose_truncates_the_reason_on_a_character_boundary(string character, int width)
    {
        string reason = string.Concat(Enumerable.Repeat(character, 200));
        var writer = new ArrayBufferWriter<byte>();

        FrameWriter.WriteClose(writer, CloseCode.PolicyViolation, reason);

        int reasonLength = 123 / width * width;
        Assert.Equal(2 + 2 + reasonLength, writer.WrittenCount);
        Transcript transcript = ReaderDriver.ReadWhole(writer.WrittenSpan.ToArray());
        ReadItem close = Assert.Single(transcript.Items);
        Assert.Equal(CloseCode.PolicyViolation, close.Status);
        Assert.Equal(Hex.Of(Encoding.UTF8.GetBytes(reason).AsSpan(0, reasonLength)), close.Reason);
    }

    [Fact]
    public void WriteClose_keeps_a_reason_that_fits_exactly()
    {
        string reason = new('x', 123);
        var writer = new ArrayBufferWriter<byte>();

        FrameWriter.WriteClose(writer, CloseCode.NormalClosure, reason);

        Assert.Equal("887D03E8" + Hex.Of(Encoding.ASCII.GetBytes(reason)), Hex.Of(writer.WrittenSpan));
    }

    [Theory]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(999)]
    [InlineData(5000)]
    public void WriteClose_refuses_codes_that_must_not_be_sent(int code)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameWriter.WriteClose(new ArrayBufferWriter<byte>(), (CloseCode)code));
    }

    [Fact]
    public void WriteFrame_refuses_invalid_control_frames()
    {
        var writer = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => FrameWriter.WriteFrame(writer, Opcode.Ping, new byte[126]));
        Assert.Throws<ArgumentException>(() => FrameWriter.WriteFrame(writer, Opcode.Pong, [], fin: false));
        Assert.Equal(0, writer.WrittenCount);
    }
}
