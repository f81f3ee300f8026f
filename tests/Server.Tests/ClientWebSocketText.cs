using System.Net.WebSockets;
using System.Text;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>Text messages over a ClientWebSocket, each step bounded in time.</summary>
internal static class ClientWebSocketText
{
    private static CancellationToken Bound() => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    public static Task SendTextAsync(this ClientWebSocket client, string text)
        => client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, Bound());

    /// <summary>The next message, which must be text and fit in 4 KiB.</summary>
    public static async Task<string> ReceiveTextAsync(this ClientWebSocket client)
    {
        var buffer = new byte[4096];
        var result = await client.ReceiveAsync(buffer, Bound());
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}
