using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Switchboard.Client;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// What a typed endpoint does with good and bad input, seen from a real ClientWebSocket. Its catalogue is this
/// assembly's: <see cref="Route"/> has a handler, <see cref="Note"/> is known but has none.
/// </summary>
public sealed class TypedEndpointTests : IAsyncLifetime
{
    private readonly RecordingLoggerFactory _logs = new();
    private readonly Channel<(string Type, UnhandledReason Reason)> _unhandled = Channel.CreateUnbounded<(string, UnhandledReason)>();
    private MessageEndpoint _endpoint = null!;
    private TestServer _server = null!;

    public Task InitializeAsync()
    {
        _endpoint = new MessageEndpoint(SwitchboardMessages.Catalog, _logs)
            .On<Route>(async (context, route) =>
            {
                if (route.Target == "throw") throw new InvalidOperationException("handler failure on purpose");
                await context.SendAsync(new Note(route.Target, route.Seq));
            })
            .OnUnhandled((_, type, reason) =>
            {
                _unhandled.Writer.TryWrite((type, reason));
                return ValueTask.CompletedTask;
            });
        _server = new TestServer(null, server => server
            .Map("/typed", _endpoint)
            .MapProtocol("/protocol.json", _endpoint.Catalog));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Envelope_is_dispatched_by_type_with_properties_in_any_order()
    {
        using var client = await _server.ConnectAsync("/typed");
        await client.SendTextAsync("""{"data":{"seq":7,"target":"echo","name":null},"type":"test.route"}""");
        Assert.Equal("""{"type":"test.note","data":{"from":"echo","seq":7}}""", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task Handler_exception_is_logged_and_the_connection_lives_on()
    {
        using var client = await _server.ConnectAsync("/typed");
        await client.SendTextAsync("""{"type":"test.route","data":{"target":"throw","name":null,"seq":1}}""");
        await client.SendTextAsync("""{"type":"test.route","data":{"target":"after","name":null,"seq":2}}""");
        Assert.Contains("\"after\"", await client.ReceiveTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Type_outside_the_catalogue_is_unknown_and_the_connection_lives_on()
    {
        using var client = await _server.ConnectAsync("/typed");
        await client.SendTextAsync("""{"type":"no.such.thing","data":{}}""");
        Assert.Equal(("no.such.thing", UnhandledReason.UnknownType), await NextUnhandledAsync());
        await client.SendTextAsync("""{"type":"test.route","data":{"target":"alive","name":null,"seq":3}}""");
        Assert.Contains("\"alive\"", await client.ReceiveTextAsync(), StringComparison.Ordinal);
        Assert.Contains(_logs.Events, e => e.Id.Id == 204 && e.Message.Contains("unknown message type no.such.thing", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Events, e => e.Id.Id == 206);
    }

    [Fact]
    public async Task Catalogued_type_without_a_handler_is_unhandled_not_unknown_and_the_connection_lives_on()
    {
        using var client = await _server.ConnectAsync("/typed");
        await client.SendTextAsync("""{"type":"test.note","data":{"from":"x","seq":1}}""");
        Assert.Equal(("test.note", UnhandledReason.NoHandler), await NextUnhandledAsync());
        await client.SendTextAsync("""{"type":"test.route","data":{"target":"alive","name":null,"seq":4}}""");
        Assert.Contains("\"alive\"", await client.ReceiveTextAsync(), StringComparison.Ordinal);
        Assert.Contains(_logs.Events, e => e.Id.Id == 206 && e.Message.Contains("unhandled message type test.note", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Events, e => e.Id.Id == 204);
    }

    [Fact]
    public async Task Without_a_hook_both_are_logged_and_ignored()
    {
        var logs = new RecordingLoggerFactory();
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog, logs)
            .On<Route>((context, route) => context.SendAsync(new Note(route.Target, route.Seq)));
        await using var server = new TestServer(null, ("/bare", endpoint));
        using var client = await server.ConnectAsync("/bare");
        await client.SendTextAsync("""{"type":"no.such.thing","data":{}}""");
        await client.SendTextAsync("""{"type":"test.note","data":{"from":"x","seq":1}}""");
        await client.SendTextAsync("""{"type":"test.route","data":{"target":"alive","name":null,"seq":5}}""");
        Assert.Contains("\"alive\"", await client.ReceiveTextAsync(), StringComparison.Ordinal);
        Assert.Equal([204, 206], logs.Events.Select(e => e.Id.Id).Where(id => id is 204 or 206));
    }

    [Fact]
    public void On_a_type_outside_the_catalogue_throws_naming_the_type_and_its_wire_name()
    {
        var notesOnly = new MessageCatalog(SwitchboardMessages.Catalog.Messages.Where(m => m.Type == Note.MessageType));
        var endpoint = new MessageEndpoint(notesOnly);

        var error = Assert.Throws<InvalidOperationException>(() => endpoint.On<Route>((_, _) => ValueTask.CompletedTask));
        Assert.Contains(typeof(Route).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Contains("'test.route'", error.Message, StringComparison.Ordinal);
        endpoint.On<Note>((_, _) => ValueTask.CompletedTask); // in the catalogue: fine
    }

    [Fact]
    public void Endpoint_keeps_its_catalogue_and_requires_one()
    {
        Assert.Same(SwitchboardMessages.Catalog, _endpoint.Catalog);
        Assert.Throws<ArgumentNullException>(() => new MessageEndpoint(null!));
    }

    [Fact]
    public async Task Protocol_json_serves_the_catalogue_description()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_server.Server.LocalEndPoint.Port}"), Timeout = TimeSpan.FromSeconds(10) };

        using var response = await http.GetAsync(new Uri("/protocol.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(SwitchboardMessages.Catalog.DescribeJson(), body);
        using var description = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal(
            [("test.note", "message"), ("test.other.denied", "error"), ("test.route", "message"), ("test.secret", "message"), ("test.sum", "request"), ("test.sum.denied", "error"),
             ("test.sum.result", "message"), ("test.unanswered", "request")],
            description.RootElement.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("type").GetString(), m.GetProperty("kind").GetString())));

        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri("/protocol.json", UriKind.Relative)));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(Encoding.UTF8.GetByteCount(body), head.Content.Headers.ContentLength);
    }

    private async Task<(string, UnhandledReason)> NextUnhandledAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return await _unhandled.Reader.ReadAsync(timeout.Token);
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
        await client.SendTextAsync(text);
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

}
