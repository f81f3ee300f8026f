using System.Net;
using Microsoft.Extensions.Logging;

namespace Switchboard.Server.Endpoints;

internal static partial class EndpointLog
{
    [LoggerMessage(501, LogLevel.Debug, "Opening request from {Remote} for {Path} refused with {StatusCode}: {Reason}")]
    public static partial void Refused(ILogger logger, EndPoint? remote, string path, int statusCode, string reason);

    [LoggerMessage(502, LogLevel.Error, "Authentication hook threw for {Path} from {Remote}")]
    public static partial void AuthenticateFailed(ILogger logger, EndPoint? remote, string path, Exception exception);
}
