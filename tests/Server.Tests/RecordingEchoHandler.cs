using System.Text;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Server.WebSockets;

namespace Switchboard.Server.Tests;

/// <summary>Echoes every message; records connect/disconnect calls.</summary>
internal sealed class RecordingEchoHandler : WebSocketHandler
{
    public TaskCompletionSource<WebSocketConnection> Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<CloseCode?> Disconnected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override ValueTask OnConnectedAsync(WebSocketConnection connection)
    {
        Connected.TrySetResult(connection);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message)
    {
        if (message.Opcode == Opcode.Text && message.Payload.Length == 5 && Encoding.UTF8.GetString(message.Payload) == "throw")
            throw new InvalidOperationException("handler failure on purpose");
        await connection.SendAsync(message.Opcode, message.Payload);
    }

    public override ValueTask OnDisconnectedAsync(WebSocketConnection connection, CloseCode? status)
    {
        Disconnected.TrySetResult(status);
        return ValueTask.CompletedTask;
    }
}
