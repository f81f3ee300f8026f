using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using Switchboard.Protocol;
using Switchboard.Protocol.Compression;
using Switchboard.Protocol.Connection;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Compression;

/// <summary>
/// RFC 7692 section 8.1 and RFC 6455 section 10.4: inflated bytes count against MaxMessageSize as they come, so a
/// message that inflates past it fails with 1009 whatever its compressed size; and the frames permessage-deflate
/// does not allow fail with 1002 or 1007.
/// </summary>
public class DeflateBombTests
{
    private const int Megabyte = 1024 * 1024;

    private static readonly FrameReaderOptions s_limits = new() { MaxFrameSize = 4 * Megabyte, MaxMessageSize = Megabyte };

    [Fact]
    public void One_megabyte_frame_that_inflates_to_a_gigabyte_fails_with_1009_at_once_in_bounded_memory()
    {
        byte[] bomb = DeflatedZeros(1024L * Megabyte);
        Assert.InRange(bomb.Length, 512 * 1024, 2 * Megabyte);
        var server = new ProtocolConnection(WebSocketRole.Server, new ProtocolConnectionOptions { Frames = s_limits }, new DeflateParameters());
        byte[] wire = ClientFrame(bomb, rsv: 4, Opcode.Binary, fin: true);
        var answers = new ArrayBufferWriter<byte>();

        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var events = DeflatePair.Read(server, wire, answers);
        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.Equal(FrameError.MessageTooBig, Assert.Single(events).Error);
        Assert.Equal(CloseCode.MessageTooBig, CloseStatus(answers));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.True(allocated < 8 * Megabyte, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Message_of_many_small_frames_that_inflates_past_the_limit_fails_with_1009()
    {
        // 64 KiB of zeros per frame deflates to about 100 bytes with context kept between frames.
        var deflater = new MessageDeflater(CompressionLevel.Optimal);
        var server = new ProtocolConnection(WebSocketRole.Server, new ProtocolConnectionOptions { Frames = s_limits }, new DeflateParameters());
        var answers = new ArrayBufferWriter<byte>();
        var wire = new List<byte>();
        byte[] zeros = new byte[64 * 1024];
        for (int i = 0; i < 20; i++)
        {
            byte[] compressed = deflater.Compress(zeros, endOfMessage: false).ToArray();
            Assert.True(compressed.Length < 1024);
            wire.AddRange(ClientFrame(compressed, rsv: i == 0 ? (byte)4 : (byte)0, i == 0 ? Opcode.Binary : Opcode.Continuation, fin: false));
        }

        var events = DeflatePair.Read(server, [.. wire], answers);

        Assert.Equal(FrameError.MessageTooBig, Assert.Single(events).Error);
        Assert.Equal(CloseCode.MessageTooBig, CloseStatus(answers));
    }

    [Fact]
    public void Message_that_inflates_to_exactly_the_limit_passes()
    {
        var frames = new FrameReaderOptions { MaxMessageSize = 100_000 };
        var pair = new DeflatePair(frames: frames);
        var wire = new ArrayBufferWriter<byte>();
        pair.Client.Send(wire, Opcode.Binary, new byte[100_000]);
        pair.Client.Send(wire, Opcode.Binary, new byte[100_001]);

        var events = DeflatePair.Read(pair.Server, wire.WrittenSpan.ToArray());

        Assert.Equal([(ProtocolEventKind.Message, 100_000), (ProtocolEventKind.Failed, 0)], events.Select(e => (e.Kind, e.Payload.Length)));
        Assert.Equal(FrameError.MessageTooBig, events[1].Error);
    }

    public static TheoryData<string, byte[], FrameError> Violations => new()
    {
        // A ping with RSV1.
        { "control frame", ClientFrame([1, 2], rsv: 4, Opcode.Ping, fin: true), FrameError.ReservedBitsSet },
        // RSV1 on the continuation of a compressed message.
        { "continuation", [.. ClientFrame([0xf2, 0x48], rsv: 4, Opcode.Text, fin: false), .. ClientFrame([0x01, 0x00], rsv: 4, Opcode.Continuation, fin: true)], FrameError.ReservedBitsSet },
        // RSV2 is not permessage-deflate's.
        { "RSV2", ClientFrame([0xf2, 0x48, 0x01, 0x00], rsv: 2, Opcode.Text, fin: true), FrameError.ReservedBitsSet },
        // Block type 3 is reserved (RFC 1951 section 3.2.3).
        { "invalid deflate data", ClientFrame([0xff, 0xff, 0xff, 0xff], rsv: 4, Opcode.Binary, fin: true), FrameError.InvalidCompressedData },
        // "\xff" deflated: valid deflate, invalid UTF-8.
        { "invalid UTF-8 inflated", ClientFrame(Deflate([0xff]), rsv: 4, Opcode.Text, fin: true), FrameError.InvalidUtf8 },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public void Violation_fails_with_its_close_code(string name, byte[] wire, FrameError error)
    {
        var server = new ProtocolConnection(WebSocketRole.Server, null, new DeflateParameters());
        var answers = new ArrayBufferWriter<byte>();

        var events = DeflatePair.Read(server, wire, answers);

        Assert.True(error == events[^1].Error, name);
        Assert.Equal(error.ToCloseCode(), CloseStatus(answers));
    }

    [Fact]
    public void RSV1_without_negotiation_fails_with_1002()
    {
        var server = new ProtocolConnection(WebSocketRole.Server);
        var answers = new ArrayBufferWriter<byte>();

        var events = DeflatePair.Read(server, ClientFrame(Deflate("hello"u8.ToArray()), rsv: 4, Opcode.Text, fin: true), answers);

        Assert.Equal(FrameError.ReservedBitsSet, Assert.Single(events).Error);
        Assert.Equal(CloseCode.ProtocolError, CloseStatus(answers));
    }

    /// <summary>
    /// Deflates <paramref name="count"/> zero bytes a megabyte at a time, never holding them: the stream that a
    /// 1032:1 bomb is made of, ended with a sync flush whose tail is removed, as a sender does.
    /// </summary>
    private static byte[] DeflatedZeros(long count)
    {
        var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            byte[] zeros = new byte[Megabyte];
            for (long written = 0; written < count; written += zeros.Length)
            {
                deflate.Write(zeros);
            }

            deflate.Flush();
        }

        return output.ToArray()[..^4];
    }

    private static byte[] Deflate(byte[] payload)
    {
        var deflater = new MessageDeflater(CompressionLevel.Optimal);
        return deflater.Compress(payload, endOfMessage: true).ToArray();
    }

    private static byte[] ClientFrame(byte[] payload, byte rsv, Opcode opcode, bool fin)
    {
        var header = new FrameHeader(fin, rsv, opcode, Masked: true, payload.Length, MaskKey: 0x3D21FA37);
        byte[] frame = new byte[header.Length + payload.Length];
        header.Write(frame);
        payload.CopyTo(frame, header.Length);
        Mask.Apply(frame.AsSpan(header.Length), 0x3D21FA37, 0);
        return frame;
    }

    private static CloseCode CloseStatus(ArrayBufferWriter<byte> answers)
    {
        ReadOnlySpan<byte> written = answers.WrittenSpan;
        Assert.Equal(0x88, written[0]);
        return (CloseCode)((written[2] << 8) | written[3]);
    }
}
