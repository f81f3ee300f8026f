using System.Net;
using Microsoft.Extensions.Logging;

namespace Switchboard.Server;

/// <summary>The log events of the plain HTTP side; ids 300-399 keep clear of the session (100-199) and messaging (200-299) events logged beside them.</summary>
internal static partial class Log
{
    [LoggerMessage(300, LogLevel.Debug, "HTTP {Method} {Path} from {Remote} answered {StatusCode}")]
    public static partial void HttpServed(ILogger logger, string method, string path, EndPoint? remote, int statusCode);

    [LoggerMessage(301, LogLevel.Debug, "HTTP request from {Remote} refused with {StatusCode}: {Reason}")]
    public static partial void HttpRefused(ILogger logger, EndPoint? remote, int statusCode, string reason);

    [LoggerMessage(302, LogLevel.Error, "HTTP handler for {Method} {Path} threw")]
    public static partial void HttpHandlerFailed(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(303, LogLevel.Debug, "Connection {ConnectionId} closed after {Idle} idle between requests")]
    public static partial void HttpIdleTimedOut(ILogger logger, long connectionId, TimeSpan idle);

    [LoggerMessage(304, LogLevel.Information, "Connection {ConnectionId} dropped: the client took none of a response body for {Timeout}")]
    public static partial void HttpSendTimedOut(ILogger logger, long connectionId, TimeSpan timeout);
}
