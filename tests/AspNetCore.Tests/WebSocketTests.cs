using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Client;
using Switchboard.Protocol.Framing;
using Switchboard.Server;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.AspNetCore.Tests;

/// <summary>Switchboard endpoints over WebSocket in a real ASP.NET Core app on Kestrel.</summary>
public sealed class WebSocketTests
{
    [Fact]
    public async Task Typed_echo_over_websocket_with_the_route_value_in_the_context()
    {
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a => a.MapSwitchboard("/ws/{room}", TestApp.Echo()));
        var replies = new ConcurrentQueue<Reply>();
        var got = new Changes();
        await using var client = new SwitchboardClient(app.Ws("/ws/lobby"), SwitchboardMessages.Catalog,
            new SwitchboardClientOptions { Transport = SwitchboardTransport.WebSocket });
        client.On<Reply>(r => { replies.Enqueue(r); got.Pulse(); });

        await client.ConnectAsync();
        Assert.Equal(SwitchboardTransport.WebSocket, client.Transport);
        await client.SendAsync(new Ask("hello"));
        await got.UntilAsync(() => !replies.IsEmpty, "the reply");
        Assert.Equal(new Reply("hello", "lobby", null), Assert.Single(replies));
        Assert.Equal(1, app.App.Services.GetRequiredService<Hosting.SwitchboardHost>().ConnectionCount);
    }

    [Fact]
    public async Task Raw_handler_gets_the_bytes_and_the_route_values()
    {
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a => a.MapSwitchboard("/raw/{name}", new RouteEcho()));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(app.Ws("/raw/bob"), CancellationToken.None);
        await socket.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal("bob:ping", await ReceiveTextAsync(socket));
    }

    [Fact]
    public async Task A_message_over_MaxMessageSize_closes_with_1009()
    {
        await using var app = await TestApp.StartAsync(
            b => b.Services.AddSwitchboard(o => o.Frames = new FrameReaderOptions { MaxMessageSize = 1024 }),
            a => a.MapSwitchboard("/ws/{room}", TestApp.Echo()));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(app.Ws("/ws/big"), CancellationToken.None);
        await socket.SendAsync(new byte[2000], WebSocketMessageType.Binary, true, CancellationToken.None);
        var result = await socket.ReceiveAsync(new byte[256], new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, result.CloseStatus);
    }

    [Fact]
    public async Task Refused_origin_gets_403_before_any_101()
    {
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a => a.MapSwitchboard("/ws/{room}", TestApp.Echo()));
        var response = await RawHttp.SendAsync(app.Address, "GET", "/ws/x", RawHttp.Upgrade + "Origin: http://elsewhere.example\r\n");
        Assert.Equal(403, response.Status);
        Assert.Equal("origin not allowed\n", response.Body);

        // The app's own origin is admitted, as standalone.
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", "http://" + app.Address.Authority);
        await socket.ConnectAsync(app.Ws("/ws/x"), CancellationToken.None);
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task Authenticate_hook_refusal_is_401_with_its_reason_and_challenge()
    {
        var options = new EndpointOptions
        {
            Authenticate = request => ValueTask.FromResult(request.GetHeader("X-Token") == "good"
                ? AuthenticationResult.Success("carol")
                : AuthenticationResult.Fail("bad token")),
        };
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a => a.MapSwitchboard("/ws/{room}", TestApp.Echo(), options));
        var response = await RawHttp.SendAsync(app.Address, "GET", "/ws/x", RawHttp.Upgrade + "X-Token: wrong\r\n");
        Assert.Equal(401, response.Status);
        Assert.Equal("bad token\n", response.Body);
        Assert.NotNull(response["WWW-Authenticate"]);

        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Token", "good");
        await socket.ConnectAsync(app.Ws("/ws/x"), CancellationToken.None);
        await socket.SendAsync("""{"type":"test.ask","data":{"text":"hi"}}"""u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal("""{"type":"test.reply","data":{"text":"hi","room":"x","user":"carol"}}""", await ReceiveTextAsync(socket));
    }

    [Fact]
    public async Task A_request_that_is_no_upgrade_gets_a_clear_4xx()
    {
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a => a.MapSwitchboard("/raw/{name}", new RouteEcho()));
        using var http = new HttpClient();
        var response = await http.GetAsync(app.Http("/raw/x"));
        // As standalone: the handshake's refusal, with its reason.
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("Upgrade: websocket required\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WebSocket_over_http2_extended_connect_runs_the_same_endpoint()
    {
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a => a.MapSwitchboard("/ws/{room}", TestApp.Echo()), http2Only: true);
        using var socket = new ClientWebSocket();
        socket.Options.HttpVersion = System.Net.HttpVersion.Version20;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.CollectHttpResponseDetails = true;
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        await socket.ConnectAsync(app.Ws("/ws/h2"), invoker, CancellationToken.None);
        Assert.Equal(System.Net.HttpStatusCode.OK, socket.HttpStatusCode);
        await socket.SendAsync("""{"type":"test.ask","data":{"text":"over h2"}}"""u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal("""{"type":"test.reply","data":{"text":"over h2","room":"h2","user":null}}""", await ReceiveTextAsync(socket));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }

    [Fact]
    public async Task Stopping_the_app_closes_connections_with_1001()
    {
        var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a => a.MapSwitchboard("/ws/{room}", TestApp.Echo()));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(app.Ws("/ws/x"), CancellationToken.None);
        var stopping = app.App.StopAsync();
        var result = await socket.ReceiveAsync(new byte[256], new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, result.CloseStatus);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        await stopping.WaitAsync(TimeSpan.FromSeconds(20));
        await app.App.DisposeAsync();
    }

    internal static async Task<string> ReceiveTextAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[4096];
        var text = new StringBuilder();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, timeout.Token);
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
        while (!result.EndOfMessage);
        return text.ToString();
    }

    /// <summary>A raw handler that answers each message with the route value <c>name</c>, a colon and the message.</summary>
    private sealed class RouteEcho : Switchboard.Server.WebSockets.WebSocketHandler
    {
        public override ValueTask OnMessageAsync(Switchboard.Server.WebSockets.WebSocketConnection connection, Switchboard.Connections.WebSocketMessage message)
            => connection.SendTextAsync(connection.RouteValues["name"] + ":" + Encoding.UTF8.GetString(message.Payload));
    }
}
