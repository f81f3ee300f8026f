using System.Buffers;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Framing;

/// <summary>The hot path allocates nothing: reading, unmasking, validating and writing frames.</summary>
public class AllocationTests
{
    private const uint Key = 0x3D21FA37;
    private static readonly int[] SegmentSizes = [3, 7, 1, 20, 100, 0, 5];

    [Fact]
    public void Reading_masked_frames_allocates_nothing()
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameWriter.WriteFrame(writer, Opcode.Text, "κόσμε, hello"u8, fin: false, maskKey: Key);
        FrameWriter.WriteFrame(writer, Opcode.Ping, "p"u8, maskKey: Key);
        FrameWriter.WriteFrame(writer, Opcode.Continuation, new byte[300], maskKey: Key);
        FrameWriter.WriteClose(writer, CloseCode.NormalClosure, "bye", Key);
        byte[] wire = writer.WrittenSpan.ToArray();

        // Run every path once first, then measure on fresh copies (the reader unmasks in place).
        ReadAll(new FrameReader(WebSocketRole.Server), new ReadOnlySequence<byte>(wire.ToArray()));
        ReadAll(new FrameReader(WebSocketRole.Server), TestSegment.Split(wire.ToArray(), SegmentSizes));
        var singleReader = new FrameReader(WebSocketRole.Server);
        var multiReader = new FrameReader(WebSocketRole.Server);
        var single = new ReadOnlySequence<byte>(wire.ToArray());
        ReadOnlySequence<byte> multi = TestSegment.Split(wire.ToArray(), SegmentSizes);

        long before = GC.GetAllocatedBytesForCurrentThread();
        int events = ReadAll(singleReader, single) + ReadAll(multiReader, multi);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(8, events);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Writing_masking_and_validating_allocate_nothing()
    {
        var writer = new ArrayBufferWriter<byte>(4096);
        byte[] payload = new byte[1000];
        Write(writer, payload);
        writer.ResetWrittenCount();

        long before = GC.GetAllocatedBytesForCurrentThread();
        Write(writer, payload);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    private static void Write(ArrayBufferWriter<byte> writer, byte[] payload)
    {
        FrameWriter.WriteFrame(writer, Opcode.Binary, payload, maskKey: Key);
        FrameWriter.WriteFrame(writer, Opcode.Text, "hello"u8);
        FrameWriter.WriteClose(writer, CloseCode.GoingAway, "shutting down", Key);
        Span<byte> header = stackalloc byte[FrameWriter.MaxHeaderLength];
        FrameWriter.WriteHeader(header, true, Opcode.Binary, 70_000, Key);
        var validator = default(Utf8Validator);
        validator.TryAppend("κόσμε"u8);
        Mask.Apply(payload, Key, 1);
    }

    // Counts events until the reader needs more; -1000 marks an error so the count cannot match.
    private static int ReadAll(FrameReader reader, ReadOnlySequence<byte> input)
    {
        int events = 0;
        while (reader.TryRead(input, out SequencePosition consumed, out _, out FrameEvent frameEvent))
        {
            if (frameEvent.Kind == FrameEventKind.Error)
            {
                return -1000;
            }

            events++;
            input = input.Slice(consumed);
        }

        return events;
    }
}
