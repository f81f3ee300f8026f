using Switchboard.Connections;

namespace Switchboard.Server.WebSockets;

/// <summary>
/// Application code bound to a route. One instance serves every connection of its route, so
/// implementations must be thread-safe; calls for one connection never overlap.
/// </summary>
public abstract class WebSocketHandler
{
    /// <summary>Called once after the upgrade response has been sent, before any message.</summary>
    public virtual ValueTask OnConnectedAsync(WebSocketConnection connection) => ValueTask.CompletedTask;

    /// <summary>Called for every complete data message, in order. An exception is logged and the connection lives on.</summary>
    public abstract ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message);

    /// <summary>
    /// Called once when the connection has ended, however it ended. <paramref name="status"/> is the close code the
    /// peer sent, or <see langword="null"/> when the connection ended without one (dropped, failed, timed out).
    /// </summary>
    public virtual ValueTask OnDisconnectedAsync(WebSocketConnection connection, CloseCode? status) => ValueTask.CompletedTask;
}
