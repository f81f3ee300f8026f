using System.Buffers;
using System.Text;
using Switchboard.Protocol;
using Switchboard.Protocol.Connection;
using Switchboard.Protocol.Framing;
using Switchboard.Tests.Framing;

namespace Switchboard.Tests.Protocol;

/// <summary>A <see cref="ProtocolEvent"/> copied out as a value, hex for bytes, so transcripts compare and print well.</summary>
internal sealed record Ev(ProtocolEventKind Kind, Opcode Opcode, string Payload, CloseCode? Status = null, string Reason = "", FrameError Error = FrameError.None)
{
    public static Ev Of(in ProtocolEvent e) =>
        new(e.Kind, e.Opcode, Hex.Of(e.Payload.ToArray()), e.CloseStatus, Hex.Of(e.CloseReason.ToArray()), e.Error);

    public static Ev Text(string text) => new(ProtocolEventKind.Message, Opcode.Text, Hex.Of(Encoding.UTF8.GetBytes(text)));

    public static Ev Binary(ReadOnlySpan<byte> payload) => new(ProtocolEventKind.Message, Opcode.Binary, Hex.Of(payload));

    public static Ev Ping(ReadOnlySpan<byte> payload) => new(ProtocolEventKind.Ping, Opcode.Ping, Hex.Of(payload));

    public static Ev Pong(ReadOnlySpan<byte> payload) => new(ProtocolEventKind.Pong, Opcode.Pong, Hex.Of(payload));

    public static Ev Close(CloseCode? status, string reason = "")
    {
        byte[] reasonBytes = Encoding.UTF8.GetBytes(reason);
        byte[] payload = status is CloseCode code ? [(byte)((int)code >> 8), (byte)code, .. reasonBytes] : [];
        return new(ProtocolEventKind.Close, Opcode.Close, Hex.Of(payload), status, Hex.Of(reasonBytes));
    }

    public static Ev Failed(FrameError error) => new(ProtocolEventKind.Failed, default, "", Error: error);
}
