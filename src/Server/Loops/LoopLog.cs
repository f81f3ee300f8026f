using Microsoft.Extensions.Logging;

namespace Switchboard.Server.Loops;

/// <summary>Log events of the I/O loops: ids 107 and 108, inside the range of the session events (<c>SessionLog</c>, 100-199) whose connections the loops serve.</summary>
internal static partial class LoopLog
{
    [LoggerMessage(107, LogLevel.Error, "An I/O loop's reader threw; the loop goes on")]
    public static partial void CallbackFailed(ILogger logger, Exception exception);

    [LoggerMessage(108, LogLevel.Warning, "{Thread} has been held for {HeldMs} ms in one turn: a handler blocks it, and the other connections on it wait")]
    public static partial void Stalled(ILogger logger, string thread, long heldMs);
}
