using Switchboard.Messaging;

namespace Switchboard.Server;

/// <summary>What <see cref="MessageContext.JoinGroupAsync"/> did for a group that keeps history.</summary>
/// <param name="Recovered">
/// True when the connection presented a position in the group and every message after it was sent; false when it
/// presented one the history no longer covers (another epoch, or trimmed); null when it presented none, or the group
/// keeps no history.
/// </param>
/// <param name="Position">The group's epoch and newest offset when the join read its history; null when it keeps none.</param>
public sealed record GroupJoin(bool? Recovered, StreamPosition? Position)
{
    /// <summary>A join with nothing to tell: a group without history, or one the connection was in already.</summary>
    internal static GroupJoin None { get; } = new(null, null);
}
