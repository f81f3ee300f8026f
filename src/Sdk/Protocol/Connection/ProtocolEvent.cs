using System.Buffers;
using Switchboard.Protocol.Framing;

namespace Switchboard.Protocol.Connection;

/// <summary>One result of <see cref="ProtocolConnection.TryRead"/>.</summary>
/// <remarks>
/// <see cref="Payload"/> and <see cref="CloseReason"/> point into the caller's input (a message of one frame, a
/// control frame) or into the connection's assembly buffer (a message of several frames): they stay valid until the
/// next <see cref="ProtocolConnection.TryRead"/> and until the caller releases the input up to the reported
/// <c>consumed</c> position, whichever comes first. Other calls leave them alone, so a handler may send a payload
/// back. An immutable value otherwise.
/// </remarks>
public readonly struct ProtocolEvent
{
    private readonly ushort _closeStatus;

    private ProtocolEvent(ProtocolEventKind kind, Opcode opcode, in ReadOnlySequence<byte> payload, ushort closeStatus, FrameError error)
    {
        Kind = kind;
        Opcode = opcode;
        Payload = payload;
        _closeStatus = closeStatus;
        Error = error;
    }

    /// <summary>What happened.</summary>
    public ProtocolEventKind Kind { get; }

    /// <summary>
    /// For a <see cref="ProtocolEventKind.Message"/>, <see cref="Opcode.Text"/> or <see cref="Opcode.Binary"/>;
    /// for a control frame, <see cref="Opcode.Ping"/>, <see cref="Opcode.Pong"/> or <see cref="Opcode.Close"/>.
    /// </summary>
    public Opcode Opcode { get; }

    /// <summary>
    /// The unmasked payload: a message's whole payload, or a control frame's (for a close frame, status code and reason).
    /// </summary>
    public ReadOnlySequence<byte> Payload { get; }

    /// <summary>For <see cref="ProtocolEventKind.Failed"/>, what the peer did wrong; otherwise <see cref="FrameError.None"/>.</summary>
    public FrameError Error { get; }

    /// <summary>For <see cref="ProtocolEventKind.Close"/>, the peer's status code, or null when its close frame had none.</summary>
    public CloseCode? CloseStatus => _closeStatus == 0 ? null : (CloseCode)_closeStatus;

    /// <summary>For <see cref="ProtocolEventKind.Close"/>, the UTF-8 reason after the status code (validated); otherwise empty.</summary>
    public ReadOnlySequence<byte> CloseReason => _closeStatus == 0 ? default : Payload.Slice(2);

    internal static ProtocolEvent Message(Opcode opcode, in ReadOnlySequence<byte> payload) =>
        new(ProtocolEventKind.Message, opcode, payload, 0, FrameError.None);

    internal static ProtocolEvent Control(ProtocolEventKind kind, Opcode opcode, in ReadOnlySequence<byte> payload, CloseCode? closeStatus) =>
        new(kind, opcode, payload, (ushort)closeStatus.GetValueOrDefault(), FrameError.None);

    internal static ProtocolEvent Failure(FrameError error) =>
        new(ProtocolEventKind.Failed, default, default, 0, error);
}
