using System.Net;
using Microsoft.Extensions.Logging;

namespace Switchboard.Server.LongPolling;

/// <summary>Log events of long-polling sessions. Ids 400-499.</summary>
internal static partial class LongPollLog
{
    [LoggerMessage(401, LogLevel.Debug, "Long-polling session {ConnectionId} from {Remote} opened {Path}")]
    public static partial void Opened(ILogger logger, long connectionId, EndPoint? remote, string path);

    [LoggerMessage(402, LogLevel.Debug, "Long-polling session {ConnectionId} ended: status {Status}")]
    public static partial void Ended(ILogger logger, long connectionId, CloseCode? status);

    [LoggerMessage(403, LogLevel.Debug, "Long-polling session {ConnectionId} was not polled for {IdleTimeout}; it has gone")]
    public static partial void Expired(ILogger logger, long connectionId, TimeSpan idleTimeout);
}
