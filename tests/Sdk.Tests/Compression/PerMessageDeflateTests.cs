using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Switchboard.Protocol;
using Switchboard.Protocol.Compression;
using Switchboard.Protocol.Connection;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Compression;

/// <summary>RFC 7692 sections 6 and 7.2: compressed messages both ways, RSV1, fragments, context takeover.</summary>
public class PerMessageDeflateTests
{
    private static readonly byte[] s_json = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 200).Select(i =>
        $$"""{"type":"chat.message","room":"lobby","user":"user{{i % 7}}","text":"hello number {{i}}"},""")));

    [Theory]
    [InlineData(WebSocketRole.Client)]
    [InlineData(WebSocketRole.Server)]
    public void Message_goes_compressed_with_RSV1_and_arrives_whole(WebSocketRole sender)
    {
        var pair = new DeflatePair();
        var (from, to) = sender == WebSocketRole.Client ? (pair.Client, pair.Server) : (pair.Server, pair.Client);
        var wire = new ArrayBufferWriter<byte>();

        Assert.True(from.Send(wire, Opcode.Text, s_json));

        FrameHeader header = Assert.Single(DeflatePair.Headers(wire.WrittenSpan.ToArray()));
        Assert.Equal(4, header.Rsv);
        Assert.True(header.PayloadLength < s_json.Length / 4, $"{header.PayloadLength} bytes for {s_json.Length}");
        var events = DeflatePair.Read(to, wire.WrittenSpan.ToArray());
        var message = Assert.Single(events);
        Assert.Equal((ProtocolEventKind.Message, Opcode.Text), (message.Kind, message.Opcode));
        Assert.Equal(s_json, message.Payload);
    }

    [Fact]
    public void Message_below_the_minimum_size_goes_uncompressed()
    {
        var pair = new DeflatePair(new DeflateParameters { MinimumSize = 256 });
        var wire = new ArrayBufferWriter<byte>();

        pair.Server.Send(wire, Opcode.Text, s_json.AsSpan(0, 255));
        pair.Server.Send(wire, Opcode.Text, s_json.AsSpan(0, 256));

        Assert.Equal([0, 4], DeflatePair.Headers(wire.WrittenSpan.ToArray()).Select(h => (int)h.Rsv));
        var events = DeflatePair.Read(pair.Client, wire.WrittenSpan.ToArray());
        Assert.Equal([255, 256], events.Select(e => e.Payload.Length));
    }

    [Fact]
    public void Fragmented_message_has_RSV1_on_its_first_frame_only()
    {
        var pair = new DeflatePair();
        var wire = new ArrayBufferWriter<byte>();
        int third = s_json.Length / 3;

        pair.Client.Send(wire, Opcode.Text, s_json.AsSpan(0, third), endOfMessage: false);
        pair.Client.Send(wire, Opcode.Text, new ReadOnlySequence<byte>(s_json, third, third), endOfMessage: false);
        pair.Client.Send(wire, Opcode.Text, s_json.AsSpan(2 * third), endOfMessage: true);

        var headers = DeflatePair.Headers(wire.WrittenSpan.ToArray());
        Assert.Equal([(4, Opcode.Text, false), (0, Opcode.Continuation, false), (0, Opcode.Continuation, true)],
            headers.Select(h => ((int)h.Rsv, h.Opcode, h.Fin)));
        Assert.Equal(s_json, Assert.Single(DeflatePair.Read(pair.Server, wire.WrittenSpan.ToArray())).Payload);
    }

    [Fact]
    public void Context_takeover_compresses_a_repeated_message_smaller_and_without_it_each_stands_alone()
    {
        static long[] Sizes(DeflateParameters parameters)
        {
            var pair = new DeflatePair(parameters);
            var sizes = new long[3];
            for (int i = 0; i < 3; i++)
            {
                var wire = new ArrayBufferWriter<byte>();
                pair.Server.Send(wire, Opcode.Binary, s_json);
                sizes[i] = Assert.Single(DeflatePair.Headers(wire.WrittenSpan.ToArray())).PayloadLength;
                Assert.Equal(s_json, Assert.Single(DeflatePair.Read(pair.Client, wire.WrittenSpan.ToArray())).Payload);
            }

            return sizes;
        }

        long[] takeover = Sizes(new DeflateParameters { Level = CompressionLevel.Optimal });
        long[] alone = Sizes(new DeflateParameters { ServerNoContextTakeover = true, Level = CompressionLevel.Optimal });

        Assert.True(takeover[1] < takeover[0] / 3 && takeover[2] < takeover[0] / 3, string.Join(",", takeover));
        Assert.Equal(alone[0], alone[1]);
        Assert.Equal(alone[0], alone[2]);
    }

    [Fact]
    public void Prepared_frame_is_compressed_for_the_connection()
    {
        var pair = new DeflatePair();
        var frame = new ArrayBufferWriter<byte>();
        FrameWriter.WriteFrame(frame, Opcode.Text, s_json);
        var wire = new ArrayBufferWriter<byte>();

        pair.Server.SendFrame(wire, frame.WrittenSpan);

        Assert.Equal(4, Assert.Single(DeflatePair.Headers(wire.WrittenSpan.ToArray())).Rsv);
        Assert.Equal(s_json, Assert.Single(DeflatePair.Read(pair.Client, wire.WrittenSpan.ToArray())).Payload);
    }

    [Fact]
    public void Empty_message_and_control_frames_between_fragments_pass()
    {
        var pair = new DeflatePair(new DeflateParameters { MinimumSize = 0 });
        var wire = new ArrayBufferWriter<byte>();
        pair.Client.Send(wire, Opcode.Binary, ReadOnlySpan<byte>.Empty);
        pair.Client.Send(wire, Opcode.Text, "hello "u8, endOfMessage: false);
        pair.Client.Ping(wire, "p"u8);
        pair.Client.Send(wire, Opcode.Text, "world"u8);

        var events = DeflatePair.Read(pair.Server, wire.WrittenSpan.ToArray());

        Assert.Equal([ProtocolEventKind.Message, ProtocolEventKind.Ping, ProtocolEventKind.Message], events.Select(e => e.Kind));
        Assert.Empty(events[0].Payload);
        Assert.Equal("hello world", Encoding.UTF8.GetString(events[2].Payload));
    }
}
