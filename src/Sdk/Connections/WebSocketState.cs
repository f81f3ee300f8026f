namespace Switchboard.Connections;

/// <summary>Where a WebSocket session is in its life (RFC 6455 sections 4 and 7).</summary>
public enum WebSocketState
{
    /// <summary>The handshake is done; messages flow both ways.</summary>
    Open,

    /// <summary>A close frame has been sent or received; no more data messages are sent.</summary>
    Closing,

    /// <summary>The TCP connection is gone.</summary>
    Closed,
}
