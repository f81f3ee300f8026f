using Microsoft.Extensions.Logging;

namespace Switchboard.Redis;

/// <summary>The engine's log events, one id per event (category <c>Switchboard.Redis</c>).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Endpoint {Endpoint} registered on Redis as node {Node}")]
    public static partial void Registered(ILogger logger, string endpoint, int node);

    [LoggerMessage(2, LogLevel.Warning, "Redis connection {ConnectionType} to {EndPoint} failed ({FailureType}): deliveries to endpoint nodes are interrupted")]
    public static partial void ConnectionFailed(ILogger logger, string connectionType, string? endPoint, string failureType, Exception? exception);

    [LoggerMessage(3, LogLevel.Information, "Redis connection {ConnectionType} to {EndPoint} restored")]
    public static partial void ConnectionRestored(ILogger logger, string connectionType, string? endPoint);

    [LoggerMessage(4, LogLevel.Warning, "Redis unreachable: {Operation} of endpoint {Endpoint} failed within the operation timeout {Timeout}")]
    public static partial void Unavailable(ILogger logger, string operation, string endpoint, TimeSpan timeout, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "Endpoint {Endpoint}: reaped {Count} connections of dead nodes; their disconnected hooks run here")]
    public static partial void Reaped(ILogger logger, string endpoint, int count);

    [LoggerMessage(6, LogLevel.Warning, "Endpoint {Endpoint} node {Node}: its registration was gone from Redis (lease ran out, or Redis lost its data); registered again with {Count} connections")]
    public static partial void Reregistered(ILogger logger, string endpoint, int node, int count);

    [LoggerMessage(7, LogLevel.Error, "Endpoint {Endpoint} node {Node}: another instance holds this node number; this node's connections are interrupted")]
    public static partial void NodeNumberTaken(ILogger logger, string endpoint, int node);

    [LoggerMessage(8, LogLevel.Warning, "Endpoint {Endpoint}: lease renewal or reaping failed")]
    public static partial void LeaseFailed(ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(9, LogLevel.Error, "Endpoint {Endpoint}: delivering a message from Redis failed")]
    public static partial void DeliveryFailed(ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(10, LogLevel.Error, "Endpoint {Endpoint}: handing lost connections to the node failed")]
    public static partial void ConnectionsLostFailed(ILogger logger, string endpoint, Exception exception);
}
