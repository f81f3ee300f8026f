namespace Switchboard.Server.Engines;

/// <summary>
/// The node's side of the engine seam, implemented by the endpoint: where the engine hands over what reaches this
/// node. The engine calls it; applications never do.
/// </summary>
public interface IEngineNode
{
    /// <summary>
    /// Delivers <paramref name="message"/> to this node's connections in <paramref name="target"/>. The engine awaits each
    /// call before the next one of the same publishing node, which keeps that node's order.
    /// </summary>
    ValueTask DeliverAsync(MessageTarget target, EngineMessage message);

    /// <summary>
    /// Connections of another node ended without that node saying so (it died or lost the engine and its lease ran out):
    /// the endpoint runs its disconnected hook for each here, as it would have there. The engine calls this on exactly
    /// one node per ended connection.
    /// </summary>
    ValueTask ConnectionsLostAsync(IReadOnlyList<ConnectionPresence> connections);

    /// <summary>
    /// The engine could not keep delivering to this node (its connection to the store dropped), so this node's
    /// connections may have missed messages: the endpoint closes them with 1012 so their clients reconnect and
    /// recover from their positions.
    /// </summary>
    void Interrupted(string reason);
}
