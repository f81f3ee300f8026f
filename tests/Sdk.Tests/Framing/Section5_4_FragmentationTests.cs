using System.Buffers;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Framing;

/// <summary>RFC 6455 section 5.4: fragmented messages, continuation order, interleaved control frames, streaming.</summary>
public class Section5_4_FragmentationTests
{
    [Fact]
    public void Rfc_example_fragmented_Hello_is_one_message()
    {
        Transcript transcript = ReaderDriver.ReadWhole(Hex.Bytes("01 03 48 65 6C  80 02 6C 6F"));

        Assert.Equal([ReadItem.Text("Hello")], transcript.Items);
        Assert.Equal([(Opcode.Text, "48656C", false), (Opcode.Text, "6C6F", true)], transcript.DataEvents);
    }

    [Fact]
    public void Continuation_pieces_carry_the_message_opcode()
    {
        Transcript transcript = ReaderDriver.ReadWhole(Hex.Bytes("02 01 01  00 01 02  80 01 03"));

        Assert.Equal([(Opcode.Binary, "01", false), (Opcode.Binary, "02", false), (Opcode.Binary, "03", true)], transcript.DataEvents);
    }

    [Fact]
    public void Control_frames_may_interleave_between_fragments()
    {
        Transcript transcript = ReaderDriver.ReadWhole(Hex.Bytes("01 03 48 65 6C  89 01 70  8A 00  80 02 6C 6F"));

        Assert.Equal([ReadItem.Control(Opcode.Ping, "p"u8), ReadItem.Control(Opcode.Pong, []), ReadItem.Text("Hello")], transcript.Items);
    }

    [Fact]
    public void Close_may_interleave_between_fragments()
    {
        Transcript transcript = ReaderDriver.ReadWhole(Hex.Bytes("01 01 61  88 02 03 E8"));

        Assert.Equal([ReadItem.Close(CloseCode.NormalClosure, Hex.Bytes("03E8"), [])], transcript.Items);
        Assert.True(transcript.HasOpenMessage);
    }

    [Fact]
    public void Zero_length_fragments_each_yield_one_empty_piece()
    {
        Transcript transcript = ReaderDriver.ReadWhole(Hex.Bytes("01 00  00 00  80 00"));

        Assert.Equal([(Opcode.Text, "", false), (Opcode.Text, "", false), (Opcode.Text, "", true)], transcript.DataEvents);
        Assert.Equal([ReadItem.Text("")], transcript.Items);
    }

    [Fact]
    public void Zero_length_unfragmented_message_yields_one_empty_final_piece()
    {
        Transcript transcript = ReaderDriver.ReadBytewise(Hex.Bytes("82 00  81 80 00 00 00 00"), WebSocketRole.Client);

        Assert.Equal([(Opcode.Binary, "", true)], transcript.DataEvents);
        Assert.Equal(FrameError.MaskedServerFrame, transcript.Error);
    }

    [Fact]
    public void Continuation_without_a_message_is_rejected()
    {
        Assert.Equal([ReadItem.Failure(FrameError.UnexpectedContinuation)], ReaderDriver.ReadWhole(Hex.Bytes("80 02 6C 6F")).Items);
        Assert.Equal([ReadItem.Failure(FrameError.UnexpectedContinuation)], ReaderDriver.ReadWhole(Hex.Bytes("00 00")).Items);
    }

    [Fact]
    public void Continuation_after_a_finished_message_is_rejected()
    {
        Assert.Equal([ReadItem.Text("a"), ReadItem.Failure(FrameError.UnexpectedContinuation)], ReaderDriver.ReadWhole(Hex.Bytes("81 01 61  80 01 62")).Items);
    }

    [Theory]
    [InlineData("01 01 61  81 01 62")]
    [InlineData("01 01 61  82 01 62")]
    [InlineData("02 01 61  01 01 62")]
    [InlineData("01 01 61  89 00  00 01 61  82 00")]
    public void New_message_while_one_is_open_is_rejected(string hex)
    {
        Transcript transcript = ReaderDriver.ReadWhole(Hex.Bytes(hex));

        Assert.Equal(ReadItem.Failure(FrameError.ExpectedContinuation), transcript.Items[^1]);
    }

    [Fact]
    public void Error_is_sticky()
    {
        byte[] wire = Hex.Bytes("80 00  81 00");
        var reader = new FrameReader(WebSocketRole.Client);
        var input = new ReadOnlySequence<byte>(wire);

        for (int i = 0; i < 3; i++)
        {
            Assert.True(reader.TryRead(input, out SequencePosition consumed, out SequencePosition examined, out FrameEvent frameEvent));
            Assert.Equal(FrameEventKind.Error, frameEvent.Kind);
            Assert.Equal(FrameError.UnexpectedContinuation, frameEvent.Error);
            Assert.Equal(input.Start, consumed);
            Assert.Equal(input.End, examined);
            input = input.Slice(Math.Min(2, input.Length));
        }
    }

    [Fact]
    public void Large_frame_is_streamed_as_the_bytes_arrive()
    {
        byte[] payload = Hex.Counting(300);
        byte[] wire = Hex.Concat(Hex.Bytes("02 7E 01 2C"), payload, Hex.Bytes("80 00"));

        Transcript transcript = ReaderDriver.Read(wire, WebSocketRole.Client, null, [4, 100, 0, 150, 50, 2]);

        Assert.Equal(
            [
                (Opcode.Binary, Hex.Of(payload.AsSpan(0, 100)), false),
                (Opcode.Binary, Hex.Of(payload.AsSpan(100, 150)), false),
                (Opcode.Binary, Hex.Of(payload.AsSpan(250, 50)), false),
                (Opcode.Binary, "", true),
            ],
            transcript.DataEvents);
        Assert.Equal(wire.Length, transcript.Consumed);
    }

    [Fact]
    public void Header_without_payload_bytes_is_not_consumed()
    {
        var reader = new FrameReader(WebSocketRole.Client);
        var input = new ReadOnlySequence<byte>(Hex.Bytes("81 05"));

        Assert.False(reader.TryRead(input, out SequencePosition consumed, out SequencePosition examined, out _));

        Assert.Equal(input.Start, consumed);
        Assert.Equal(input.End, examined);
    }

    [Fact]
    public void Piece_stops_at_the_frame_end_even_when_more_bytes_follow()
    {
        var reader = new FrameReader(WebSocketRole.Client);
        byte[] wire = Hex.Bytes("01 02 61 62  80 01 63");
        var input = new ReadOnlySequence<byte>(wire);

        Assert.True(reader.TryRead(input, out SequencePosition consumed, out _, out FrameEvent first));
        Assert.Equal("6162", Hex.Of(first.Payload.ToArray()));
        Assert.False(first.EndOfMessage);
        Assert.Equal(4, input.Slice(input.Start, consumed).Length);

        input = input.Slice(consumed);
        Assert.True(reader.TryRead(input, out consumed, out _, out FrameEvent second));
        Assert.Equal("63", Hex.Of(second.Payload.ToArray()));
        Assert.True(second.EndOfMessage);
        Assert.Equal(0, input.Slice(consumed).Length);
    }

    [Fact]
    public void Writer_writes_fragments_byte_exact()
    {
        var writer = new ArrayBufferWriter<byte>();

        FrameWriter.WriteFrame(writer, Opcode.Text, "Hel"u8, fin: false);
        FrameWriter.WriteFrame(writer, Opcode.Continuation, "lo"u8);

        Assert.Equal("010348656C80026C6F", Hex.Of(writer.WrittenSpan));
    }
}
