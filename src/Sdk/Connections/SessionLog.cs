using Microsoft.Extensions.Logging;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;

namespace Switchboard.Connections;

/// <summary>Log events of an open session, shared by servers and clients. Ids 100-199; 107 and 108 are the server's I/O loops' (<c>Switchboard.Server.Loops.LoopLog</c>).</summary>
internal static partial class SessionLog
{
    [LoggerMessage(101, LogLevel.Information, "Session {SessionId} failed with {CloseCode}: {Error}")]
    public static partial void ProtocolError(ILogger logger, long sessionId, CloseCode closeCode, FrameError error);

    [LoggerMessage(102, LogLevel.Error, "Message handler of session {SessionId} threw")]
    public static partial void HandlerFailed(ILogger logger, long sessionId, Exception exception);

    [LoggerMessage(103, LogLevel.Information, "Session {SessionId} did not answer a ping in time; dropping it")]
    public static partial void DeadPeer(ILogger logger, long sessionId);

    [LoggerMessage(104, LogLevel.Information, "Session {SessionId} did not complete the close handshake in time; dropping it")]
    public static partial void CloseTimedOut(ILogger logger, long sessionId);

    [LoggerMessage(106, LogLevel.Debug, "Session {SessionId} does not read: {SendQueueLimit} bytes wait for it; closing it with 1013 (try again later)")]
    public static partial void SlowConsumer(ILogger logger, long sessionId, long sendQueueLimit);

    [LoggerMessage(105, LogLevel.Debug, "Session {SessionId} transport error")]
    public static partial void TransportError(ILogger logger, long sessionId, Exception exception);
}
