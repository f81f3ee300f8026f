using System.Net;
using Microsoft.Extensions.Logging;

namespace Switchboard.Server;

/// <summary>Log events of the accept path: TLS and the connection limit.</summary>
internal static partial class Log
{
    [LoggerMessage(20, LogLevel.Information, "TLS handshake from {Remote} failed")]
    public static partial void TlsHandshakeFailed(ILogger logger, EndPoint? remote, Exception exception);

    [LoggerMessage(21, LogLevel.Information, "TLS handshake from {Remote} not finished within {Timeout}")]
    public static partial void TlsHandshakeTimedOut(ILogger logger, EndPoint? remote, TimeSpan timeout);

    [LoggerMessage(22, LogLevel.Warning, "Connection from {Remote} refused: {Limit} connections already open")]
    public static partial void ConnectionLimitReached(ILogger logger, EndPoint? remote, int limit);
}
