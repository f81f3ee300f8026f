using System.Buffers.Binary;
using System.Text;
using Switchboard.Server.Engines;

namespace Switchboard.Redis;

/// <summary>
/// The binary frame a message crosses Redis in, on the endpoint's channel and in a group's history. On the channel it
/// is the 8-byte big-endian offset (0 when not stored; the history script writes it, so the offset is known only
/// there) followed by the body; a history entry stores the body alone. The body: version (1), target kind, except
/// (8 bytes, little-endian), connection id (8), name length (varint) and UTF-8 name, type length and UTF-8 type, then
/// the envelope as the sending node serialized it, to the end: never parsed or rewritten here.
/// </summary>
internal static class Frame
{
    public const int OffsetSize = 8;
    private const byte Version = 1;

    /// <summary>The kind of a probe: a frame a node sends itself to learn that its subscription delivers again.</summary>
    private const byte ProbeKind = 255;

    /// <summary>A probe naming <paramref name="instance"/>; nodes other than that one pass it over.</summary>
    public static byte[] Probe(string instance)
    {
        var name = Encoding.UTF8.GetBytes(instance);
        var frame = new byte[OffsetSize + 18 + VarIntSize(name.Length) + name.Length + 1];
        var span = frame.AsSpan(OffsetSize);
        span[0] = Version;
        span[1] = ProbeKind;
        var at = 18 + WriteVarInt(span[18..], name.Length);
        name.CopyTo(span[at..]);
        return frame;
    }

    /// <summary>When <paramref name="frame"/> is a probe: the instance that sent it; null for a message.</summary>
    public static string? ProbeOf(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < OffsetSize + 18 || frame[OffsetSize + 1] != ProbeKind) return null;
        var at = OffsetSize + 18;
        return ReadString(frame, ref at);
    }

    /// <summary>The message published as is: 8 zero bytes for the offset, then the body.</summary>
    public static byte[] Channel(MessageTarget target, EngineMessage message) => Write(target, message, OffsetSize);

    /// <summary>The body alone, for the history script to store and publish after the offset it gives.</summary>
    public static byte[] Body(MessageTarget target, EngineMessage message) => Write(target, message, 0);

    private static byte[] Write(MessageTarget target, EngineMessage message, int start)
    {
        var name = target.Name ?? "";
        var nameBytes = Encoding.UTF8.GetByteCount(name);
        var typeBytes = Encoding.UTF8.GetByteCount(message.Type);
        var envelope = message.Envelope.Span;
        var size = start + 2 + 16 + VarIntSize(nameBytes) + nameBytes + VarIntSize(typeBytes) + typeBytes + envelope.Length;
        var frame = new byte[size];
        var span = frame.AsSpan(start);
        span[0] = Version;
        span[1] = (byte)target.Kind;
        BinaryPrimitives.WriteInt64LittleEndian(span[2..], target.Except);
        BinaryPrimitives.WriteInt64LittleEndian(span[10..], target.ConnectionId);
        var at = 18;
        at += WriteVarInt(span[at..], nameBytes);
        at += Encoding.UTF8.GetBytes(name, span[at..]);
        at += WriteVarInt(span[at..], typeBytes);
        at += Encoding.UTF8.GetBytes(message.Type, span[at..]);
        envelope.CopyTo(span[at..]);
        return frame;
    }

    /// <summary>Reads a channel message: its offset, then the body.</summary>
    public static (MessageTarget Target, EngineMessage Message) ReadChannel(ReadOnlyMemory<byte> frame)
    {
        if (frame.Length < OffsetSize) throw new FormatException("frame shorter than its offset");
        var offset = BinaryPrimitives.ReadInt64BigEndian(frame.Span);
        return ReadBody(frame[OffsetSize..], offset);
    }

    /// <summary>Reads a body; the envelope is a slice of <paramref name="body"/>, not a copy.</summary>
    public static (MessageTarget Target, EngineMessage Message) ReadBody(ReadOnlyMemory<byte> body, long offset)
    {
        var span = body.Span;
        if (span.Length < 18 || span[0] != Version) throw new FormatException("not a Switchboard frame of version 1");
        var kind = (MessageTargetKind)span[1];
        var except = BinaryPrimitives.ReadInt64LittleEndian(span[2..]);
        var connectionId = BinaryPrimitives.ReadInt64LittleEndian(span[10..]);
        var at = 18;
        var name = ReadString(span, ref at);
        var type = ReadString(span, ref at);
        var target = kind switch
        {
            MessageTargetKind.All => MessageTarget.All(except),
            MessageTargetKind.Group => MessageTarget.Group(name, except),
            MessageTargetKind.User => MessageTarget.User(name),
            MessageTargetKind.Connection => MessageTarget.Connection(connectionId),
            _ => throw new FormatException($"unknown target kind {(byte)kind}"),
        };
        return (target, new EngineMessage(type, body[at..], offset));
    }

    private static string ReadString(ReadOnlySpan<byte> span, ref int at)
    {
        var length = ReadVarInt(span, ref at);
        if (length > span.Length - at) throw new FormatException("frame truncated");
        var text = Encoding.UTF8.GetString(span.Slice(at, length));
        at += length;
        return text;
    }

    private static int VarIntSize(int value)
    {
        var size = 1;
        while ((value >>= 7) != 0) size++;
        return size;
    }

    private static int WriteVarInt(Span<byte> span, int value)
    {
        var v = (uint)value;
        var i = 0;
        while (v >= 0x80)
        {
            span[i++] = (byte)(v | 0x80);
            v >>= 7;
        }
        span[i++] = (byte)v;
        return i;
    }

    private static int ReadVarInt(ReadOnlySpan<byte> span, ref int at)
    {
        var value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (at >= span.Length) throw new FormatException("frame truncated");
            var b = span[at++];
            value |= (b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new FormatException("length too long");
    }
}
