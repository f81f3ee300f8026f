namespace Switchboard.Server.Engines;

/// <summary>One member of a group, on whichever node its connection is.</summary>
/// <param name="ConnectionId">The connection, unique across the cluster.</param>
/// <param name="User">The connection's user, or null.</param>
public readonly record struct GroupMember(long ConnectionId, string? User);
