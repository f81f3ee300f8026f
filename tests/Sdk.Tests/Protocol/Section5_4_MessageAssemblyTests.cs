using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Switchboard.Protocol;
using Switchboard.Protocol.Connection;
using Switchboard.Protocol.Framing;
using Switchboard.Tests.Framing;
using Xunit;

namespace Switchboard.Tests.Protocol;

/// <summary>RFC 6455 section 5.4 (and 5.6, 8.1): messages assembled from fragments, control frames between them, UTF-8 across fragments.</summary>
public class Section5_4_MessageAssemblyTests
{
    // Section 5.7: a fragmented unmasked text message, "Hel" then "lo".
    private const string FragmentedHello = "01 03 48 65 6C  80 02 6C 6F";

    [Fact]
    public void One_frame_message_is_a_slice_of_the_input()
    {
        byte[] wire = Hex.Bytes("81 85 37 FA 21 3D 7F 9F 4D 51 58"); // section 5.7: masked "Hello"
        var connection = new ProtocolConnection(WebSocketRole.Server);

        Assert.True(connection.TryRead(new ReadOnlySequence<byte>(wire), new ArrayBufferWriter<byte>(), out SequencePosition consumed, out _, out ProtocolEvent e));

        Assert.Equal(ProtocolEventKind.Message, e.Kind);
        Assert.Equal(Opcode.Text, e.Opcode);
        Assert.Equal("Hello", Encoding.UTF8.GetString(e.Payload.ToArray()));
        Assert.True(MemoryMarshal.TryGetArray(e.Payload.First, out ArraySegment<byte> segment));
        Assert.Same(wire, segment.Array); // unmasked in place, not copied
        Assert.Equal(6, segment.Offset);
        Assert.Equal(wire.Length, consumed.GetInteger());
    }

    [Fact]
    public void Fragments_are_assembled_into_one_message()
    {
        Pump pump = Pump.Client().Receive(FragmentedHello);

        Assert.Equal([Ev.Text("Hello")], pump.Events);
        Assert.Equal("", pump.TakeOutput());
    }

    [Fact]
    public void Control_frames_between_fragments_come_out_first_and_ping_is_answered()
    {
        // Section 5.4: control frames may be injected in the middle of a fragmented message.
        Pump pump = Pump.Client().Receive("01 03 48 65 6C  89 02 70 31  8A 00  80 02 6C 6F");

        Assert.Equal([Ev.Ping("p1"u8), Ev.Pong([]), Ev.Text("Hello")], pump.Events);
        Assert.Equal(Pump.Wire("8A 82 37 FA 21 3D 47 CB"), pump.TakeOutput()); // masked pong "p1"
    }

    [Fact]
    public void Binary_message_in_many_fragments_including_empty_ones()
    {
        Pump pump = Pump.Server().Receive(Hex.Concat(
            Hex.Bytes("02 80 37 FA 21 3D"),
            Hex.Bytes("00 81 37 FA 21 3D 36"), // 0x01 masked
            Hex.Bytes("00 80 37 FA 21 3D"),
            Hex.Bytes("80 82 37 FA 21 3D 35 F9"))); // 0x02 0x03 masked

        Assert.Equal([Ev.Binary([0x01, 0x02, 0x03])], pump.Events);
    }

    [Fact]
    public void Empty_messages_one_frame_and_fragmented()
    {
        Pump pump = Pump.Client().Receive("81 00  02 00 80 00");

        Assert.Equal([Ev.Text(""), Ev.Binary([])], pump.Events);
    }

    [Fact]
    public void Every_prefix_of_a_frame_needs_more_and_consumes_nothing()
    {
        byte[] wire = Hex.Bytes("81 85 37 FA 21 3D 7F 9F 4D 51 58");
        for (int length = 0; length < wire.Length; length++)
        {
            byte[] prefix = wire[..length];
            foreach (ReadOnlySequence<byte> input in new[] { new ReadOnlySequence<byte>(prefix), TestSegment.PerByte(prefix) })
            {
                var connection = new ProtocolConnection(WebSocketRole.Server);
                Assert.False(connection.TryRead(input, new ArrayBufferWriter<byte>(), out SequencePosition consumed, out SequencePosition examined, out _), $"prefix of {length}");
                Assert.Equal(input.Length, input.Slice(consumed).Length);
                Assert.Equal(0, input.Slice(examined).Length);
            }

            Assert.Equal(Hex.Of(wire.AsSpan(0, length)), Hex.Of(prefix)); // not unmasked before it is whole
        }
    }

