using System.Net.WebSockets;
using System.Text;
using Switchboard.Client;
using Switchboard.Protocol;
using Switchboard.Server.Messaging;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>What a typed endpoint does with good and bad input, seen from a real ClientWebSocket.</summary>
public sealed class TypedEndpointTests : IAsyncLifetime
{
    private readonly MessageEndpoint _endpoint = new();
    private readonly TaskCompletionSource<string> _unknown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestServer _server = null!;

    public Task InitializeAsync()
    {
        _endpoint
            .On<Route>(async (context, route) =>
            {
                if (route.Target == "throw") throw new InvalidOperationException("handler failure on purpose");
                await context.SendAsync(new Note(route.Target, route.Seq));
            })
            .OnUnknownType((_, type) =>
            {
                _unknown.TrySetResult(type);
                return ValueTask.CompletedTask;
            });
        _server = new TestServer(null, ("/typed", _endpoint));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Envelope_is_dispatched_by_type_with_properties_in_any_order()
    {
        using var client = await _server.ConnectAsync("/typed");
        await SendTextAsync(client, """{"data":{"seq":7,"target":"echo","name":null},"type":"test.route"}""");
        Assert.Equal("""{"type":"test.note","data":{"from":"echo","seq":7}}""", await ReceiveTextAsync(client));
    }

    [Fact]
    public async Task Handler_exception_is_logged_and_the_connection_lives_on()
    {
        using var client = await _server.ConnectAsync("/typed");
        await SendTextAsync(client, """{"type":"test.route","data":{"target":"throw","name":null,"seq":1}}""");
        await SendTextAsync(client, """{"type":"test.route","data":{"target":"after","name":null,"seq":2}}""");
        Assert.Contains("\"after\"", await ReceiveTextAsync(client), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_type_goes_to_the_hook_and_the_connection_lives_on()
    {
        using var client = await _server.ConnectAsync("/typed");
        await SendTextAsync(client, """{"type":"no.such.thing","data":{}}""");
        Assert.Equal("no.such.thing", await _unknown.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        await SendTextAsync(client, """{"type":"test.route","data":{"target":"alive","name":null,"seq":3}}""");
        Assert.Contains("\"alive\"", await ReceiveTextAsync(client), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "malformed envelope")]
    [InlineData("[1,2]", "malformed envelope")]
    [InlineData("""{"data":{}}""", "malformed envelope")]
    [InlineData("""{"type":"test.route","data":{"target":"x","name":null}}""", "seq")]
    [InlineData("""{"type":"test.route","data":{"target":5,"name":null,"seq":1}}""", "target")]
    public async Task Malformed_input_closes_with_1007_and_a_reason(string text, string reasonPart)
    {
        using var client = await _server.ConnectAsync("/typed");
        await SendTextAsync(client, text);
        var result = await client.ReceiveAsync(new byte[256], Timeout());
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, client.CloseStatus);
        Assert.Contains(reasonPart, client.CloseStatusDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Binary_message_closes_with_1003()
    {
        using var client = await _server.ConnectAsync("/typed");
        await client.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, Timeout());
        await client.ReceiveAsync(new byte[256], Timeout());
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, client.CloseStatus);
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    private static Task SendTextAsync(ClientWebSocket client, string text)
        => client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, Timeout());

    private static async Task<string> ReceiveTextAsync(ClientWebSocket client)
    {
        var buffer = new byte[4096];
        var result = await client.ReceiveAsync(buffer, Timeout());
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}
