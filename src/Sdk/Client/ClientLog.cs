using Microsoft.Extensions.Logging;

namespace Switchboard.Client;

/// <summary>Log events of <see cref="SwitchboardClient"/>. Ids 300-399.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(301, LogLevel.Warning, "Incoming message not delivered ({Kind}, type {MessageType}): {Detail}")]
    public static partial void IncomingError(ILogger logger, ClientErrorKind kind, string? messageType, string detail);

    [LoggerMessage(302, LogLevel.Information, "Incoming message of unhandled type {MessageType}: it is in the catalogue but has no handler")]
    public static partial void Unhandled(ILogger logger, string messageType);

    [LoggerMessage(310, LogLevel.Information, "WebSocket upgrade to {Uri} failed ({Reason}); falling back to long polling")]
    public static partial void FallingBack(ILogger logger, Uri uri, string reason);

    [LoggerMessage(318, LogLevel.Warning, "Connection to {Uri} refused for good: {Reason}")]
    public static partial void Refused(ILogger logger, Uri uri, string reason);

    [LoggerMessage(311, LogLevel.Debug, "Long-polling session opened at {Uri}, hold time {Hold}")]
    public static partial void LongPollingOpened(ILogger logger, Uri uri, TimeSpan hold);

    [LoggerMessage(312, LogLevel.Debug, "Long-polling {Method} to {Uri} failed: {Reason}")]
    public static partial void LongPollingRequestFailed(ILogger logger, Uri uri, string method, string reason);

    [LoggerMessage(313, LogLevel.Information, "Long-polling session at {Uri} lost: {Method} answered {Status} (0: no answer)")]
    public static partial void LongPollingSessionLost(ILogger logger, Uri uri, string method, int status);

    [LoggerMessage(314, LogLevel.Warning, "Long-polling server at {Uri} refused a batch of {Count} envelopes with HTTP {Status}; they are dropped")]
    public static partial void LongPollingBatchRefused(ILogger logger, Uri uri, int status, int count);

    [LoggerMessage(315, LogLevel.Information, "Long-polling session at {Uri} closed by the server with {Code}: {Reason}")]
    public static partial void LongPollingClosed(ILogger logger, Uri uri, int? code, string? reason);

    [LoggerMessage(316, LogLevel.Error, "An incoming-message callback of the long-polling session at {Uri} failed; the session lives on")]
    public static partial void CallbackFailed(ILogger logger, Uri uri, Exception exception);

    [LoggerMessage(317, LogLevel.Error, "The {Loop} loop of the long-polling session at {Uri} failed; the connection is dropped")]
    public static partial void LoopFailed(ILogger logger, Uri uri, string loop, Exception exception);

    [LoggerMessage(319, LogLevel.Warning, "Reconnect to {Uri} presents {Max} group positions, the most a server takes; {Count} more are left out and will not recover")]
    public static partial void PositionsLeftOut(ILogger logger, Uri uri, int count, int max);

    [LoggerMessage(320, LogLevel.Debug, "Notice {MessageType} is not one this client knows; ignored")]
    public static partial void NoticeIgnored(ILogger logger, string messageType);
}
