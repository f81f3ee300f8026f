using CsCheck;
using Xunit;

namespace Switchboard.Tests.Framing;

/// <summary>
/// Any sequence of valid frames reads to the same messages however the bytes are split: at every
/// byte boundary, byte by byte, and as multi-segment sequences with random segment sizes.
/// </summary>
public class ReaderPropertyTests
{
    [Fact]
    public void One_piece_input_reads_to_the_generated_messages()
    {
        Conversation.Generate(large: false).Sample(conversation =>
        {
            byte[] wire = conversation.Wire();

            Transcript transcript = ReaderDriver.ReadWhole(wire, conversation.ReaderRole);

            Assert.Equal(conversation.Expected(), transcript.Items);
            Assert.Equal(wire.Length, transcript.Consumed);
            Assert.False(transcript.HasOpenMessage);
        }, iter: 500);
    }

    [Fact]
    public void Split_at_every_byte_boundary_reads_the_same()
    {
        Conversation.Generate(large: false).Sample(conversation =>
        {
            byte[] wire = conversation.Wire();
            List<ReadItem> expected = conversation.Expected();

            for (int cut = 0; cut <= wire.Length; cut++)
            {
                Transcript transcript = ReaderDriver.Read(wire, conversation.ReaderRole, null, [cut]);
                Assert.Equal(expected, transcript.Items);
                Assert.Equal(wire.Length, transcript.Consumed);
            }
        }, iter: 200);
    }

    [Fact]
    public void Byte_by_byte_reads_the_same()
    {
        Conversation.Generate(large: false).Sample(conversation =>
        {
            byte[] wire = conversation.Wire();

            Transcript transcript = ReaderDriver.ReadBytewise(wire, conversation.ReaderRole);

            Assert.Equal(conversation.Expected(), transcript.Items);
            Assert.Equal(wire.Length, transcript.Consumed);
        }, iter: 300);
    }

    [Fact]
    public void Multi_segment_input_in_random_chunks_reads_the_same()
    {
        Gen.Select(Conversation.Generate(large: false), Gen.Int).Sample((conversation, seed) =>
        {
            byte[] wire = conversation.Wire();
            var random = new Random(seed);
            int[] chunks = [.. Enumerable.Range(0, 8).Select(_ => random.Next(0, Math.Max(1, wire.Length / 3)))];

            Transcript transcript = ReaderDriver.Read(wire, conversation.ReaderRole, null, chunks, m => TestSegment.Random(m, random));

            Assert.Equal(conversation.Expected(), transcript.Items);
            Assert.Equal(wire.Length, transcript.Consumed);
        }, iter: 500);
    }

    [Fact]
    public void Large_frames_in_multi_segment_input_read_the_same()
    {
        Gen.Select(Conversation.Generate(large: true), Gen.Int).Sample((conversation, seed) =>
        {
            byte[] wire = conversation.Wire();
            var random = new Random(seed);
            int[] chunks = [.. Enumerable.Range(0, 6).Select(_ => random.Next(0, 20_000))];

            Transcript transcript = ReaderDriver.Read(wire, conversation.ReaderRole, null, chunks, m => TestSegment.Random(m, random, maxSize: 5000));

            Assert.Equal(conversation.Expected(), transcript.Items);
            Assert.Equal(wire.Length, transcript.Consumed);
        }, iter: 40);
    }
}
