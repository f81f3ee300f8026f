using System.Buffers;
using System.Text.Unicode;
using CsCheck;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Framing;

/// <summary>
/// RFC 6455 section 8.1 and RFC 3629: text messages must be valid UTF-8, checked incrementally and
/// failed at the first byte that cannot continue valid text (Autobahn section 6 style cases).
/// </summary>
public class Section8_1_Utf8Tests
{
    private const int Valid = -1;

    /// <summary>Hex bytes, index of the first invalid byte (or -1), whether the text is complete when valid.</summary>
    public static TheoryData<string, int, bool> Cases => new()
    {
        // Valid text, boundaries of each sequence length.
        { "", Valid, true },
        { "48 65 6C 6C 6F", Valid, true },
        { "CE BA E1 BD B9 CF 83 CE BC CE B5", Valid, true }, // κόσμε
        { "00", Valid, true },
        { "7F", Valid, true },
        { "C2 80", Valid, true },
        { "DF BF", Valid, true },
        { "E0 A0 80", Valid, true },
        { "ED 9F BF", Valid, true }, // U+D7FF
        { "EE 80 80", Valid, true }, // U+E000
        { "EF BF BD", Valid, true }, // U+FFFD
        { "EF BF BF", Valid, true }, // U+FFFF
        { "F0 90 80 80", Valid, true },
        { "F4 8F BF BF", Valid, true }, // U+10FFFF
        { "F0 9F 98 80 20 E2 82 AC", Valid, true },

        // Valid prefixes that stop inside a code point.
        { "C2", Valid, false },
        { "E2 82", Valid, false },
        { "F0 9F 98", Valid, false },
        { "CE BA E1 BD", Valid, false },
        { "F4 8F", Valid, false },

        // Bytes that never start anything.
        { "80", 0, false },
        { "BF", 0, false },
        { "61 80", 1, false },
        { "C0 80", 0, false },
        { "C1 BF", 0, false },
        { "F5 80 80 80", 0, false },
        { "F8 88 80 80 80", 0, false },
        { "FE", 0, false },
        { "FF", 0, false },
        { "CE BA E1 BD B9 CF 83 CE BC CE B5 FF", 11, false },

        // Overlong forms.
        { "E0 80 80", 1, false },
        { "E0 9F BF", 1, false },
        { "F0 80 80 80", 1, false },
        { "F0 8F BF BF", 1, false },
        { "C0 AF", 0, false },
        { "E0 80 AF", 1, false },

        // Surrogates, alone and paired as in CESU-8.
        { "ED A0 80", 1, false },
        { "ED BF BF", 1, false },
        { "ED A0 80 ED B0 80", 1, false },
        { "CE BA E1 BD B9 CF 83 CE BC CE B5 ED A0 80 65 64 69 74 65 64", 12, false }, // Autobahn 6.3.1

        // Above U+10FFFF.
        { "F4 90 80 80", 1, false },
        { "F4 BF BF BF", 1, false },
        { "F7 BF BF BF", 0, false },

        // Truncated sequences followed by something that is not a continuation.
        { "C2 41", 1, false },
        { "E2 82 41", 2, false },
        { "F0 9F 98 41", 3, false },
        { "C2 C2 80", 1, false },
        { "E0 A0 C0", 2, false },
        { "F0 9F E2 82 AC", 2, false },
        { "E2 82 AC 80", 3, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fails_at_the_first_invalid_byte_when_fed_byte_by_byte(string hex, int invalidAt, bool complete)
    {
        byte[] bytes = Hex.Bytes(hex);
        var validator = default(Utf8Validator);
        for (int i = 0; i < bytes.Length; i++)
        {
            bool accepted = validator.TryAppend(bytes.AsSpan(i, 1));
            Assert.Equal(i != invalidAt, accepted);
            if (!accepted)
            {
                Assert.False(validator.IsComplete);
                Assert.False(validator.TryAppend("a"u8), "failure is sticky");
                return;
            }
        }

        Assert.Equal(Valid, invalidAt);
        Assert.Equal(complete, validator.IsComplete);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void In_one_piece_every_prefix_is_judged_exactly(string hex, int invalidAt, bool complete)
    {
        byte[] bytes = Hex.Bytes(hex);

        var whole = default(Utf8Validator);
        Assert.Equal(invalidAt == Valid, whole.TryAppend(bytes));
        Assert.Equal(invalidAt == Valid && complete, whole.IsComplete);

        for (int length = 0; length <= bytes.Length; length++)
        {
            var validator = default(Utf8Validator);
            bool expected = invalidAt == Valid || length <= invalidAt;
            Assert.Equal(expected, validator.TryAppend(bytes.AsSpan(0, length)));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void In_two_pieces_fails_in_the_piece_holding_the_invalid_byte(string hex, int invalidAt, bool complete)
    {
        byte[] bytes = Hex.Bytes(hex);
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            var validator = default(Utf8Validator);
            bool first = validator.TryAppend(bytes.AsSpan(0, cut));
            Assert.Equal(invalidAt == Valid || invalidAt >= cut, first);
            if (first)
            {
                Assert.Equal(invalidAt == Valid, validator.TryAppend(bytes.AsSpan(cut)));
                Assert.Equal(invalidAt == Valid && complete, validator.IsComplete);
            }
        }
    }

    [Fact]
    public void Reset_starts_over()
    {
        var validator = default(Utf8Validator);
        Assert.False(validator.TryAppend(Hex.Bytes("FF")));

        validator.Reset();

        Assert.True(validator.TryAppend(Hex.Bytes("E2 82")));
        Assert.False(validator.IsComplete);
        validator.Reset();
        Assert.True(validator.IsComplete);
    }

    [Fact]
    public void Agrees_with_a_reference_on_random_bytes_in_random_pieces()
    {
        // Bytes drawn mostly from the interesting ones: leads of each length, the boundary
        // continuation bytes, and invalid bytes.
        var interesting = Gen.OneOf<byte>(0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF3, 0xF4, 0xF5, 0xFF);
        var gen = Gen.Select(
            Gen.OneOf(interesting, interesting, interesting, Gen.Byte).Array[0, 40],
            Gen.Int[1, 8]);

        gen.Sample((bytes, piece) =>
        {
            int expected = FirstInvalidIndex(bytes);
            var validator = default(Utf8Validator);
            int actual = Valid;
            for (int start = 0; start < bytes.Length; start += piece)
            {
                int length = Math.Min(piece, bytes.Length - start);
                if (!validator.TryAppend(bytes.AsSpan(start, length)))
                {
                    actual = start;
                    break;
                }
            }

            int expectedPiece = expected == Valid ? Valid : expected / piece * piece;
            Assert.Equal(expectedPiece, actual);
            if (expected == Valid)
            {
                Assert.Equal(Utf8.IsValid(bytes), validator.IsComplete);
            }
        }, iter: 20_000);
    }

    [Fact]
    public void Text_message_fails_at_the_bad_byte_before_the_frame_is_complete()
    {
        // A 10-byte text frame whose fourth payload byte is invalid; only 6 payload bytes have arrived.
        byte[] wire = Hex.Bytes("81 0A 61 62 63 FF 64 65");
        var reader = new FrameReader(WebSocketRole.Client);

        Assert.True(reader.TryRead(new ReadOnlySequence<byte>(wire), out _, out _, out FrameEvent frameEvent));

        Assert.Equal(FrameEventKind.Error, frameEvent.Kind);
        Assert.Equal(FrameError.InvalidUtf8, frameEvent.Error);
        Assert.Equal(CloseCode.InvalidPayloadData, frameEvent.Error.ToCloseCode());
    }

    [Fact]
    public void Text_message_streamed_byte_by_byte_fails_when_the_bad_byte_arrives()
    {
        byte[] wire = Hex.Bytes("81 0A 61 62 63 ED A0 80 64 65 66 67");

        Transcript transcript = ReaderDriver.ReadBytewise(wire);

        Assert.Equal([ReadItem.Failure(FrameError.InvalidUtf8)], transcript.Items);
        Assert.Equal(["61", "62", "63", "ED"], transcript.DataEvents.Select(e => e.Payload));
    }

    [Fact]
    public void Code_point_split_across_fragments_is_valid()
    {
        // "€" (E2 82 AC) split over three frames, masked, with a ping in between.
        var writer = new ArrayBufferWriter<byte>();
        FrameWriter.WriteFrame(writer, Opcode.Text, Hex.Bytes("61 E2"), fin: false, maskKey: 0x11223344);
        FrameWriter.WriteFrame(writer, Opcode.Continuation, Hex.Bytes("82"), fin: false, maskKey: 0x55667788);
        FrameWriter.WriteFrame(writer, Opcode.Ping, [], maskKey: 1);
        FrameWriter.WriteFrame(writer, Opcode.Continuation, Hex.Bytes("AC 62"), maskKey: 0x99AABBCC);

        Transcript transcript = ReaderDriver.ReadBytewise(writer.WrittenSpan.ToArray(), WebSocketRole.Server);

        Assert.Equal([ReadItem.Control(Opcode.Ping, []), ReadItem.Text("a€b")], transcript.Items);
    }

    [Theory]
    [InlineData("81 02 61 E2")]
    [InlineData("01 01 E2  80 01 82")]
    [InlineData("01 01 F0  80 00")]
    public void Text_message_ending_inside_a_code_point_is_rejected(string hex)
    {
        Assert.Equal(ReadItem.Failure(FrameError.InvalidUtf8), ReaderDriver.ReadWhole(Hex.Bytes(hex)).Items[^1]);
        Assert.Equal(ReadItem.Failure(FrameError.InvalidUtf8), ReaderDriver.ReadBytewise(Hex.Bytes(hex)).Items[^1]);
    }

    [Fact]
    public void Invalid_utf8_in_a_later_fragment_is_rejected()
    {
        Transcript transcript = ReaderDriver.ReadWhole(Hex.Bytes("01 01 61  00 01 62  80 02 C0 80"));

        Assert.Equal([(Opcode.Text, "61", false), (Opcode.Text, "62", false)], transcript.DataEvents);
        Assert.Equal([ReadItem.Failure(FrameError.InvalidUtf8)], transcript.Items);
    }

    [Fact]
    public void Binary_messages_are_not_checked()
    {
        Assert.Equal([ReadItem.Message(Opcode.Binary, Hex.Bytes("FF C0 ED A0 80"))], ReaderDriver.ReadWhole(Hex.Bytes("82 05 FF C0 ED A0 80")).Items);
    }

    [Fact]
    public void Validation_state_does_not_leak_between_messages()
    {
        // A binary message ending in a lead byte, then a text message: the text starts clean.
        Assert.Equal(
            [ReadItem.Message(Opcode.Binary, Hex.Bytes("E2")), ReadItem.Text("a")],
            ReaderDriver.ReadWhole(Hex.Bytes("82 01 E2  81 01 61")).Items);
    }

    // By definition: a prefix is valid when some completion makes it valid UTF-8. The first
    // continuation byte is the only constrained one, and one of these fits each allowed range.
    private static int FirstInvalidIndex(byte[] bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            if (!IsValidPrefix(bytes.AsSpan(0, i + 1)))
            {
                return i;
            }
        }

        return Valid;
    }

    /// <summary>
    /// Found by fuzzing (tests/Fuzz/findings/frames/utf8-error-*): an error found in the first piece of a frame's
    /// payload reported the frame header as consumed; like every other error it now consumes nothing.
    /// </summary>
    [Theory]
    [InlineData(WebSocketRole.Client, "81 02 C3 28")]
    [InlineData(WebSocketRole.Server, "81 84 37 FA 21 3D 7F 9F E2 15")]
    [InlineData(WebSocketRole.Client, "01 01 41 80 02 E2 28")]
    public void Invalid_utf8_in_the_first_piece_of_a_frame_consumes_nothing(WebSocketRole role, string hex)
    {
        byte[] wire = Hex.Bytes(hex);
        var reader = new FrameReader(role);
        var input = new ReadOnlySequence<byte>(wire);
        FrameEvent frameEvent;
        SequencePosition consumed;
        SequencePosition examined;
        while (reader.TryRead(input, out consumed, out examined, out frameEvent) && frameEvent.Kind != FrameEventKind.Error)
        {
            input = input.Slice(consumed);
        }

        Assert.Equal(FrameError.InvalidUtf8, frameEvent.Error);
        Assert.Equal(input.Start, consumed);
        Assert.Equal(input.End, examined);
    }

    private static bool IsValidPrefix(ReadOnlySpan<byte> prefix)
    {
        byte[] firsts = [0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF];
        for (int extra = 0; extra <= 3; extra++)
        {
            foreach (byte first in extra == 0 ? [(byte)0] : firsts)
            {
                byte[] candidate = [.. prefix, .. Enumerable.Range(0, extra).Select(j => j == 0 ? first : (byte)0x80)];
                if (Utf8.IsValid(candidate))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
