namespace Switchboard.Server.Engines;

/// <summary>What an endpoint tells its engine when it opens on it.</summary>
public sealed class EngineEndpoint
{
    /// <summary>
    /// The endpoint's name (<c>MessageEndpoint.Name</c>); endpoints of the same name on different nodes are one
    /// endpoint of the cluster.
    /// </summary>
    public required string Name { get; init; }

    /// <summary>How user names compare: <see cref="StringComparer.Ordinal"/> or <see cref="StringComparer.OrdinalIgnoreCase"/>.</summary>
    public required StringComparer UserComparer { get; init; }

    /// <summary>Which groups keep a history, and how much of it; null for a group that keeps none.</summary>
    public required Func<string, GroupHistory?> History { get; init; }

    /// <summary>Where the engine delivers what reaches this node.</summary>
    public required IEngineNode Node { get; init; }

    /// <summary>The endpoint's clock: history ages and leases are measured by it.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
