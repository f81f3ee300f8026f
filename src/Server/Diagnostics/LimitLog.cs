using System.Net;
using Microsoft.Extensions.Logging;

namespace Switchboard.Server.Diagnostics;

/// <summary>Log events 600-699: limits hit by clients.</summary>
internal static partial class LimitLog
{
    [LoggerMessage(600, LogLevel.Debug, "Limit {Limit} hit by {Remote}: {Detail}")]
    public static partial void Hit(ILogger logger, ServerLimit limit, EndPoint? remote, string detail);

    [LoggerMessage(601, LogLevel.Warning, "Limit {Limit} hit by {Address}: {Detail} (further hits from this address within a minute are logged at Debug)")]
    public static partial void HitWarning(ILogger logger, ServerLimit limit, IPAddress? address, string detail);
}
