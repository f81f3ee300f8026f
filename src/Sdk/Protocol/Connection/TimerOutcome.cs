namespace Switchboard.Protocol.Connection;

/// <summary>What <see cref="ProtocolConnection.OnTimer"/> did.</summary>
public enum TimerOutcome : byte
{
    /// <summary>No deadline had passed.</summary>
    None,

    /// <summary>The peer was silent for the keepalive interval: a ping is written; send the output.</summary>
    PingWritten,

    /// <summary>
    /// The peer sent nothing for the keepalive timeout after our ping: the connection is
    /// <see cref="ProtocolState.Closed"/>; drop the transport without a closing handshake.
    /// </summary>
    KeepAliveTimedOut,

    /// <summary>
    /// The peer did not answer our close frame within the close timeout: the connection is
    /// <see cref="ProtocolState.Closed"/>; drop the transport.
    /// </summary>
    CloseTimedOut,
}
