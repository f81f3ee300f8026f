using Microsoft.Extensions.Logging;

namespace Switchboard.Client;

/// <summary>Log events of <see cref="SwitchboardClient"/>'s requests.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(321, LogLevel.Information, "Reply {MessageType} with id {Id} answers no request that waits (timed out, canceled, or never sent); ignored")]
    public static partial void UnknownReply(ILogger logger, string messageType, string id);
}
