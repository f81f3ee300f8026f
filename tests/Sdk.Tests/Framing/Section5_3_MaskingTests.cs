using System.Buffers;
using CsCheck;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Framing;

/// <summary>RFC 6455 sections 5.1 and 5.3: who masks, and the masking transform.</summary>
public class Section5_3_MaskingTests
{
    private const uint Key = 0x3D21FA37; // wire bytes 37 FA 21 3D

    public static TheoryData<int> LargeLengths => [65536 + 1, 65536 + 3, 65536 + 63, (1 << 20) + 7];

    private static readonly uint[] Keys = [Key, 0, 0xFFFFFFFF, 0x01020304, 0x80FF7F01];

    // Section 5.3: octet i of the transformed data is octet i XOR masking-key octet (i MOD 4).
    private static void ReferenceMask(Span<byte> data, uint key, int offset)
    {
        for (int i = 0; i < data.Length; i++)
        {
            data[i] ^= (byte)(key >> (8 * ((offset + i) & 3)));
        }
    }

    [Fact]
    public void Key_bytes_are_applied_in_wire_order()
    {
        var zeros = new byte[8];

        Mask.Apply(zeros, Key, 0);

        Assert.Equal("37FA213D37FA213D", Hex.Of(zeros));
    }

    [Fact]
    public void Offset_selects_the_starting_key_byte()
    {
        for (int offset = 0; offset < 8; offset++)
        {
            var zeros = new byte[5];
            Mask.Apply(zeros, Key, offset);
            byte[] expected = Hex.Bytes("37 FA 21 3D 37 FA 21 3D 37 FA 21 3D").AsSpan(offset & 3, 5).ToArray();
            Assert.Equal(Hex.Of(expected), Hex.Of(zeros));
        }
    }

    [Fact]
    public void Rfc_example_masks_Hello()
    {
        byte[] data = "Hello"u8.ToArray();

        int next = Mask.Apply(data, Key, 0);

        Assert.Equal("7F9F4D5158", Hex.Of(data));
        Assert.Equal(1, next);
    }

