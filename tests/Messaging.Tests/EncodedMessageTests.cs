using System.Buffers;
using System.Text.Json;
using Switchboard.Connections;
using Switchboard.Serialization;
using Xunit;

namespace Switchboard.Messaging.Tests;

/// <summary>
/// <see cref="EncodedMessage"/>: the envelope serialized once with the server's text frame header in front, each
/// message in a buffer of its own although the writing state is reused per thread.
/// </summary>
public sealed class EncodedMessageTests
{
    [Theory]
    [InlineData(10)]    // 7-bit length: 2-byte header
    [InlineData(300)]   // 16-bit length: 4-byte header, and a buffer that grows past its first 256 bytes
    [InlineData(70000)] // 64-bit length: 10-byte header
    public void Server_frame_is_one_unmasked_final_text_frame_of_the_envelope(int textLength)
    {
        var message = new Primitive(new string('s', textLength), 7, null);
        using var encoded = EncodedMessage.Create(message);

        var payload = Serialize(message);
        Assert.Equal(payload, encoded.Payload.ToArray());
        Assert.Equal([.. Header(payload.Length), .. payload], encoded.ServerFrame.ToArray());
    }

    [Fact]
    public void Messages_created_one_after_another_keep_their_own_bytes()
    {
        var first = new Primitive("first", 1, null);
        var second = new Primitive("second", 2, "n");
        using var a = EncodedMessage.Create(first);
        var b = EncodedMessage.Create(second);
        b.Dispose(); // its buffer goes back to the pool, and the next message may be written into it
        using var c = EncodedMessage.Create(new Primitive("third", 3, null));

        Assert.Equal(Serialize(first), a.Payload.ToArray());
        Assert.Equal(Serialize(new Primitive("third", 3, null)), c.Payload.ToArray());
        Assert.Throws<ObjectDisposedException>(() => b.ServerFrame);
    }

    [Fact]
    public void A_message_that_fails_to_serialize_leaves_the_next_one_whole()
    {
        Assert.Throws<InvalidOperationException>(() => EncodedMessage.Create(new Throwing()));

        var message = new Primitive("after", 4, null);
        using var encoded = EncodedMessage.Create(message);
        Assert.Equal(Serialize(message), encoded.Payload.ToArray());
    }

    private static byte[] Serialize(Primitive message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer)) Envelope.Write(writer, message);
        return buffer.WrittenSpan.ToArray();
    }

    // RFC 6455 section 5.2: FIN and opcode 1, no mask, the shortest length encoding.
    private static byte[] Header(int length) => length switch
    {
        < 126 => [0x81, (byte)length],
        <= ushort.MaxValue => [0x81, 126, (byte)(length >> 8), (byte)length],
        _ => [0x81, 127, 0, 0, 0, 0, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length],
    };

    /// <summary>A message whose serializer fails halfway through its envelope.</summary>
    private sealed class Throwing : IMessage<Throwing>
    {
        public static string MessageType => "test.throwing";

        public static void Write(Utf8JsonWriter writer, Throwing value)
        {
            writer.WriteStartObject();
            writer.WriteString("half", "written");
            throw new InvalidOperationException("fails while writing");
        }

        public static void Write(ref CompactJsonWriter writer, Throwing value)
        {
            writer.WriteRaw("{\"half\":"u8);
            throw new InvalidOperationException("fails while writing");
        }

        public static Throwing Read(ref Utf8JsonReader reader) => throw new NotSupportedException();
    }
}
