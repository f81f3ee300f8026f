using Microsoft.Extensions.Logging;

namespace Switchboard.Client;

/// <summary>Log events of <see cref="SwitchboardClient"/>. Ids 300-399.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(301, LogLevel.Warning, "Incoming message not delivered ({Kind}, type {MessageType}): {Detail}")]
    public static partial void IncomingError(ILogger logger, ClientErrorKind kind, string? messageType, string detail);
}
