using Switchboard.Messaging;
using Switchboard.Server.Engines;

namespace Switchboard.Server.Tests.Engines;

/// <summary>
/// The in-memory engine as one node of a cluster would see its own: a node number of its choosing, history reads that
/// take a while as a remote store's do (so live messages arrive while a join reads), and a hold on the endpoint's node
/// so that a test can do what a scale-out engine does to it (interrupt it, report lost connections).
/// </summary>
internal sealed class NodeEngine(int nodeNumber, TimeSpan readLatency = default) : IMessageEngine
{
    private readonly TaskCompletionSource<IEngineNode> _node = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The endpoint's node, once the endpoint opened the engine.</summary>
    public Task<IEngineNode> Node => _node.Task;

    public async ValueTask<IEndpointEngine> OpenAsync(EngineEndpoint endpoint, CancellationToken cancellationToken)
    {
        var inner = await new InMemoryEngine().OpenAsync(endpoint, cancellationToken);
        _node.TrySetResult(endpoint.Node);
        return new Numbered(inner, nodeNumber, readLatency);
    }

    private sealed class Numbered(IEndpointEngine inner, int nodeNumber, TimeSpan readLatency) : IEndpointEngine
    {
        public int NodeNumber => nodeNumber;

        public ValueTask<long> PublishAsync(MessageTarget target, EngineMessage message, CancellationToken cancellationToken)
            => inner.PublishAsync(target, message, cancellationToken);

        public ValueTask AddConnectionAsync(long connectionId, CancellationToken cancellationToken) => inner.AddConnectionAsync(connectionId, cancellationToken);

        public ValueTask<bool> RemoveConnectionAsync(ConnectionPresence connection, CancellationToken cancellationToken)
            => inner.RemoveConnectionAsync(connection, cancellationToken);

        public ValueTask<bool> SetUserAsync(long connectionId, string? previous, string user, bool unique, CancellationToken cancellationToken)
            => inner.SetUserAsync(connectionId, previous, user, unique, cancellationToken);

        public ValueTask JoinAsync(long connectionId, string? user, string group, CancellationToken cancellationToken)
            => inner.JoinAsync(connectionId, user, group, cancellationToken);

        public ValueTask LeaveAsync(long connectionId, string group, CancellationToken cancellationToken) => inner.LeaveAsync(connectionId, group, cancellationToken);

        public ValueTask<IReadOnlyList<GroupMember>> MembersAsync(string group, CancellationToken cancellationToken) => inner.MembersAsync(group, cancellationToken);

        public ValueTask<IReadOnlyList<string>> UsersAsync(CancellationToken cancellationToken) => inner.UsersAsync(cancellationToken);

        public ValueTask<bool> IsConnectedAsync(string user, CancellationToken cancellationToken) => inner.IsConnectedAsync(user, cancellationToken);

        public async ValueTask<HistoryRead> ReadHistoryAsync(string group, StreamPosition? since, int last, CancellationToken cancellationToken)
        {
            if (readLatency > TimeSpan.Zero) await Task.Delay(readLatency, cancellationToken); // the round trip to a store
            return await inner.ReadHistoryAsync(group, since, last, cancellationToken);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
