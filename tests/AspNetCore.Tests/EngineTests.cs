using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server;
using Switchboard.Server.Engines;
using Xunit;

namespace Switchboard.AspNetCore.Tests;

/// <summary>
/// The engine seam under the ASP.NET Core host: the container's engine is the endpoint's, the registration's name is its
/// name, and the <c>recover</c> parameter is judged at admission over both transports.
/// </summary>
public sealed class EngineTests
{
    [Fact]
    public async Task An_endpoint_takes_the_containers_engine_and_its_registration_name()
    {
        var engine = new CountingEngine();
        await using var app = await TestApp.StartAsync(
            b =>
            {
                b.Services.AddSwitchboard();
                b.Services.AddSingleton<IMessageEngine>(engine);
                b.Services.AddMessageEndpoint("lobby", SwitchboardMessages.Catalog, (_, _) => { });
            },
            a => a.MapSwitchboard("/ws", a.Services.GetRequiredKeyedService<MessageEndpoint>("lobby")));
        var endpoint = app.App.Services.GetRequiredKeyedService<MessageEndpoint>("lobby");
        Assert.Equal("lobby", endpoint.Name);
        Assert.Same(engine, endpoint.Engine);

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(app.Ws("/ws"), CancellationToken.None);
        await Switchboard.Testing.Eventually.TrueAsync(() => endpoint.ConnectionCount == 1, "connected");
        Assert.Equal(["lobby"], engine.Opened);
    }

    [Fact]
    public async Task An_endpoint_mapped_by_instance_takes_the_containers_engine_when_it_has_none()
    {
        var engine = new CountingEngine();
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog);
        await using var app = await TestApp.StartAsync(
            b =>
            {
                b.Services.AddSwitchboard();
                b.Services.AddSingleton<IMessageEngine>(engine);
            },
            a => a.MapSwitchboard("/ws", endpoint));
        Assert.Same(engine, endpoint.Engine);
        Assert.Equal("default", endpoint.Name);
    }

    [Fact]
    public async Task A_malformed_recover_parameter_is_refused_with_400_over_both_transports()
    {
        var connected = 0;
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog).OnConnected(_ =>
        {
            Interlocked.Increment(ref connected);
            return ValueTask.CompletedTask;
        });
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a => a.MapSwitchboard("/ws", endpoint));

        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(app.Ws("/ws?recover=no-offset"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.BadRequest, socket.HttpStatusCode);

        using var http = new HttpClient();
        using var open = await http.PostAsync(app.Http("/ws?transport=longpolling&recover=e:1"), null);
        Assert.Equal(HttpStatusCode.BadRequest, open.StatusCode);
        Assert.Contains("'recover'", await open.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var good = await http.PostAsync(app.Http("/ws?transport=longpolling&recover=e:1:room"), null);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        using var json = JsonDocument.Parse(await good.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("session").GetString()));
        Assert.Equal(1, Volatile.Read(ref connected));
    }

    [Fact]
    public async Task A_WebSocket_client_recovers_from_the_position_in_its_upgrade_request()
    {
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog) { History = _ => new Switchboard.Server.Engines.GroupHistory() };
        endpoint.OnConnected(async c => await c.JoinGroupAsync("room"));
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a => a.MapSwitchboard("/ws", endpoint));

        string epoch;
        using (var probe = new ClientWebSocket())
        {
            await probe.ConnectAsync(app.Ws("/ws"), CancellationToken.None);
            epoch = (await ReadAsync(probe)).GetProperty("data").GetProperty("epoch").GetString()!;
        }
        await endpoint.Group("room").SendAsync(new Reply("one", "room", null));
        await endpoint.Group("room").SendAsync(new Reply("two", "room", null));

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(app.Ws($"/ws?recover={epoch}%3A1%3Aroom"), CancellationToken.None);
        var notice = await ReadAsync(socket);
        Assert.Equal("switchboard.joined", notice.GetProperty("type").GetString());
        Assert.True(notice.GetProperty("data").GetProperty("recovered").GetBoolean());
        Assert.Equal(2, notice.GetProperty("data").GetProperty("offset").GetInt64());
        var missed = await ReadAsync(socket);
        Assert.Equal(("two", 2L), (missed.GetProperty("data").GetProperty("text").GetString(), missed.GetProperty("offset").GetInt64()));
    }

    private static async Task<JsonElement> ReadAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        using var json = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
        return json.RootElement.Clone();
    }

    /// <summary>The in-memory engine, noting which endpoints opened it.</summary>
    private sealed class CountingEngine : IMessageEngine
    {
        private readonly InMemoryEngine _inner = new();

        public List<string> Opened { get; } = [];

        public ValueTask<IEndpointEngine> OpenAsync(EngineEndpoint endpoint, CancellationToken cancellationToken)
        {
            lock (Opened) Opened.Add(endpoint.Name);
            return _inner.OpenAsync(endpoint, cancellationToken);
        }
    }
}
