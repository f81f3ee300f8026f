using System.Runtime.ExceptionServices;

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
    /// Delivers a run of messages that reached this node together, in order, as many calls of
    /// <see cref="DeliverAsync(MessageTarget, EngineMessage)"/> one after another would; the node may send a connection
    /// its frames of the whole run in one write. A message that fails to deliver does not stop the ones after it: the
    /// first failure is thrown once the run is delivered.
    /// </summary>
    /// <param name="messages">The run, each publishing node's messages in that node's order; read before the call completes.</param>
    ValueTask DeliverRunAsync(ReadOnlyMemory<(MessageTarget Target, EngineMessage Message)> messages) => DeliverEachAsync(this, messages);

    private static async ValueTask DeliverEachAsync(IEngineNode node, ReadOnlyMemory<(MessageTarget Target, EngineMessage Message)> messages)
    {
        ExceptionDispatchInfo? failure = null;
        for (var i = 0; i < messages.Length; i++)
        {
            var (target, message) = messages.Span[i];
            try
            {
                await node.DeliverAsync(target, message).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Kept and thrown once the run is delivered.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure ??= ExceptionDispatchInfo.Capture(e);
            }
        }
        failure?.Throw();
    }

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
