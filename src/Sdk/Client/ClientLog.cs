using Microsoft.Extensions.Logging;

namespace Switchboard.Client;

/// <summary>Log events of <see cref="SwitchboardClient"/>. Ids 300-399.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(301, LogLevel.Warning, "Incoming message not delivered ({Kind}, type {MessageType}): {Detail}")]
    public static partial void IncomingError(ILogger logger, ClientErrorKind kind, string? messageType, string detail);

    [LoggerMessage(302, LogLevel.Information, "Incoming message of unhandled type {MessageType}: it is in the catalogue but has no handler")]
    public static partial void Unhandled(ILogger logger, string messageType);
}
