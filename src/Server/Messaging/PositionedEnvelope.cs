using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Switchboard.Connections;
using Switchboard.Messaging;

namespace Switchboard.Server.Messaging;

/// <summary>
/// The wire of history (docs/protocol.md, "History and recovery"): a stored message's envelope with its position
/// spliced in, <c>{"type":…,"data":…,"group":…,"offset":N}</c>, and the <c>switchboard.joined</c> notice.
/// </summary>
internal static class PositionedEnvelope
{
    /// <summary>The reserved type of the notice a joiner gets first.</summary>
    public const string JoinedType = "switchboard.joined";

    /// <summary>
    /// <paramref name="envelope"/> (as serialized once, ending in its <c>}</c>) with <c>,"group":…,"offset":N</c> before
    /// its final brace, as a frame of its own: pooled for a send, or not for one kept for later; never compressed when
    /// <paramref name="compress"/> is false (the message type's <see cref="MessageAttribute.Compress"/>).
    /// </summary>
    public static EncodedMessage Splice(ReadOnlySpan<byte> envelope, string group, long offset, bool pooled, bool compress)
    {
        var end = envelope.LastIndexOf((byte)'}');
        if (end < 0) throw new ArgumentException("the envelope is not a JSON object", nameof(envelope));
        var name = JsonEncodedText.Encode(group).EncodedUtf8Bytes;
        var length = 12 + name.Length + 11 + 20 + 1;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var tail = rented.AsSpan();
            var written = 0;
            ",\"group\":\""u8.CopyTo(tail);
            written += 10;
            name.CopyTo(tail[written..]);
            written += name.Length;
            "\",\"offset\":"u8.CopyTo(tail[written..]);
            written += 11;
            Utf8Formatter.TryFormat(offset, tail[written..], out var digits);
            written += digits;
            tail[written++] = (byte)'}';
            return EncodedMessage.FromPayload(envelope[..end], tail[..written], pooled, compress);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// <c>{"type":"switchboard.joined","data":{"group":…,"epoch":…,"offset":N,"recovered":…}}</c>, without
    /// <c>recovered</c> when the joiner presented no position.
    /// </summary>
    public static EncodedMessage Joined(string group, StreamPosition top, bool? recovered)
    {
        var output = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, JoinedType);
            writer.WriteStartObject("data"u8);
            writer.WriteString("group"u8, group);
            writer.WriteString("epoch"u8, top.Epoch);
            writer.WriteNumber("offset"u8, top.Offset);
            if (recovered is { } value) writer.WriteBoolean("recovered"u8, value);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return EncodedMessage.FromPayload(output.WrittenSpan);
    }
}
