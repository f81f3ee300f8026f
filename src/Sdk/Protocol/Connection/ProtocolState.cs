namespace Switchboard.Protocol.Connection;

/// <summary>
/// Where a <see cref="ProtocolConnection"/> stands in the closing handshake (RFC 6455 sections 5.5.1 and 7.1).
/// </summary>
public enum ProtocolState : byte
{
    /// <summary>Messages flow both ways.</summary>
    Open,

    /// <summary>
    /// We sent our close frame first and wait for the peer's; the close timeout runs. Frames are still read
    /// (section 7.1.2), but data is dropped and nothing more is written.
    /// </summary>
    Closing,

    /// <summary>
    /// The peer's close frame came first and our answer, carrying its status code, is written. Nothing more is read
    /// or written: send the output, then end the transport (section 7.1.1: a server ends TCP at once, a client waits
    /// for the server to). <see cref="ProtocolConnection.Abort"/> moves on to <see cref="Closed"/>.
    /// </summary>
    CloseReceived,

    /// <summary>
    /// The closing handshake we started is complete, or the connection failed: a protocol error (our close frame
    /// with its status code is written), a keepalive or close timeout, or <see cref="ProtocolConnection.Abort"/>.
    /// Nothing more is read or written: send the output, then end the transport.
    /// </summary>
    Closed,
}
