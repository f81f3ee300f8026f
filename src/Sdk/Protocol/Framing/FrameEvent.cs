using System.Buffers;

namespace Switchboard.Protocol.Framing;

/// <summary>One result of <see cref="FrameReader.TryRead"/>.</summary>
/// <remarks>
/// <see cref="Payload"/> and <see cref="CloseReason"/> are slices of the reader's input, already
/// unmasked: they stay valid until the caller releases that buffer (for a pipe, until it advances
/// past the reported <c>consumed</c> position). An immutable value otherwise.
/// </remarks>
public readonly struct FrameEvent
{
    private readonly ushort _closeStatus;

    private FrameEvent(FrameEventKind kind, Opcode opcode, in ReadOnlySequence<byte> payload, bool endOfMessage, FrameError error, ushort closeStatus,
        bool compressed = false)
    {
        Compressed = compressed;
        Kind = kind;
        Opcode = opcode;
        Payload = payload;
        EndOfMessage = endOfMessage;
        Error = error;
        _closeStatus = closeStatus;
    }

    /// <summary>Whether this is message data, a control frame, or an error.</summary>
    public FrameEventKind Kind { get; }

    /// <summary>For data: the message's first frame had RSV1 set, so its payload is compressed (RFC 7692 section 6).</summary>
    internal bool Compressed { get; }

    /// <summary>
    /// For <see cref="FrameEventKind.Data"/>, the opcode of the message (<see cref="Opcode.Text"/> or
    /// <see cref="Opcode.Binary"/>), also for pieces of continuation frames. For
    /// <see cref="FrameEventKind.Control"/>, <see cref="Opcode.Close"/>, <see cref="Opcode.Ping"/> or
    /// <see cref="Opcode.Pong"/>.
    /// </summary>
    public Opcode Opcode { get; }

    /// <summary>
    /// The unmasked payload bytes: for data, the piece of the message that was available (possibly
    /// empty); for a control frame, its whole payload (for Close, status code and reason).
    /// </summary>
    public ReadOnlySequence<byte> Payload { get; }

    /// <summary>For data, true on the last piece of the message's final (FIN) frame.</summary>
    public bool EndOfMessage { get; }

    /// <summary>For <see cref="FrameEventKind.Error"/>, what was wrong; otherwise <see cref="FrameError.None"/>.</summary>
    public FrameError Error { get; }

    /// <summary>For a Close frame, its status code, or null when the payload is empty.</summary>
    public CloseCode? CloseStatus => _closeStatus == 0 ? null : (CloseCode)_closeStatus;

    /// <summary>For a Close frame, the UTF-8 reason after the status code (validated); otherwise empty.</summary>
    public ReadOnlySequence<byte> CloseReason => _closeStatus == 0 ? default : Payload.Slice(2);

    internal static FrameEvent Data(Opcode messageOpcode, in ReadOnlySequence<byte> payload, bool endOfMessage, bool compressed = false) =>
        new(FrameEventKind.Data, messageOpcode, payload, endOfMessage, FrameError.None, 0, compressed);

    internal static FrameEvent Control(Opcode opcode, in ReadOnlySequence<byte> payload, ushort closeStatus) =>
        new(FrameEventKind.Control, opcode, payload, endOfMessage: false, FrameError.None, closeStatus);

    internal static FrameEvent Failure(FrameError error) =>
        new(FrameEventKind.Error, default, default, endOfMessage: false, error, 0);
}
