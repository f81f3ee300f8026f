using Microsoft.Extensions.Logging;

namespace Switchboard.Server;

/// <summary>Log events of requests on typed endpoints (docs/protocol.md, "Request/response").</summary>
internal static partial class Log
{
    [LoggerMessage(220, LogLevel.Error, "Request handler for {MessageType} (id {RequestId}) on connection {ConnectionId} threw; replying handler_failed")]
    public static partial void RequestHandlerFailed(ILogger logger, string messageType, string requestId, long connectionId, Exception exception);

    [LoggerMessage(221, LogLevel.Error, "Request handler for {MessageType} on connection {ConnectionId} failed with {ErrorType}, which the request does not declare; replying handler_failed")]
    public static partial void UndeclaredRequestError(ILogger logger, string messageType, long connectionId, string errorType);

    [LoggerMessage(222, LogLevel.Information, "Connection {ConnectionId} sent an invalid request {MessageType}: {Reason}; replying invalid_request")]
    public static partial void InvalidRequest(ILogger logger, long connectionId, string messageType, string reason);

    [LoggerMessage(223, LogLevel.Information, "Connection {ConnectionId} sent request {MessageType}, which has no handler on this endpoint; replying no_handler")]
    public static partial void NoRequestHandler(ILogger logger, long connectionId, string messageType);

    [LoggerMessage(224, LogLevel.Debug, "The reply to {MessageType} (id {RequestId}) could not be sent to connection {ConnectionId}")]
    public static partial void ReplyFailed(ILogger logger, string messageType, string requestId, long connectionId, Exception exception);
}