    [Fact]
    public void Matches_the_reference_for_lengths_0_to_300_at_every_offset()
    {
        byte[] source = Hex.Counting(300 + 64);
        foreach (uint key in Keys)
        {
            for (int length = 0; length <= 300; length++)
            {
                for (int offset = 0; offset < 4; offset++)
                {
                    // Start at varying alignments, and check the bytes around the span stay untouched.
                    int start = (length + offset) % 17;
                    byte[] actual = source.ToArray();
                    byte[] expected = source.ToArray();
                    ReferenceMask(expected.AsSpan(start, length), key, offset);

                    int next = Mask.Apply(actual.AsSpan(start, length), key, offset);

                    Assert.Equal((offset + length) & 3, next);
                    Assert.True(expected.AsSpan().SequenceEqual(actual), $"key {key:X8} length {length} offset {offset}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(LargeLengths))]
    public void Matches_the_reference_for_large_lengths(int length)
    {
        byte[] source = Hex.Counting(length);
        for (int offset = 0; offset < 4; offset++)
        {
            byte[] actual = source.ToArray();
            byte[] expected = source.ToArray();
            ReferenceMask(expected, Key, offset);

            Assert.Equal((offset + length) & 3, Mask.Apply(actual, Key, offset));

            Assert.True(expected.AsSpan().SequenceEqual(actual), $"offset {offset}");
        }
    }

    [Fact]
    public void Negative_and_large_offsets_use_the_low_two_bits()
    {
        foreach (int offset in new[] { -1, -4, int.MaxValue, int.MinValue, 1001 })
        {
            byte[] actual = Hex.Counting(37);
            byte[] expected = Hex.Counting(37);
            ReferenceMask(expected, Key, offset & 3);

            Assert.Equal((offset + 37) & 3, Mask.Apply(actual, Key, offset));
            Assert.Equal(Hex.Of(expected), Hex.Of(actual));
        }
    }

    [Fact]
    public void Applying_in_pieces_equals_applying_whole()
    {
        Gen.Select(Gen.Byte.Array[0, 600], Gen.UInt, Gen.Int[0, 600].Array[0, 6])
            .Sample((data, key, cuts) =>
            {
                byte[] whole = data.ToArray();
                Mask.Apply(whole, key, 0);

                byte[] pieces = data.ToArray();
                int offset = 0;
                int position = 0;
                foreach (int cut in cuts.Select(c => Math.Min(c, data.Length)).Order().Append(data.Length))
                {
                    offset = Mask.Apply(pieces.AsSpan(position, cut - position), key, offset);
                    position = cut;
                }

                Assert.Equal(Hex.Of(whole), Hex.Of(pieces));

                // Masking is an involution.
                Mask.Apply(whole, key, 0);
                Assert.Equal(Hex.Of(data), Hex.Of(whole));
            }, iter: 500);
    }

    [Fact]
    public void Server_rejects_an_unmasked_frame()
    {
        Assert.Equal([ReadItem.Failure(FrameError.UnmaskedClientFrame)], ReaderDriver.ReadWhole(Hex.Bytes("81 05 48 65 6C 6C 6F"), WebSocketRole.Server).Items);
        Assert.Equal([ReadItem.Failure(FrameError.UnmaskedClientFrame)], ReaderDriver.ReadWhole(Hex.Bytes("89 00"), WebSocketRole.Server).Items);
    }

    [Fact]
    public void Client_rejects_a_masked_frame()
    {
        Assert.Equal([ReadItem.Failure(FrameError.MaskedServerFrame)], ReaderDriver.ReadWhole(Hex.Bytes("81 85 37 FA 21 3D 7F 9F 4D 51 58"), WebSocketRole.Client).Items);
        Assert.Equal([ReadItem.Failure(FrameError.MaskedServerFrame)], ReaderDriver.ReadWhole(Hex.Bytes("8A 80 37 FA 21 3D"), WebSocketRole.Client).Items);
    }

    [Fact]
    public void Reader_unmasks_in_place()
    {
        byte[] wire = Hex.Bytes("81 85 37 FA 21 3D 7F 9F 4D 51 58");
        var reader = new FrameReader(WebSocketRole.Server);

        Assert.True(reader.TryRead(new ReadOnlySequence<byte>(wire), out _, out _, out FrameEvent frameEvent));

        Assert.Equal("Hello"u8.ToArray(), frameEvent.Payload.ToArray());
        Assert.Equal("818537FA213D48656C6C6F", Hex.Of(wire));
    }

    [Fact]
    public void Reader_continues_the_mask_across_pieces_and_segments()
    {
        byte[] payload = Hex.Counting(1000);
        var writer = new ArrayBufferWriter<byte>();
        FrameWriter.WriteFrame(writer, Opcode.Binary, payload, maskKey: Key);
        byte[] wire = writer.WrittenSpan.ToArray();
        var random = new Random(5);

        foreach (int chunk in new[] { 1, 2, 3, 5, 7, 64, 333 })
        {
            Transcript transcript = ReaderDriver.Read(wire, WebSocketRole.Server, null, Enumerable.Repeat(chunk, wire.Length / chunk), m => TestSegment.Random(m, random));
            Assert.Equal([ReadItem.Message(Opcode.Binary, payload)], transcript.Items);
        }
    }

    [Fact]
    public void Writer_masks_a_copy_and_leaves_the_source_alone()
    {
        byte[] payload = "Hello"u8.ToArray();
        var writer = new ArrayBufferWriter<byte>();

        FrameWriter.WriteFrame(writer, Opcode.Text, payload, maskKey: Key);

        Assert.Equal("818537FA213D7F9F4D5158", Hex.Of(writer.WrittenSpan));
        Assert.Equal("Hello"u8.ToArray(), payload);
    }
}
