using System.Buffers;
using CsCheck;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Framing;

/// <summary>RFC 6455 section 5.2: the header layout, length encodings and the checks a header alone allows.</summary>
public class Section5_2_BaseFramingTests
{
    private const uint Key = 0x3D21FA37; // wire bytes 37 FA 21 3D, the RFC 5.7 example key

    public static TheoryData<string, FrameHeader> ValidHeaders => new()
    {
        { "81 05", new FrameHeader(true, 0, Opcode.Text, false, 5, 0) },
        { "01 03", new FrameHeader(false, 0, Opcode.Text, false, 3, 0) },
        { "80 00", new FrameHeader(true, 0, Opcode.Continuation, false, 0, 0) },
        { "00 7D", new FrameHeader(false, 0, Opcode.Continuation, false, 125, 0) },
        { "82 7D", new FrameHeader(true, 0, Opcode.Binary, false, 125, 0) },
        { "82 7E 00 7E", new FrameHeader(true, 0, Opcode.Binary, false, 126, 0) },
        { "82 7E 01 00", new FrameHeader(true, 0, Opcode.Binary, false, 256, 0) },
        { "82 7E FF FF", new FrameHeader(true, 0, Opcode.Binary, false, 65535, 0) },
        { "82 7F 00 00 00 00 00 01 00 00", new FrameHeader(true, 0, Opcode.Binary, false, 65536, 0) },
        { "82 7F 7F FF FF FF FF FF FF FF", new FrameHeader(true, 0, Opcode.Binary, false, long.MaxValue, 0) },
        { "81 85 37 FA 21 3D", new FrameHeader(true, 0, Opcode.Text, true, 5, Key) },
        { "82 FE 01 00 37 FA 21 3D", new FrameHeader(true, 0, Opcode.Binary, true, 256, Key) },
        { "02 FF 00 00 00 00 00 01 00 00 01 02 03 04", new FrameHeader(false, 0, Opcode.Binary, true, 65536, 0x04030201) },
        { "88 00", new FrameHeader(true, 0, Opcode.Close, false, 0, 0) },
        { "89 80 00 00 00 00", new FrameHeader(true, 0, Opcode.Ping, true, 0, 0) },
        { "8A FD 37 FA 21 3D", new FrameHeader(true, 0, Opcode.Pong, true, 125, Key) },
    };

    public static TheoryData<string, FrameError> InvalidHeaders => new()
    {
        { "C1", FrameError.ReservedBitsSet },
        { "A1", FrameError.ReservedBitsSet },
        { "91", FrameError.ReservedBitsSet },
        { "F2", FrameError.ReservedBitsSet },
        { "C8", FrameError.ReservedBitsSet },
        { "83", FrameError.ReservedOpcode },
        { "04", FrameError.ReservedOpcode },
        { "85", FrameError.ReservedOpcode },
        { "86", FrameError.ReservedOpcode },
        { "87", FrameError.ReservedOpcode },
        { "8B", FrameError.ReservedOpcode },
        { "8C", FrameError.ReservedOpcode },
        { "8D", FrameError.ReservedOpcode },
        { "8E", FrameError.ReservedOpcode },
        { "0F", FrameError.ReservedOpcode },
        { "08", FrameError.ControlFrameFragmented },
        { "09", FrameError.ControlFrameFragmented },
        { "0A", FrameError.ControlFrameFragmented },
        { "89 7E", FrameError.ControlFrameTooLong },
        { "8A 7F", FrameError.ControlFrameTooLong },
        { "88 FE", FrameError.ControlFrameTooLong },
        { "82 7E 00 00", FrameError.NonMinimalLength },
        { "82 7E 00 7D", FrameError.NonMinimalLength },
        { "82 7F 00 00 00 00 00 00 00 05", FrameError.NonMinimalLength },
        { "82 7F 00 00 00 00 00 00 FF FF", FrameError.NonMinimalLength },
        { "82 7F 80 00 00 00 00 00 00 00", FrameError.PayloadLengthTopBitSet },
        { "82 FF FF FF FF FF FF FF FF FF", FrameError.PayloadLengthTopBitSet },
    };

