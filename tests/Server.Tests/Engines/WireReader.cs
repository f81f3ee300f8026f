using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Switchboard.Server.Tests.Engines;

/// <summary>A raw WebSocket client that reads each envelope as JSON, positions and notices included.</summary>
internal sealed class WireReader(ClientWebSocket socket) : IDisposable
{
    public ClientWebSocket Socket { get; } = socket;

    /// <summary>The next envelope, within 10 s.</summary>
    public async Task<JsonElement> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[16 * 1024];
        var length = 0;
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
                throw new InvalidOperationException($"closed: {Socket.CloseStatus} {Socket.CloseStatusDescription}");
            length += result.Count;
            if (result.EndOfMessage) break;
        }
        using var json = JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, length));
        return json.RootElement.Clone();
    }

    public void Dispose() => Socket.Dispose();
}

/// <summary>What the tests read from an envelope.</summary>
internal static class Envelopes
{
    public static string Type(this JsonElement envelope) => envelope.GetProperty("type").GetString()!;

    public static long Offset(this JsonElement envelope) => envelope.GetProperty("offset").GetInt64();

    public static int Seq(this JsonElement envelope) => envelope.GetProperty("data").GetProperty("seq").GetInt32();

    public static string? Group(this JsonElement envelope) => envelope.TryGetProperty("group", out var group) ? group.GetString() : null;

    /// <summary>A <c>switchboard.joined</c> notice's fields; recovered null when absent.</summary>
    public static (string Group, string Epoch, long Offset, bool? Recovered) Joined(this JsonElement envelope)
    {
        Xunit.Assert.Equal("switchboard.joined", envelope.Type());
        var data = envelope.GetProperty("data");
        return (data.GetProperty("group").GetString()!, data.GetProperty("epoch").GetString()!, data.GetProperty("offset").GetInt64(),
            data.TryGetProperty("recovered", out var recovered) ? recovered.GetBoolean() : null);
    }
}
