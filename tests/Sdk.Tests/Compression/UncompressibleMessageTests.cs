using System.Buffers;
using System.Text;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Protocol.Compression;
using Switchboard.Protocol.Connection;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Compression;

/// <summary>
/// A message whose deflated form is not smaller leaves uncompressed (RFC 7692 section 6 lets any message), so it never
/// grows on the wire; the compressor's window stays in step with the peer's.
/// </summary>
public sealed partial class UncompressibleMessageTests
{
    private static readonly byte[] s_json = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 100).Select(i =>
        $$"""{"type":"chat.message","room":"lobby","user":"user{{i % 7}}","text":"hello number {{i}}"},""")));

    private static byte[] Random(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [InlineData(WebSocketRole.Client)]
    [InlineData(WebSocketRole.Server)]
    public void Random_bytes_go_with_RSV1_clear_and_their_own_length(WebSocketRole sender)
    {
        var pair = new DeflatePair();
        var (from, to) = sender == WebSocketRole.Client ? (pair.Client, pair.Server) : (pair.Server, pair.Client);
        var noise = Random(4000);
        var wire = new ArrayBufferWriter<byte>();

        from.Send(wire, Opcode.Binary, noise);
        from.Send(wire, Opcode.Binary, new ReadOnlySequence<byte>(noise));

        var headers = DeflatePair.Headers(wire.WrittenSpan.ToArray());
        Assert.Equal([(0, 4000L), (0, 4000L)], headers.Select(h => ((int)h.Rsv, h.PayloadLength)));
        var events = DeflatePair.Read(to, wire.WrittenSpan.ToArray());
        Assert.All(events, e => Assert.Equal(noise, e.Payload));
    }

    [Fact]
    public void With_context_takeover_the_messages_after_an_uncompressed_one_still_inflate()
    {
        var pair = new DeflatePair(new DeflateParameters { ServerNoContextTakeover = false, ClientNoContextTakeover = false });
        var wire = new ArrayBufferWriter<byte>();
        var noise = Random(3000);
        // Noise that repeats the text the window already holds: a compressor that kept it would point back into bytes
        // the peer never inflated.
        var mixed = s_json.Concat(noise).ToArray();

        pair.Server.Send(wire, Opcode.Binary, s_json);
        pair.Server.Send(wire, Opcode.Binary, noise);
        pair.Server.Send(wire, Opcode.Binary, s_json);
        pair.Server.Send(wire, Opcode.Binary, mixed);

        var headers = DeflatePair.Headers(wire.WrittenSpan.ToArray());
        Assert.Equal([4, 0, 4, 4], headers.Select(h => (int)h.Rsv));
        var events = DeflatePair.Read(pair.Client, wire.WrittenSpan.ToArray());
        Assert.Equal([s_json, noise, s_json, mixed], events.Select(e => e.Payload));
    }

    [Fact]
    public void A_message_of_exactly_the_peer_limit_that_does_not_compress_arrives()
    {
        const int limit = 64 * 1024;
        var pair = new DeflatePair(frames: new FrameReaderOptions { MaxFrameSize = limit, MaxMessageSize = limit });
        var noise = Random(limit);
        var wire = new ArrayBufferWriter<byte>();

        pair.Client.Send(wire, Opcode.Binary, noise);

        var message = Assert.Single(DeflatePair.Read(pair.Server, wire.WrittenSpan.ToArray()));
        Assert.Equal(ProtocolEventKind.Message, message.Kind);
        Assert.Equal(noise, message.Payload);
    }

    [Fact]
    public void A_prepared_message_compressed_once_is_shared_by_every_connection_without_context_takeover()
    {
        using var encoded = EncodedMessage.Create(new Broadcast(Encoding.UTF8.GetString(s_json)));
        var pairs = Enumerable.Range(0, 3).Select(_ => new DeflatePair()).ToArray();
        var wires = pairs.Select(_ => new ArrayBufferWriter<byte>()).ToArray();

        for (var i = 0; i < pairs.Length; i++)
        {
            Assert.True(pairs[i].Server.SendFrame(wires[i], encoded.ServerFrame.Span, compress: true, shared: encoded));
        }

        Assert.Equal(1, encoded.TakeCompressions());
        Assert.Equal(0, encoded.TakeCompressions());
        Assert.Equal(4, Assert.Single(DeflatePair.Headers(wires[0].WrittenSpan.ToArray())).Rsv);
        Assert.All(wires, w => Assert.Equal(wires[0].WrittenSpan.ToArray(), w.WrittenSpan.ToArray()));
        for (var i = 0; i < pairs.Length; i++)
        {
            Assert.Equal(encoded.Payload.ToArray(), Assert.Single(DeflatePair.Read(pairs[i].Client, wires[i].WrittenSpan.ToArray())).Payload);
        }
    }

    [Fact]
    public void With_server_context_takeover_each_connection_compresses_a_prepared_message_itself()
    {
        using var encoded = EncodedMessage.Create(new Broadcast(Encoding.UTF8.GetString(s_json)));
        var pair = new DeflatePair(new DeflateParameters { ServerNoContextTakeover = false, ClientNoContextTakeover = true });

        for (var i = 0; i < 2; i++)
        {
            var wire = new ArrayBufferWriter<byte>();
            Assert.True(pair.Server.SendFrame(wire, encoded.ServerFrame.Span, compress: true, shared: encoded));
            Assert.Equal(4, Assert.Single(DeflatePair.Headers(wire.WrittenSpan.ToArray())).Rsv);
            Assert.Equal(encoded.Payload.ToArray(), Assert.Single(DeflatePair.Read(pair.Client, wire.WrittenSpan.ToArray())).Payload);
        }

        Assert.Equal(0, encoded.TakeCompressions());
    }

    [Fact]
    public void A_prepared_message_that_does_not_compress_goes_as_it_was_prepared()
    {
        var noise = Convert.ToBase64String(Random(3000));
        using var encoded = EncodedMessage.Create(new Broadcast(noise));
        var pair = new DeflatePair(new DeflateParameters { ServerNoContextTakeover = true, ClientNoContextTakeover = true, Level = System.IO.Compression.CompressionLevel.NoCompression });
        var wire = new ArrayBufferWriter<byte>();

        pair.Server.SendFrame(wire, encoded.ServerFrame.Span, compress: true, shared: encoded);

        Assert.Equal(encoded.ServerFrame.ToArray(), wire.WrittenSpan.ToArray());
        Assert.Equal(1, encoded.TakeCompressions());
    }

    [Message("compression.broadcast")]
    public partial record Broadcast(string Text);
}
