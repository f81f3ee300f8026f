using System.Buffers;
using Switchboard.Protocol;

namespace Switchboard.Connections;

/// <summary>
/// One complete, unmasked, validated data message. <see cref="Payload"/> points into the connection's
/// receive buffer and is valid only until the handler's returned task completes; copy what must outlive it.
/// </summary>
public readonly struct WebSocketMessage
{
    /// <summary>Creates a message view.</summary>
    public WebSocketMessage(Opcode opcode, ReadOnlySequence<byte> payload)
    {
        Opcode = opcode;
        Payload = payload;
    }

    /// <summary><see cref="Opcode.Text"/> (payload is valid UTF-8) or <see cref="Opcode.Binary"/>.</summary>
    public Opcode Opcode { get; }

    /// <summary>The message bytes.</summary>
    public ReadOnlySequence<byte> Payload { get; }
}