    [Fact]
    public void A_fragment_is_consumed_once_whole_and_the_message_reported_with_its_last()
    {
        byte[] wire = Hex.Bytes(FragmentedHello);
        var connection = new ProtocolConnection(WebSocketRole.Client);
        var output = new ArrayBufferWriter<byte>();

        Assert.False(connection.TryRead(new ReadOnlySequence<byte>(wire, 0, 7), output, out SequencePosition consumed, out _, out _));
        Assert.Equal(5, consumed.GetInteger()); // the first fragment, copied; the second's header waits
        Assert.True(connection.TryRead(new ReadOnlySequence<byte>(wire, 5, 4), output, out consumed, out _, out ProtocolEvent e));
        Assert.Equal("Hello", Encoding.UTF8.GetString(e.Payload.ToArray()));
        Assert.Equal(9, consumed.GetInteger());
    }

    public static TheoryData<string> Splits => new() { "whole", "bytewise", "per-byte segments", "random segments" };

    [Theory]
    [MemberData(nameof(Splits))]
    public void However_the_bytes_are_split_the_events_are_the_same(string split)
    {
        byte[] wire = Hex.Concat(
            Hex.Bytes("01 83 37 FA 21 3D 7F 9F 4D"), // "Hel"
            Hex.Bytes("89 82 37 FA 21 3D 47 CB"), // ping "p1"
            Hex.Bytes("80 82 37 FA 21 3D 5B 95"), // "lo"
            Hex.Bytes("82 FE 01 00 37 FA 21 3D"), Masked(Hex.Counting(256)),
            Hex.Bytes("88 82 37 FA 21 3D 34 12")); // close 1000
        var random = new Random(7);
        Pump pump = Pump.Server();

        _ = split switch
        {
            "whole" => pump.Receive(wire),
            "bytewise" => pump.ReceiveBytewise(wire),
            "per-byte segments" => pump.Receive(wire, TestSegment.PerByte),
            _ => pump.Receive(wire, m => TestSegment.Random(m, random)),
        };

        Assert.Equal([Ev.Ping("p1"u8), Ev.Text("Hello"), Ev.Binary(Hex.Counting(256)), Ev.Close(CloseCode.NormalClosure)], pump.Events);
        Assert.Equal(Pump.Wire("8A 02 70 31  88 02 03 E8"), pump.TakeOutput());
        Assert.Equal(0, pump.Unconsumed);
    }

    [Fact]
    public void Utf8_code_point_split_across_fragments_is_valid()
    {
        // κόσμε with ό (E1 BD B9) cut after its first byte.
        Pump pump = Pump.Client().Receive("01 03 CE BA E1  80 08 BD B9 CF 83 CE BC CE B5");

        Assert.Equal([Ev.Text("κ\u1F79σμε")], pump.Events); // ό as Autobahn spells it, U+1F79
    }

    [Fact]
    public void Invalid_utf8_fails_at_the_fragment_that_proves_it_with_1007()
    {
        // A lead byte of 3 then an ASCII byte in the next fragment; the message never ends.
        Pump pump = Pump.Client().Receive("01 01 E1  00 01 41");

        Assert.Equal([Ev.Failed(FrameError.InvalidUtf8)], pump.Events);
        Assert.Equal(CloseFrame(WebSocketRole.Client, CloseCode.InvalidPayloadData, FrameError.InvalidUtf8), pump.TakeOutput());
    }

    [Fact]
    public void Invalid_utf8_fails_before_its_frame_is_whole()
    {
        // 10 bytes declared; κ then ED A0, a surrogate, proven invalid by A0 (Autobahn 6.4.3 and 6.4.4: fail fast).
        Pump pump = Pump.Client().Receive("81 0A CE BA ED");
        Assert.Empty(pump.Events);
        Assert.Equal(5, pump.Unconsumed);

        pump.Receive("A0");

        Assert.Equal([Ev.Failed(FrameError.InvalidUtf8)], pump.Events);
        Assert.Equal(CloseFrame(WebSocketRole.Client, CloseCode.InvalidPayloadData, FrameError.InvalidUtf8), pump.TakeOutput());
    }

