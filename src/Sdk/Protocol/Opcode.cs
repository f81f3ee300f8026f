namespace Switchboard.Protocol;

/// <summary>Frame opcodes defined by RFC 6455 section 5.2. Values 3-7 and 11-15 are reserved.</summary>
public enum Opcode : byte
{
    /// <summary>Continues a fragmented data message (RFC 6455 section 5.4).</summary>
    Continuation = 0x0,

    /// <summary>A data frame whose message payload is UTF-8 text.</summary>
    Text = 0x1,

    /// <summary>A data frame whose message payload is arbitrary bytes.</summary>
    Binary = 0x2,

    /// <summary>Starts or answers the closing handshake (RFC 6455 section 5.5.1).</summary>
    Close = 0x8,

    /// <summary>Keepalive or liveness probe; must be answered with a pong (section 5.5.2).</summary>
    Ping = 0x9,

    /// <summary>Answer to a ping, or an unsolicited heartbeat (section 5.5.3).</summary>
    Pong = 0xA,
}
