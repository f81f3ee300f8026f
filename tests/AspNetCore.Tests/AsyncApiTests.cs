using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Contract;
using Xunit;

namespace Switchboard.AspNetCore.Tests;

public sealed class AsyncApiTests
{
    [Fact]
    public async Task MapSwitchboardAsyncApi_serves_the_document_as_json_for_get_and_head()
    {
        var endpoint = TestApp.Echo();
        var document = new AsyncApiDocument("Echo", "1.0.0").AddChannel("/ws/{room}", endpoint.Catalog);
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a =>
        {
            a.MapSwitchboard("/ws/{room}", endpoint);
            a.MapSwitchboardAsyncApi("/asyncapi.json", document);
        });
        using var http = new HttpClient();

        using var get = await http.GetAsync(app.Http("/asyncapi.json"));
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, app.Http("/asyncapi.json")));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("application/json", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(document.ToJson(), await get.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task MapSwitchboardAsyncApi_describes_the_endpoints_at_the_routes_they_are_mapped_at()
    {
        var echo = TestApp.Echo();
        var other = TestApp.Echo();
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a =>
        {
            // Before the endpoints are mapped: the document is made from the app's routes once they are complete.
            a.MapSwitchboardAsyncApi("/asyncapi.json", "Echo", "1.0.0", echo);
            a.MapSwitchboard("/ws/{room}", echo);
            a.MapGroup("/api").MapSwitchboard("rooms/{id:int}/{*rest}", echo);
            a.MapSwitchboard("/other", other);
        });
        using var http = new HttpClient();

        var json = await http.GetStringAsync(app.Http("/asyncapi.json"));

        var expected = new AsyncApiDocument("Echo", "1.0.0").AddChannel("/ws/{room}", echo).AddChannel("/api/rooms/{id}/{rest}", echo);
        Assert.Equal(expected.ToJson(), json);
        using var document = JsonDocument.Parse(json);
        var operations = document.RootElement.GetProperty("operations");
        Assert.Equal(["test.ask"], MessagesOf(operations, "ws-room.receive"));
        Assert.Equal(["test.reply"], MessagesOf(operations, "ws-room.send"));
    }

    [Fact]
    public async Task MapSwitchboardAsyncApi_without_endpoints_describes_every_typed_endpoint()
    {
        var first = TestApp.Echo();
        var second = TestApp.Echo();
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a =>
        {
            a.MapSwitchboard("/first", first);
            a.MapSwitchboard("/raw", new RawEcho());
            a.MapSwitchboard("/second/{room}", second);
            a.MapSwitchboardAsyncApi("/asyncapi.json", "Echo", "2.0.0");
        });
        using var http = new HttpClient();

        var json = await http.GetStringAsync(app.Http("/asyncapi.json"));

        Assert.Equal(new AsyncApiDocument("Echo", "2.0.0").AddChannel("/first", first).AddChannel("/second/{room}", second).ToJson(), json);
    }

    [Fact]
    public async Task MapSwitchboardAsyncApi_answers_500_for_an_endpoint_the_app_does_not_map()
    {
        var mapped = TestApp.Echo();
        var stray = TestApp.Echo();
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a =>
        {
            a.MapSwitchboard("/ws", mapped);
            a.MapSwitchboardAsyncApi("/asyncapi.json", "Echo", "1.0.0", mapped, stray);
            a.MapSwitchboardAsyncApi("/mapped.json", "Echo", "1.0.0", mapped);
        });
        using var http = new HttpClient();

        using var refused = await http.GetAsync(app.Http("/asyncapi.json"));
        using var served = await http.GetAsync(app.Http("/mapped.json"));

        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public void MapSwitchboardAsyncApi_refuses_an_empty_title_or_version_when_mapped()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSwitchboard();
        using var app = builder.Build();

        var title = Assert.Throws<ArgumentException>(() => app.MapSwitchboardAsyncApi("/asyncapi.json", "", "1.0.0"));
        var version = Assert.Throws<ArgumentException>(() => app.MapSwitchboardAsyncApi("/asyncapi.json", "Echo", ""));

        Assert.Equal("title", title.ParamName);
        Assert.Equal("version", version.ParamName);
    }

    private static List<string> MessagesOf(JsonElement operations, string operation) =>
        [.. operations.GetProperty(operation).GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("$ref").GetString()!.Split('/')[^1])];

    /// <summary>A raw handler: its route is no channel of the document.</summary>
    private sealed class RawEcho : Switchboard.Server.WebSockets.WebSocketHandler
    {
        public override ValueTask OnMessageAsync(Switchboard.Server.WebSockets.WebSocketConnection connection, Switchboard.Connections.WebSocketMessage message) =>
            ValueTask.CompletedTask;
    }
}
