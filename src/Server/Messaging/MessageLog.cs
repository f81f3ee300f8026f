using Microsoft.Extensions.Logging;
using Switchboard.Messaging;

namespace Switchboard.Server.Messaging;

/// <summary>Log events of typed endpoints. Ids 200-299.</summary>
internal static partial class MessageLog
{
    [LoggerMessage(201, LogLevel.Error, "Handler for {MessageType} on connection {ConnectionId} threw")]
    public static partial void HandlerFailed(ILogger logger, string messageType, long connectionId, Exception exception);

    [LoggerMessage(202, LogLevel.Information, "Connection {ConnectionId} sent a malformed envelope ({Error}); closing with 1007")]
    public static partial void MalformedEnvelope(ILogger logger, long connectionId, EnvelopeError error);

    [LoggerMessage(203, LogLevel.Information, "Connection {ConnectionId} sent an invalid {MessageType}: {Reason}; closing with 1007")]
    public static partial void InvalidMessage(ILogger logger, long connectionId, string messageType, string reason);

    [LoggerMessage(204, LogLevel.Information, "Connection {ConnectionId} sent unknown message type {MessageType}: it is not in the endpoint's catalogue")]
    public static partial void UnknownType(ILogger logger, long connectionId, string messageType);

    [LoggerMessage(205, LogLevel.Information, "Connection {ConnectionId} sent a binary message to a typed endpoint; closing with 1003")]
    public static partial void BinaryMessage(ILogger logger, long connectionId);

    [LoggerMessage(206, LogLevel.Information, "Connection {ConnectionId} sent unhandled message type {MessageType}: it is in the catalogue but has no handler on this endpoint")]
    public static partial void Unhandled(ILogger logger, long connectionId, string messageType);

    [LoggerMessage(207, LogLevel.Warning, "The message engine interrupted delivery ({Reason}); closing every connection with 1012")]
    public static partial void EngineInterrupted(ILogger logger, string reason);

    [LoggerMessage(208, LogLevel.Debug, "Connection {ConnectionId} could not be closed")]
    public static partial void CloseFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(209, LogLevel.Warning, "The message engine could not forget connection {ConnectionId}")]
    public static partial void RemoveFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(210, LogLevel.Error, "The message engine could not be opened for connection {ConnectionId}; closing with 1011")]
    public static partial void EngineOpenFailed(ILogger logger, long connectionId, Exception exception);
}
