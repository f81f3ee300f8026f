using System.Net;
using Microsoft.Extensions.Logging;

namespace Switchboard.Server;

/// <summary>Log events of the accept path: TLS.</summary>
internal static partial class Log
{
    [LoggerMessage(20, LogLevel.Information, "TLS handshake from {Remote} failed")]
    public static partial void TlsHandshakeFailed(ILogger logger, EndPoint? remote, Exception exception);

    [LoggerMessage(21, LogLevel.Information, "TLS handshake from {Remote} not finished within {Timeout}")]
    public static partial void TlsHandshakeTimedOut(ILogger logger, EndPoint? remote, TimeSpan timeout);
}