    [Theory]
    [MemberData(nameof(ValidHeaders))]
    public void TryRead_decodes_the_header(string hex, FrameHeader expected)
    {
        byte[] bytes = Hex.Bytes(hex);

        Assert.True(FrameHeader.TryRead(bytes, out FrameHeader header, out FrameError error));

        Assert.Equal(FrameError.None, error);
        Assert.Equal(expected, header);
        Assert.Equal(bytes.Length, header.Length);
    }

    [Theory]
    [MemberData(nameof(ValidHeaders))]
    public void TryRead_ignores_payload_bytes_after_the_header(string hex, FrameHeader expected)
    {
        byte[] bytes = Hex.Concat(Hex.Bytes(hex), Hex.Bytes("FF FF FF FF FF FF FF FF FF FF FF FF FF FF"));

        Assert.True(FrameHeader.TryRead(bytes, out FrameHeader header, out FrameError error));

        Assert.Equal(FrameError.None, error);
        Assert.Equal(expected, header);
    }

    [Theory]
    [MemberData(nameof(ValidHeaders))]
    public void Write_produces_the_exact_bytes(string hex, FrameHeader header)
    {
        var destination = new byte[FrameWriter.MaxHeaderLength + 3];

        int written = header.Write(destination);

        Assert.Equal(hex.Replace(" ", "", StringComparison.Ordinal), Hex.Of(destination.AsSpan(0, written)));
        Assert.Equal(header.Length, written);
    }

    [Theory]
    [MemberData(nameof(ValidHeaders))]
    public void FrameWriter_WriteHeader_produces_the_exact_bytes(string hex, FrameHeader header)
    {
        var destination = new byte[FrameWriter.MaxHeaderLength];

        int written = FrameWriter.WriteHeader(destination, header.Fin, header.Opcode, header.PayloadLength, header.Masked ? header.MaskKey : null);

        Assert.Equal(hex.Replace(" ", "", StringComparison.Ordinal), Hex.Of(destination.AsSpan(0, written)));
    }

    [Theory]
    [MemberData(nameof(ValidHeaders))]
    public void Every_prefix_of_a_valid_header_needs_more(string hex, FrameHeader expected)
    {
        _ = expected;
        byte[] bytes = Hex.Bytes(hex);
        for (int length = 0; length < bytes.Length; length++)
        {
            byte[] prefix = bytes[..length];
            Assert.False(FrameHeader.TryRead(prefix, out _, out FrameError error), $"prefix of {length} bytes");
            Assert.Equal(FrameError.None, error);
            Assert.False(FrameHeader.TryRead(TestSegment.PerByte(prefix), out _, out error), $"per-byte prefix of {length} bytes");
            Assert.Equal(FrameError.None, error);
        }
    }

    [Theory]
    [MemberData(nameof(ValidHeaders))]
    public void Header_split_across_segments_reads_the_same(string hex, FrameHeader expected)
    {
        byte[] bytes = Hex.Concat(Hex.Bytes(hex), [0xAA, 0xBB]);
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            ReadOnlySequence<byte> input = TestSegment.Split(bytes, [cut]);
            Assert.True(FrameHeader.TryRead(input, out FrameHeader header, out FrameError error), $"cut at {cut}");
            Assert.Equal(FrameError.None, error);
            Assert.Equal(expected, header);
        }

