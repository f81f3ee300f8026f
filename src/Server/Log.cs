using System.Net;
using Microsoft.Extensions.Logging;

namespace Switchboard.Server;

/// <summary>The server's log events, one id per event so operators can filter on them.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, EndPoint? endPoint);

    [LoggerMessage(2, LogLevel.Debug, "Connection {ConnectionId} from {Remote} opened {Path}")]
    public static partial void Connected(ILogger logger, long connectionId, EndPoint? remote, string path);

    [LoggerMessage(3, LogLevel.Debug, "Connection {ConnectionId} closed: status {Status}")]
    public static partial void Disconnected(ILogger logger, long connectionId, CloseCode? status);

    [LoggerMessage(4, LogLevel.Debug, "Handshake from {Remote} rejected with {StatusCode}: {Reason}")]
    public static partial void HandshakeRejected(ILogger logger, EndPoint? remote, int statusCode, string reason);

    [LoggerMessage(5, LogLevel.Debug, "Handshake from {Remote} timed out")]
    public static partial void HandshakeTimedOut(ILogger logger, EndPoint? remote);

    [LoggerMessage(7, LogLevel.Error, "Connection hook of {ConnectionId} threw")]
    public static partial void HandlerFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(10, LogLevel.Debug, "Connection {ConnectionId} transport error")]
    public static partial void TransportError(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(11, LogLevel.Information, "Shutting down: closing {Count} connections")]
    public static partial void ShuttingDown(ILogger logger, int count);

    [LoggerMessage(12, LogLevel.Warning, "Accept failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);
}
