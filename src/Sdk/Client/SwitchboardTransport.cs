namespace Switchboard.Client;

/// <summary>How a <see cref="SwitchboardClient"/> reaches its endpoint (see <see cref="SwitchboardClientOptions.Transport"/>).</summary>
public enum SwitchboardTransport
{
    /// <summary>
    /// WebSocket first; when the upgrade fails in a way that suggests WebSocket is blocked on the way
    /// (<see cref="SwitchboardConnectionErrorKind.HandshakeFailed"/>: an answer other than 101 that is not a refusal, a
    /// wrong one, or the connection closing during the handshake), HTTP long polling. A refusal (401, 403), a 404, an
    /// unreachable server or a timeout is not a reason to fall back. Reconnects keep the transport that worked.
    /// </summary>
    Auto,

    /// <summary>RFC 6455 WebSocket only.</summary>
    WebSocket,

    /// <summary>HTTP/1.1 long polling only (docs/protocol.md, "Long polling").</summary>
    LongPolling,
}
