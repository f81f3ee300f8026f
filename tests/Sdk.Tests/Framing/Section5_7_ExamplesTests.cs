using System.Buffers;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Framing;

/// <summary>RFC 6455 section 5.7: the specification's example frames, read and written byte for byte.</summary>
public class Section5_7_ExamplesTests
{
    private const uint Key = 0x3D21FA37; // 37 FA 21 3D

    /// <summary>Names of the examples; <see cref="Example"/> gives wire bytes, reading role, frames to write and what reading yields.</summary>
    public static TheoryData<string> Examples => ["Unmasked text", "Masked text", "Fragmented text", "Unmasked ping", "Masked pong", "256 bytes", "64 KiB"];

    private static (byte[] Wire, WebSocketRole Reader, (Opcode Opcode, byte[] Payload, bool Fin, uint? Key)[] Frames, ReadItem[] Items) Example(string name)
    {
        byte[] kib64 = Hex.Counting(65536);
        byte[] b256 = Hex.Counting(256);
        return name switch
        {
            "Unmasked text" => (Hex.Bytes("81 05 48 65 6C 6C 6F"), WebSocketRole.Client,
                [(Opcode.Text, "Hello"u8.ToArray(), true, null)], [ReadItem.Text("Hello")]),
            "Masked text" => (Hex.Bytes("81 85 37 FA 21 3D 7F 9F 4D 51 58"), WebSocketRole.Server,
                [(Opcode.Text, "Hello"u8.ToArray(), true, Key)], [ReadItem.Text("Hello")]),
            "Fragmented text" => (Hex.Bytes("01 03 48 65 6C 80 02 6C 6F"), WebSocketRole.Client,
                [(Opcode.Text, "Hel"u8.ToArray(), false, null), (Opcode.Continuation, "lo"u8.ToArray(), true, null)], [ReadItem.Text("Hello")]),
            "Unmasked ping" => (Hex.Bytes("89 05 48 65 6C 6C 6F"), WebSocketRole.Client,
                [(Opcode.Ping, "Hello"u8.ToArray(), true, null)], [ReadItem.Control(Opcode.Ping, "Hello"u8)]),
            "Masked pong" => (Hex.Bytes("8A 85 37 FA 21 3D 7F 9F 4D 51 58"), WebSocketRole.Server,
                [(Opcode.Pong, "Hello"u8.ToArray(), true, Key)], [ReadItem.Control(Opcode.Pong, "Hello"u8)]),
            "256 bytes" => (Hex.Concat(Hex.Bytes("82 7E 01 00"), b256), WebSocketRole.Client,
                [(Opcode.Binary, b256, true, null)], [ReadItem.Message(Opcode.Binary, b256)]),
            "64 KiB" => (Hex.Concat(Hex.Bytes("82 7F 00 00 00 00 00 01 00 00"), kib64), WebSocketRole.Client,
                [(Opcode.Binary, kib64, true, null)], [ReadItem.Message(Opcode.Binary, kib64)]),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Reads_the_example(string name)
    {
        var (wire, role, _, items) = Example(name);

        Transcript transcript = ReaderDriver.ReadWhole(wire, role);

        Assert.Equal(items, transcript.Items);
        Assert.Equal(wire.Length, transcript.Consumed);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Reads_the_example_from_one_byte_segments(string name)
    {
        var (wire, role, _, items) = Example(name);

        Transcript transcript = ReaderDriver.Read(wire, role, null, [], TestSegment.PerByte);

        Assert.Equal(items, transcript.Items);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Writes_the_example(string name)
    {
        var (wire, _, frames, _) = Example(name);
        var writer = new ArrayBufferWriter<byte>();

        foreach (var (opcode, payload, fin, key) in frames)
        {
            FrameWriter.WriteFrame(writer, opcode, payload, fin, key);
        }

        Assert.Equal(Hex.Of(wire), Hex.Of(writer.WrittenSpan));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Writes_the_example_header_alone(string name)
    {
        var (wire, _, frames, _) = Example(name);
        var (opcode, payload, fin, key) = frames[0];
        var header = new byte[FrameWriter.MaxHeaderLength];

        int written = FrameWriter.WriteHeader(header, fin, opcode, payload.Length, key);

        Assert.Equal(Hex.Of(wire.AsSpan(0, written)), Hex.Of(header.AsSpan(0, written)));
    }
}
