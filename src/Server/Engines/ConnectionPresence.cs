namespace Switchboard.Server.Engines;

/// <summary>What the engine knows of a connection: its id, its user and its groups.</summary>
/// <param name="ConnectionId">The connection, unique across the cluster.</param>
/// <param name="User">Its user, or null.</param>
/// <param name="Groups">The groups it is a member of.</param>
public sealed record ConnectionPresence(long ConnectionId, string? User, IReadOnlyList<string> Groups);