    [Fact]
    public void Invalid_utf8_in_a_masked_fragment_fails_at_the_byte_that_proves_it()
    {
        byte[] payload = Hex.Bytes("61 CE BA E1 BD B9 F4 90 80 80 65 64"); // a, κ, ό, then F4 90: above U+10FFFF
        byte[] wire = Hex.Concat(Hex.Bytes("01 81 37 FA 21 3D 56"), Hex.Bytes("80 8C 37 FA 21 3D"), Masked(payload));
        Pump pump = Pump.Server();
        int proof = 7 + 6 + 7; // the 0x90

        pump.ReceiveBytewise(wire[..proof]);
        Assert.Empty(pump.Events);
        pump.Receive(wire[proof..(proof + 1)]);

        Assert.Equal([Ev.Failed(FrameError.InvalidUtf8)], pump.Events);
        Assert.Equal(CloseFrame(WebSocketRole.Server, CloseCode.InvalidPayloadData, FrameError.InvalidUtf8), pump.TakeOutput());
    }

    [Fact]
    public void Valid_text_frame_arriving_bytewise_is_judged_once_and_delivered_whole()
    {
        byte[] payload = Hex.Bytes("CE BA E1 BD B9 CF 83 CE BC CE B5");
        Pump pump = Pump.Server().ReceiveBytewise(Hex.Concat(Hex.Bytes("81 8B 37 FA 21 3D"), Masked(payload)));

        Assert.Equal([Ev.Text("κ\u1F79σμε")], pump.Events);
    }

    [Fact]
    public void Text_ending_inside_a_code_point_fails_with_1007()
    {
        Pump pump = Pump.Server().Receive("81 81 37 FA 21 3D F9"); // CE

        Assert.Equal([Ev.Failed(FrameError.InvalidUtf8)], pump.Events);
        Assert.Equal(CloseFrame(WebSocketRole.Server, CloseCode.InvalidPayloadData, FrameError.InvalidUtf8), pump.TakeOutput());
    }

    [Fact]
    public void Assembly_buffer_survives_between_messages()
    {
        Pump pump = Pump.Client().Receive("01 01 61 80 01 62  02 01 01 80 01 02  81 01 63");

        Assert.Equal([Ev.Text("ab"), Ev.Binary([1, 2]), Ev.Text("c")], pump.Events);
    }

    [Fact]
    public void Continuation_without_a_message_fails_with_1002()
    {
        Pump pump = Pump.Client().Receive("80 01 61");

        Assert.Equal([Ev.Failed(FrameError.UnexpectedContinuation)], pump.Events);
        Assert.Equal(CloseFrame(WebSocketRole.Client, CloseCode.ProtocolError, FrameError.UnexpectedContinuation), pump.TakeOutput());
    }

    [Fact]
    public void New_message_inside_a_fragmented_one_fails_with_1002()
    {
        Pump pump = Pump.Client().Receive("01 01 61  81 01 62");

        Assert.Equal([Ev.Failed(FrameError.ExpectedContinuation)], pump.Events);
        Assert.Equal(CloseFrame(WebSocketRole.Client, CloseCode.ProtocolError, FrameError.ExpectedContinuation), pump.TakeOutput());
    }

    /// <summary>The close frame that fails a connection: status then the error's reason, masked with the fixed key by a client.</summary>
    internal static string CloseFrame(WebSocketRole role, CloseCode code, FrameError error)
    {
        byte[] payload = [(byte)((int)code >> 8), (byte)code, .. Encoding.ASCII.GetBytes(error.Describe())];
        return role == WebSocketRole.Server
            ? Hex.Of([0x88, (byte)payload.Length, .. payload])
            : Hex.Of([0x88, (byte)(0x80 | payload.Length), 0x37, 0xFA, 0x21, 0x3D, .. Masked(payload)]);
    }

    internal static byte[] Masked(byte[] payload)
    {
        byte[] copy = payload.ToArray();
        Mask.Apply(copy, FixedMaskKeys.Key, 0);
        return copy;
    }
}
