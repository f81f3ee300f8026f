using System.Buffers;
using Switchboard.Protocol;
using Switchboard.Protocol.Connection;
using Switchboard.Protocol.Framing;
using Switchboard.Tests.Framing;
using Xunit;

namespace Switchboard.Tests.Protocol;

/// <summary>The hot path allocates nothing: one-frame and fragmented messages in, pongs and messages out, timers.</summary>
public class AllocationTests
{
    [Fact]
    public void Reading_messages_and_answering_pings_allocates_nothing()
    {
        var writer = new ArrayBufferWriter<byte>();
        FrameWriter.WriteFrame(writer, Opcode.Text, "κόσμε, hello"u8, maskKey: FixedMaskKeys.Key);
        FrameWriter.WriteFrame(writer, Opcode.Binary, new byte[300], fin: false, maskKey: FixedMaskKeys.Key);
        FrameWriter.WriteFrame(writer, Opcode.Ping, "p"u8, maskKey: FixedMaskKeys.Key);
        FrameWriter.WriteFrame(writer, Opcode.Continuation, new byte[5000], maskKey: FixedMaskKeys.Key);
        FrameWriter.WriteFrame(writer, Opcode.Pong, [], maskKey: FixedMaskKeys.Key);
        byte[] wire = writer.WrittenSpan.ToArray();
        var connection = new ProtocolConnection(WebSocketRole.Server, Pump.Options(null, new ManualTime()));
        var output = new ArrayBufferWriter<byte>(4096);

        // The first run rents the assembly buffer, which the connection keeps for the next messages.
        Assert.Equal(4, ReadAll(connection, new ReadOnlySequence<byte>(wire.ToArray()), output));
        var single = new ReadOnlySequence<byte>(wire.ToArray());
        ReadOnlySequence<byte> multi = TestSegment.Split(wire.ToArray(), [3, 7, 1, 20, 100, 0, 5]);
        output.ResetWrittenCount();

        long before = GC.GetAllocatedBytesForCurrentThread();
        int events = ReadAll(connection, single, output) + ReadAll(connection, multi, output);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(8, events);
        Assert.Equal(0, allocated);
        Assert.Equal(Pump.Wire("8A 01 70  8A 01 70"), Hex.Of(output.WrittenSpan));
    }

    [Fact]
    public void Sending_pinging_and_timers_allocate_nothing()
    {
        var time = new ManualTime();
        var connection = new ProtocolConnection(WebSocketRole.Client, Pump.Options(null, time));
        var output = new ArrayBufferWriter<byte>(8192);
        byte[] payload = new byte[1000];
        var segmented = TestSegment.Split(payload, [10, 990]);
        var pong = new ReadOnlySequence<byte>([0x8A, 0x00]);
        Work(connection, output, payload, segmented, pong, time);
        output.ResetWrittenCount();

        long before = GC.GetAllocatedBytesForCurrentThread();
        Work(connection, output, payload, segmented, pong, time);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    private static void Work(ProtocolConnection connection, ArrayBufferWriter<byte> output, byte[] payload, ReadOnlySequence<byte> segmented, ReadOnlySequence<byte> pong, ManualTime time)
    {
        connection.Send(output, Opcode.Binary, payload);
        connection.Send(output, Opcode.Text, "hello"u8, endOfMessage: false);
        connection.Send(output, Opcode.Text, "!"u8);
        connection.Send(output, Opcode.Binary, segmented);
        connection.Ping(output, "p"u8);
        _ = connection.GetNextDeadline();
        time.Advance(TimeSpan.FromSeconds(31));
        connection.OnTimer(output);
        Assert.True(connection.TryRead(pong, output, out _, out _, out _)); // the peer answers the keepalive
    }

    // Counts events until the connection needs more; -1000 marks a failure so the count cannot match.
    private static int ReadAll(ProtocolConnection connection, ReadOnlySequence<byte> input, ArrayBufferWriter<byte> output)
    {
        int events = 0;
        while (connection.TryRead(input, output, out SequencePosition consumed, out _, out ProtocolEvent e))
        {
            if (e.Kind == ProtocolEventKind.Failed)
            {
                return -1000;
            }

            events++;
            input = input.Slice(consumed);
        }

        return events;
    }
}
