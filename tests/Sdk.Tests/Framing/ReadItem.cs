using System.Text;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;

namespace Switchboard.Tests.Framing;

/// <summary>
/// What a reader produced, normalized so that runs over differently split inputs compare equal:
/// a whole message (its Data pieces concatenated), a control frame, or an error. Hex strings
/// keep failures readable.
/// </summary>
internal sealed record ReadItem(FrameEventKind Kind, Opcode Opcode, string Payload, CloseCode? Status = null, string Reason = "", FrameError Error = FrameError.None)
{
    public static ReadItem Message(Opcode opcode, ReadOnlySpan<byte> payload) => new(FrameEventKind.Data, opcode, Hex.Of(payload));

    public static ReadItem Text(string text) => Message(Opcode.Text, Encoding.UTF8.GetBytes(text));

    public static ReadItem Control(Opcode opcode, ReadOnlySpan<byte> payload) => new(FrameEventKind.Control, opcode, Hex.Of(payload));

    public static ReadItem Close(CloseCode? status, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> reason) =>
        new(FrameEventKind.Control, Opcode.Close, Hex.Of(payload), status, Hex.Of(reason));

    public static ReadItem Failure(FrameError error) => new(FrameEventKind.Error, default, "", Error: error);
}
