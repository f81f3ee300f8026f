using Switchboard.Protocol.Framing;

namespace Switchboard.Protocol.Connection;

/// <summary>What a <see cref="ProtocolEvent"/> reports.</summary>
public enum ProtocolEventKind : byte
{
    /// <summary>Nothing: the default value, never returned with true.</summary>
    None,

    /// <summary>A complete text or binary message, assembled from its fragments; text is valid UTF-8.</summary>
    Message,

    /// <summary>The peer's ping (section 5.5.2). While open, the pong is already written, or kept when the output is backed up.</summary>
    Ping,

    /// <summary>The peer's pong (section 5.5.3), solicited or not.</summary>
    Pong,

    /// <summary>
    /// The peer's close frame (section 5.5.1), with its status and reason. If we had not sent ours, the answer is
    /// written; either way the closing handshake is over.
    /// </summary>
    Close,

    /// <summary>
    /// The peer broke the protocol (<see cref="ProtocolEvent.Error"/>): our close frame with
    /// <see cref="FrameErrorExtensions.ToCloseCode(FrameError)"/> is written, unless one was sent already, and the
    /// connection is <see cref="ProtocolState.Closed"/> (section 7.1.7).
    /// </summary>
    Failed,
}
