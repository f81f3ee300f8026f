using System.Net;
using Microsoft.Extensions.Logging;

namespace Switchboard.Server;

/// <summary>The log events of the plain HTTP side; ids from 100 keep clear of the WebSocket events.</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Debug, "HTTP {Method} {Path} from {Remote} answered {StatusCode}")]
    public static partial void HttpServed(ILogger logger, string method, string path, EndPoint? remote, int statusCode);

    [LoggerMessage(101, LogLevel.Information, "HTTP request from {Remote} refused with {StatusCode}: {Reason}")]
    public static partial void HttpRefused(ILogger logger, EndPoint? remote, int statusCode, string reason);

    [LoggerMessage(102, LogLevel.Error, "HTTP handler for {Method} {Path} threw")]
    public static partial void HttpHandlerFailed(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(103, LogLevel.Debug, "Connection {ConnectionId} closed after {Idle} idle between requests")]
    public static partial void HttpIdleTimedOut(ILogger logger, long connectionId, TimeSpan idle);
}
