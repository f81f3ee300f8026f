namespace Switchboard.Redis;

/// <summary>
/// The names under which the Redis engine reports what it does: its <see cref="MeterName">meter</see> (subscribe with
/// dotnet-counters, or OpenTelemetry's <c>AddMeter</c>) and its instruments. Each engine has a meter of its own, all
/// of this name; every instrument is tagged with <c>switchboard.endpoint</c>.
/// </summary>
public static class SwitchboardRedisDiagnostics
{
    /// <summary>The name of every engine's <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string MeterName = "Switchboard.Redis";

    /// <summary>Counter, <c>{message}</c>: messages published through Redis.</summary>
    public const string MessagesPublished = "switchboard.redis.messages.published";

    /// <summary>Counter, <c>{message}</c>: messages received from Redis and handed to the node.</summary>
    public const string MessagesDelivered = "switchboard.redis.messages.delivered";

    /// <summary>Counter, <c>{operation}</c>: operations that failed with <see cref="Server.Engines.EngineUnavailableException"/> (Redis unreachable or slower than the operation timeout).</summary>
    public const string Unavailable = "switchboard.redis.unavailable";

    /// <summary>Counter, <c>{interruption}</c>: times the node was told its deliveries were interrupted.</summary>
    public const string Interruptions = "switchboard.redis.interruptions";

    /// <summary>Counter, <c>{connection}</c>: connections of dead nodes reaped by this node.</summary>
    public const string ConnectionsReaped = "switchboard.redis.connections.reaped";

    /// <summary>Counter, <c>{registration}</c>: times this node found its registration gone (lease ran out, Redis lost its data) and registered again.</summary>
    public const string Reregistrations = "switchboard.redis.reregistrations";

    /// <summary>The tag naming the endpoint on every instrument.</summary>
    public const string EndpointTag = "switchboard.endpoint";
}
