using System.Buffers;
using System.Text;
using CsCheck;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;

namespace Switchboard.Tests.Framing;

/// <summary>
/// A generated sequence of valid frames from one peer: messages (possibly fragmented, with control
/// frames between fragments), standalone control frames, and optionally a final close. Knows its
/// wire bytes and the <see cref="ReadItem"/>s a reader must produce.
/// </summary>
internal sealed record Conversation(WebSocketRole ReaderRole, Conversation.Part[] Parts, Conversation.Closing? Close, uint KeySeed)
{
    public abstract record Part;

    public sealed record Control(Opcode Opcode, byte[] Payload) : Part;

    /// <summary>A message cut at <paramref name="Cuts"/>; <paramref name="Between"/> goes after its first fragment.</summary>
    public sealed record Message(Opcode Opcode, byte[] Payload, int[] Cuts, Control[] Between) : Part;

    public sealed record Closing(ushort Code, string Reason);

    private static readonly Gen<Control> ControlGen = Gen.Select(Gen.OneOf(Opcode.Ping, Opcode.Pong), Gen.Byte.Array[0, 125], (o, p) => new Control(o, p));

    private static readonly Gen<ushort> CloseCodeGen = Gen.OneOf(
        Gen.OneOf<ushort>(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014),
        Gen.UShort[3000, 4999]);

    /// <summary>Conversations of a few frames; <paramref name="large"/> adds payloads beyond 64 KiB.</summary>
    public static Gen<Conversation> Generate(bool large)
    {
        Gen<byte[]> binary = large
            ? Gen.OneOf(Gen.Byte.Array[0, 40], Gen.Byte.Array[126, 400], Gen.Byte.Array[65_536, 70_000])
            : Gen.OneOf(Gen.Byte.Array[0, 20], Gen.Byte.Array[0, 20], Gen.Byte.Array[120, 140]);
        Gen<byte[]> text = Gen.String[0, large ? 400 : 30].Select(s => Encoding.UTF8.GetBytes(s));
        Gen<Message> message = Gen.Select(
            Gen.Bool.SelectMany(isText => (isText ? text : binary).Select(payload => (isText ? Opcode.Text : Opcode.Binary, payload))),
            Gen.Int[0, 1 << 20].Array[0, 3],
            ControlGen.Array[0, 2],
            (body, cuts, between) => new Message(body.Item1, body.payload, [.. cuts.Select(c => c % (body.payload.Length + 1)).Order()], between));
        Gen<Part> part = Gen.OneOf(message.Select(m => (Part)m), message.Select(m => (Part)m), ControlGen.Select(c => (Part)c));
        Gen<Closing?> close = Gen.OneOf(
            Gen.Const((Closing?)null),
            Gen.Select(CloseCodeGen, Gen.String[0, 20], (code, reason) => (Closing?)new Closing(code, reason)));
        return Gen.Select(
            Gen.OneOf(WebSocketRole.Client, WebSocketRole.Server),
            part.Array[0, large ? 3 : 5],
            close,
            Gen.UInt,
            (role, parts, closing, seed) => new Conversation(role, parts, closing, seed));
    }

    /// <summary>The frames on the wire, masked when the reader is a server.</summary>
    public byte[] Wire()
    {
        var writer = new ArrayBufferWriter<byte>();
        uint key = KeySeed;
        uint? NextKey() => ReaderRole == WebSocketRole.Server ? key = (key * 0x9E3779B9) + 0x7F4A7C15 : null;

        foreach (Part part in Parts)
        {
            switch (part)
            {
                case Control control:
                    FrameWriter.WriteFrame(writer, control.Opcode, control.Payload, maskKey: NextKey());
                    break;
                case Message message:
                    int[] bounds = [0, .. message.Cuts, message.Payload.Length];
                    for (int i = 0; i + 1 < bounds.Length; i++)
                    {
                        Opcode opcode = i == 0 ? message.Opcode : Opcode.Continuation;
                        bool fin = i + 2 == bounds.Length;
                        FrameWriter.WriteFrame(writer, opcode, message.Payload.AsSpan(bounds[i]..bounds[i + 1]), fin, NextKey());
                        if (i == 0 && !fin)
                        {
                            foreach (Control control in message.Between)
                            {
                                FrameWriter.WriteFrame(writer, control.Opcode, control.Payload, maskKey: NextKey());
                            }
                        }
                    }

                    break;
            }
        }

        if (Close is { } closing)
        {
            FrameWriter.WriteClose(writer, (CloseCode)closing.Code, closing.Reason, NextKey());
        }

        return writer.WrittenSpan.ToArray();
    }

    /// <summary>What reading the wire must produce.</summary>
    public List<ReadItem> Expected()
    {
        var items = new List<ReadItem>();
        foreach (Part part in Parts)
        {
            switch (part)
            {
                case Control control:
                    items.Add(ReadItem.Control(control.Opcode, control.Payload));
                    break;
                case Message message:
                    if (message.Cuts.Length > 0)
                    {
                        items.AddRange(message.Between.Select(c => ReadItem.Control(c.Opcode, c.Payload)));
                    }

                    items.Add(ReadItem.Message(message.Opcode, message.Payload));
                    break;
            }
        }

        if (Close is { } closing)
        {
            byte[] reason = Encoding.UTF8.GetBytes(closing.Reason);
            reason = reason[..Math.Min(reason.Length, 123)];
            items.Add(ReadItem.Close((CloseCode)closing.Code, [(byte)(closing.Code >> 8), (byte)closing.Code, .. reason], reason));
        }

        return items;
    }
}
