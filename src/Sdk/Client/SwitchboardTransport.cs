namespace Switchboard.Client;

/// <summary>How a <see cref="SwitchboardClient"/> reaches its endpoint (see <see cref="SwitchboardClientOptions.Transport"/>).</summary>
public enum SwitchboardTransport
{
    /// <summary>
    /// WebSocket first; when the upgrade fails or is refused (a <see cref="WebSocketHandshakeException"/>: an answer other
    /// than 101, or the connection closing during the handshake), HTTP long polling. A 404 (no endpoint at the path) is
    /// not a reason to fall back. Reconnects keep the transport that worked.
    /// </summary>
    Auto,

    /// <summary>RFC 6455 WebSocket only.</summary>
    WebSocket,

    /// <summary>HTTP/1.1 long polling only (docs/protocol.md, "Long polling").</summary>
    LongPolling,
}
