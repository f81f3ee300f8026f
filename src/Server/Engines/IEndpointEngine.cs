using Switchboard.Messaging;

namespace Switchboard.Server.Engines;

/// <summary>
/// One endpoint's view of its engine: publishing, presence (connections, users, groups) and history. Every member is
/// thread-safe. A member that cannot reach the engine's store throws <see cref="EngineUnavailableException"/>.
/// </summary>
public interface IEndpointEngine : IAsyncDisposable
{
    /// <summary>
    /// This node's number among the endpoint's nodes, 0 to 8,388,607; folded into the high bits of every connection id
    /// so that ids are unique across the cluster. The in-memory engine's is 0.
    /// </summary>
    int NodeNumber { get; }

    /// <summary>
    /// Sends <paramref name="message"/> to <paramref name="target"/> on every node, through
    /// <see cref="IEngineNode.DeliverAsync"/>. When the target is a group that keeps history the message is stored
    /// first and gets the group's next offset.
    /// </summary>
    /// <returns>The offset the message got in its group's history, or 0 when it is not stored.</returns>
    ValueTask<long> PublishAsync(MessageTarget target, EngineMessage message, CancellationToken cancellationToken);

    /// <summary>A connection opened on this node, with no user and no groups yet.</summary>
    ValueTask AddConnectionAsync(long connectionId, CancellationToken cancellationToken);

    /// <summary>A connection of this node ended: it leaves its groups and gives up its user.</summary>
    /// <returns>
    /// True when the connection was still this node's, so the node reports its end (runs the disconnected hook); false
    /// when the engine no longer had it because it handed the connection to <see cref="IEngineNode.ConnectionsLostAsync"/>
    /// already (another node reaped this one while it hung), so its end was reported there and must not be again.
    /// </returns>
    ValueTask<bool> RemoveConnectionAsync(ConnectionPresence connection, CancellationToken cancellationToken);

    /// <summary>
    /// Binds the connection to <paramref name="user"/>, replacing <paramref name="previous"/> (its user until now, or null).
    /// With <paramref name="unique"/> it succeeds only when no other connection of the cluster holds the user. A
    /// connection that <see cref="RemoveConnectionAsync"/> removed already (it ended while its connected hook was still
    /// claiming) gets nothing: no user, no trace.
    /// </summary>
    /// <returns>
    /// False when <paramref name="unique"/> and another connection holds the user, or when the connection was removed
    /// already; nothing changed then.
    /// </returns>
    ValueTask<bool> SetUserAsync(long connectionId, string? previous, string user, bool unique, CancellationToken cancellationToken);

    /// <summary>
    /// Adds the connection to <paramref name="group"/>'s members; does nothing for a connection that
    /// <see cref="RemoveConnectionAsync"/> removed already.
    /// </summary>
    ValueTask JoinAsync(long connectionId, string? user, string group, CancellationToken cancellationToken);

    /// <summary>Removes the connection from <paramref name="group"/>'s members.</summary>
    ValueTask LeaveAsync(long connectionId, string group, CancellationToken cancellationToken);

    /// <summary>The members of <paramref name="group"/> on every node, in no particular order.</summary>
    ValueTask<IReadOnlyList<GroupMember>> MembersAsync(string group, CancellationToken cancellationToken);

    /// <summary>Every user with at least one connection on any node, each once as its first connection spelled it, in ordinal order.</summary>
    ValueTask<IReadOnlyList<string>> UsersAsync(CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="user"/> has a connection on any node.</summary>
    ValueTask<bool> IsConnectedAsync(string user, CancellationToken cancellationToken);

    /// <summary>
    /// Reads <paramref name="group"/>'s history for a connection that joins it: with <paramref name="since"/>, every
    /// message after that position when the history still holds them all (<see cref="HistoryRead.Recovered"/> true),
    /// else the last <paramref name="last"/> messages (false); without, the last <paramref name="last"/> (null).
    /// </summary>
    ValueTask<HistoryRead> ReadHistoryAsync(string group, StreamPosition? since, int last, CancellationToken cancellationToken);
}