        Assert.True(FrameHeader.TryRead(TestSegment.PerByte(bytes), out FrameHeader perByte, out _));
        Assert.Equal(expected, perByte);
    }

    [Theory]
    [MemberData(nameof(InvalidHeaders))]
    public void Invalid_header_is_reported_as_soon_as_its_bytes_prove_it(string hex, FrameError expected)
    {
        byte[] bytes = Hex.Bytes(hex);

        Assert.True(FrameHeader.TryRead(bytes, out FrameHeader header, out FrameError error));
        Assert.Equal(expected, error);
        Assert.Equal(default, header);

        // One byte fewer is not yet proof.
        Assert.False(FrameHeader.TryRead(bytes.AsSpan(0, bytes.Length - 1), out _, out error));
        Assert.Equal(FrameError.None, error);

        // Multi-segment input gives the same verdict.
        Assert.True(FrameHeader.TryRead(TestSegment.PerByte(bytes), out _, out error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [MemberData(nameof(InvalidHeaders))]
    public void FrameReader_reports_header_errors(string hex, FrameError expected)
    {
        Assert.Equal([ReadItem.Failure(expected)], ReaderDriver.ReadWhole(Hex.Bytes(hex)).Items);
        Assert.Equal([ReadItem.Failure(expected)], ReaderDriver.ReadWhole(Hex.Bytes(hex), WebSocketRole.Server).Items);
    }

    [Theory]
    [InlineData(0, false, 2)]
    [InlineData(125, false, 2)]
    [InlineData(126, false, 4)]
    [InlineData(65535, false, 4)]
    [InlineData(65536, false, 10)]
    [InlineData(long.MaxValue, false, 10)]
    [InlineData(0, true, 6)]
    [InlineData(125, true, 6)]
    [InlineData(126, true, 8)]
    [InlineData(65535, true, 8)]
    [InlineData(65536, true, 14)]
    [InlineData(long.MaxValue, true, 14)]
    public void GetLength_uses_the_minimal_encoding(long payloadLength, bool masked, int expected)
    {
        Assert.Equal(expected, FrameHeader.GetLength(payloadLength, masked));
        Assert.Equal(expected, new FrameHeader(true, 0, Opcode.Binary, masked, payloadLength, 0).Length);
    }

    [Fact]
    public void Rsv_bits_round_trip_in_their_positions()
    {
        var destination = new byte[2];
        new FrameHeader(true, 4, Opcode.Text, false, 0, 0).Write(destination);
        Assert.Equal("C100", Hex.Of(destination));
        new FrameHeader(false, 2, Opcode.Text, false, 0, 0).Write(destination);
        Assert.Equal("2100", Hex.Of(destination));
        new FrameHeader(false, 1, Opcode.Binary, false, 0, 0).Write(destination);
        Assert.Equal("1200", Hex.Of(destination));
    }

    [Fact]
    public void Write_rejects_values_that_do_not_fit_the_fields()
    {
        var destination = new byte[FrameWriter.MaxHeaderLength];
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameHeader(true, 8, Opcode.Text, false, 0, 0).Write(destination));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameHeader(true, 0, (Opcode)16, false, 0, 0).Write(destination));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameHeader(true, 0, Opcode.Text, false, -1, 0).Write(destination));
        Assert.Throws<ArgumentException>(() => new FrameHeader(true, 0, Opcode.Text, true, 126, 0).Write(new byte[7]));
    }

    [Fact]
    public void FrameWriter_rejects_reserved_opcodes()
    {
        var destination = new byte[FrameWriter.MaxHeaderLength];
        Assert.Throws<ArgumentException>(() => FrameWriter.WriteHeader(destination, true, (Opcode)3, 0));
        Assert.Throws<ArgumentException>(() => FrameWriter.WriteFrame(new ArrayBufferWriter<byte>(), (Opcode)0xB, []));
    }

    [Fact]
    public void Header_round_trips_for_random_values()
    {
        Gen.Select(Gen.Bool, Gen.Int[0, 2], Gen.Bool, Gen.OneOf(Gen.Long[0, 200], Gen.Long[60_000, 70_000], Gen.Long[0, long.MaxValue]), Gen.UInt)
            .Sample((fin, kind, masked, length, key) =>
            {
                var opcode = (Opcode)(kind + (length <= 125 && fin ? 8 : 0));
                var header = new FrameHeader(fin, 0, opcode, masked, length, masked ? key : 0);
                var destination = new byte[FrameWriter.MaxHeaderLength];
                int written = header.Write(destination);
                Assert.True(FrameHeader.TryRead(destination.AsSpan(0, written), out FrameHeader read, out FrameError error));
                Assert.Equal(FrameError.None, error);
                Assert.Equal(header, read);
            }, iter: 2000);
    }

    [Fact]
    public void Many_frames_in_one_buffer_are_read_in_order()
    {
        byte[] wire = Hex.Bytes("81 01 61  82 00  89 01 70  81 02 62 63  8A 00  88 00");

        Transcript transcript = ReaderDriver.ReadWhole(wire);

        Assert.Equal(
            [
                ReadItem.Text("a"),
                ReadItem.Message(Opcode.Binary, []),
                ReadItem.Control(Opcode.Ping, "p"u8),
                ReadItem.Text("bc"),
                ReadItem.Control(Opcode.Pong, []),
                ReadItem.Close(null, [], []),
            ],
            transcript.Items);
        Assert.Equal(wire.Length, transcript.Consumed);
    }
}
