using System.Buffers;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Framing;

/// <summary>Size limits: checked from headers, before any payload is buffered, and mapped to close 1009.</summary>
public class LimitsTests
{
    private static readonly FrameReaderOptions Small = new() { MaxFrameSize = 100, MaxMessageSize = 150 };

    [Fact]
    public void Defaults_are_one_mebibyte()
    {
        var options = new FrameReaderOptions();

        Assert.Equal(1024 * 1024, options.MaxFrameSize);
        Assert.Equal(1024 * 1024, options.MaxMessageSize);
        Assert.Equal(1024 * 1024, FrameReaderOptions.DefaultMaxSize);
        Assert.Equal(1024 * 1024, FrameReaderOptions.Default.MaxFrameSize);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public void Limits_must_be_positive(long value)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameReaderOptions { MaxFrameSize = value });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameReaderOptions { MaxMessageSize = value });
    }

    [Fact]
    public void Frame_over_the_limit_fails_from_its_header_alone()
    {
        var reader = new FrameReader(WebSocketRole.Server, Small);
        var input = new ReadOnlySequence<byte>(Hex.Bytes("82 E5 01 02 03 04")); // 101 bytes declared, none present

        Assert.True(reader.TryRead(input, out _, out _, out FrameEvent frameEvent));

        Assert.Equal(FrameError.FrameTooBig, frameEvent.Error);
        Assert.Equal(CloseCode.MessageTooBig, frameEvent.Error.ToCloseCode());
    }

    [Fact]
    public void Huge_declared_length_fails_with_the_default_limits()
    {
        Assert.Equal([ReadItem.Failure(FrameError.FrameTooBig)], ReaderDriver.ReadWhole(Hex.Bytes("82 7F 7F FF FF FF FF FF FF FF")).Items);
        Assert.Equal([ReadItem.Failure(FrameError.FrameTooBig)], ReaderDriver.ReadWhole(Hex.Bytes("82 7F 00 00 00 00 00 10 00 01")).Items);
    }

    [Fact]
    public void Frame_at_the_limit_is_accepted()
    {
        byte[] payload = Hex.Counting(100);

        Transcript transcript = ReaderDriver.ReadWhole(Hex.Concat(Hex.Bytes("82 64"), payload), WebSocketRole.Client, Small);

        Assert.Equal([ReadItem.Message(Opcode.Binary, payload)], transcript.Items);
    }

    [Fact]
    public void Control_frames_obey_the_frame_limit()
    {
        var options = new FrameReaderOptions { MaxFrameSize = 10 };

        Assert.Equal([ReadItem.Failure(FrameError.FrameTooBig)], ReaderDriver.ReadWhole(Hex.Bytes("89 0B"), WebSocketRole.Client, options).Items);
    }

    [Fact]
    public void Message_over_the_limit_fails_at_the_header_that_crosses_it()
    {
        byte[] wire = Hex.Concat(Hex.Bytes("02 64"), Hex.Counting(100), Hex.Bytes("80 33"));

        Transcript transcript = ReaderDriver.ReadWhole(wire, WebSocketRole.Client, Small);

        Assert.Single(transcript.DataEvents);
        Assert.Equal([ReadItem.Failure(FrameError.MessageTooBig)], transcript.Items);
        Assert.Equal(102, transcript.Consumed);
    }

    [Fact]
    public void Message_in_more_frames_than_the_fragment_limit_fails_at_the_header_of_the_one_too_many()
    {
        var options = new FrameReaderOptions { MaxFragments = 3 };
        // Three fragments, "abc", make a message; a fourth header fails before its payload is read.
        Transcript three = ReaderDriver.ReadWhole(Hex.Bytes("01 01 61 00 01 62 80 01 63"), WebSocketRole.Client, options);
        Assert.Equal(3, three.DataEvents.Count);
        Assert.DoesNotContain(three.Items, item => item == ReadItem.Failure(FrameError.TooManyFragments));

        Transcript four = ReaderDriver.ReadWhole(Hex.Bytes("01 01 61 00 01 62 00 01 63 80 01 64"), WebSocketRole.Client, options);
        Assert.Equal(ReadItem.Failure(FrameError.TooManyFragments), four.Items[^1]);
        Assert.Equal(9, four.Consumed);
        Assert.Equal(CloseCode.PolicyViolation, FrameError.TooManyFragments.ToCloseCode());

        // The count starts again with each message; control frames between fragments do not count.
        Transcript again = ReaderDriver.ReadWhole(Hex.Bytes("01 01 61 89 00 00 01 62 80 01 63 01 01 61 00 01 62 80 01 63"), WebSocketRole.Client, options);
        Assert.DoesNotContain(again.Items, item => item == ReadItem.Failure(FrameError.TooManyFragments));
    }

    [Fact]
    public void Single_frame_over_the_message_limit_fails()
    {
        var options = new FrameReaderOptions { MaxFrameSize = 1000, MaxMessageSize = 150 };

        Assert.Equal([ReadItem.Failure(FrameError.MessageTooBig)], ReaderDriver.ReadWhole(Hex.Bytes("81 7E 00 97"), WebSocketRole.Client, options).Items);
    }

    [Fact]
    public void Message_at_the_limit_is_accepted_and_the_count_restarts_per_message()
    {
        byte[] first = Hex.Counting(100);
        byte[] second = Hex.Counting(50);
        byte[] fragmented = Hex.Concat(Hex.Bytes("02 64"), first, Hex.Bytes("89 00"), Hex.Bytes("80 32"), second);
        byte[] wire = Hex.Concat(fragmented, fragmented);

        Transcript transcript = ReaderDriver.ReadWhole(wire, WebSocketRole.Client, Small);

        ReadItem message = ReadItem.Message(Opcode.Binary, Hex.Concat(first, second));
        ReadItem ping = ReadItem.Control(Opcode.Ping, []);
        Assert.Equal([ping, message, ping, message], transcript.Items);
    }

    [Fact]
    public void Limits_are_enforced_on_declared_lengths_across_arbitrary_splits()
    {
        byte[] wire = Hex.Concat(Hex.Bytes("02 64"), Hex.Counting(100), Hex.Bytes("00 32"), Hex.Counting(50), Hex.Bytes("80 01 00"));

        for (int cut = 0; cut <= wire.Length; cut++)
        {
            Transcript transcript = ReaderDriver.Read(wire, WebSocketRole.Client, Small, [cut]);
            Assert.Equal([ReadItem.Failure(FrameError.MessageTooBig)], transcript.Items);
            Assert.Equal(154, transcript.Consumed);
        }
    }
}
