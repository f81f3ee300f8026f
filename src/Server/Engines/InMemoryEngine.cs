namespace Switchboard.Server.Engines;

/// <summary>
/// The default engine: everything in this process, for a single node. Presence lives in memory; a group that keeps
/// history (<see cref="EngineEndpoint.History"/>) keeps a bounded log in memory, trimmed to its
/// <see cref="GroupHistory.MaxLength"/> and <see cref="GroupHistory.MaxAge"/> by the endpoint's
/// <see cref="EngineEndpoint.TimeProvider"/>, with an epoch drawn at random when the log is made (so a new process
/// starts a new epoch) and offsets from 1. A send is handed to the endpoint's node in the sender's call, with no copy;
/// only a message stored in a history is copied, once.
/// </summary>
/// <remarks>One instance may serve any number of endpoints; each <see cref="OpenAsync"/> makes that endpoint's own state.</remarks>
public sealed class InMemoryEngine : IMessageEngine
{
    /// <inheritdoc/>
    public ValueTask<IEndpointEngine> OpenAsync(EngineEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return ValueTask.FromResult<IEndpointEngine>(new InMemoryEndpointEngine(endpoint));
    }
}
