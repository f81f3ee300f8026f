namespace Switchboard.Server.Engines;

/// <summary>
/// The engine seam: where an endpoint's sends go, who is present, and each group's history. One engine serves every
/// endpoint of an application; each endpoint opens its own <see cref="IEndpointEngine"/> on it when it first needs one.
/// The in-memory engine (the default) keeps everything in this process; a scale-out
/// engine (Switchboard.Redis) shares it between the nodes of a cluster.
/// </summary>
/// <remarks>
/// An implementation must keep four promises, which the endpoint builds everything else on:
/// <list type="number">
/// <item>Every message published on any node is handed to <see cref="IEngineNode.DeliverAsync"/> of every node of the
/// endpoint (the publishing one included) exactly once, and the messages one node published in the order it published
/// them.</item>
/// <item>A message published to a group whose <see cref="EngineEndpoint.History"/> returns options gets the group's
/// next offset (1, 2, 3, …) and is stored before any node sees it, so offsets and delivery order agree.</item>
/// <item>A group's history has an epoch that changes whenever its offsets start over (history lost), so a position of
/// an older epoch is never mistaken for one of the current.</item>
/// <item>When it cannot keep promise 1 for a while (an outage), it says so with <see cref="IEngineNode.Interrupted"/>
/// rather than dropping messages silently.</item>
/// </list>
/// </remarks>
public interface IMessageEngine
{
    /// <summary>Opens the engine for one endpoint on this node; called once per endpoint.</summary>
    /// <param name="endpoint">The endpoint: its name, how it compares users, which groups keep history, and its node.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The endpoint's engine, used until the endpoint is disposed.</returns>
    ValueTask<IEndpointEngine> OpenAsync(EngineEndpoint endpoint, CancellationToken cancellationToken);
}
