using System.Net.WebSockets;
using System.Text;
using Xunit;

namespace Switchboard.Server.Tests;

public class HandshakeRoutingTests
{
    [Fact]
    public async Task Unknown_path_gets_404_and_no_upgrade()
    {
        await using var server = new TestServer(null, ("/echo", new RecordingEchoHandler()));
        using var raw = await RawClient.ConnectAsync(server);
        var head = await raw.UpgradeAsync("/nowhere");
        Assert.StartsWith("HTTP/1.1 404 ", head, StringComparison.Ordinal);
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Plain_get_without_upgrade_gets_400()
    {
        await using var server = new TestServer(null, ("/echo", new RecordingEchoHandler()));
        using var raw = await RawClient.ConnectAsync(server);
        await raw.SendAsync("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400 ", await raw.ReadHeadAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Route_values_reach_the_connection()
    {
        var handler = new RecordingEchoHandler();
        await using var server = new TestServer(null, ("/ws/{username}", handler));
        using var client = await server.ConnectAsync("/ws/al%20ice");
        var connection = await handler.Connected.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("al ice", connection.RouteValues["username"]);
        Assert.Equal("/ws/al%20ice", connection.Path);
    }

    [Fact]
    public async Task First_offered_supported_subprotocol_is_selected()
    {
        await using var server = new TestServer(new WebSocketServerOptions { Subprotocols = ["chat.v2", "chat.v1"] }, ("/", new RecordingEchoHandler()));
        using var client = await server.ConnectAsync("/", o => { o.AddSubProtocol("chat.v1"); o.AddSubProtocol("chat.v2"); });
        Assert.Equal("chat.v1", client.SubProtocol);
    }

    [Fact]
    public async Task Incomplete_handshake_is_dropped_after_the_timeout()
    {
        var options = new WebSocketServerOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(300) };
        await using var server = new TestServer(options, ("/", new RecordingEchoHandler()));
        using var raw = await RawClient.ConnectAsync(server);
        await raw.SendAsync("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }
}

public class ConnectionLifetimeTests
{
    [Fact]
    public async Task Handler_exception_does_not_end_the_connection()
    {
        await using var server = new TestServer(null, ("/", new RecordingEchoHandler()));
        using var client = await server.ConnectAsync("/");
        await client.SendAsync(Encoding.UTF8.GetBytes("throw"), WebSocketMessageType.Text, true, CancellationToken.None);
        await client.SendAsync(Encoding.UTF8.GetBytes("still here"), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[64];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var result = await client.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal("still here", Encoding.UTF8.GetString(buffer, 0, result.Count));
    }

    [Fact]
    public async Task Close_handshake_echoes_the_code_and_ends_the_connection()
    {
        var handler = new RecordingEchoHandler();
        await using var server = new TestServer(null, ("/", handler));
        using var client = await server.ConnectAsync("/");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
        Assert.Equal(CloseCode.NormalClosure, await handler.Disconnected.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        await server.WaitForConnectionCountAsync(0);
    }

    [Fact]
    public async Task Shutdown_sends_going_away_to_every_connection()
    {
        var server = new TestServer(null, ("/", new RecordingEchoHandler()));
        var clients = new List<ClientWebSocket>();
        for (var i = 0; i < 5; i++) clients.Add(await server.ConnectAsync("/"));
        await server.WaitForConnectionCountAsync(5);

        var receives = clients.Select(async c =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var result = await c.ReceiveAsync(new byte[16], timeout.Token);
            Assert.Equal(WebSocketMessageType.Close, result.MessageType);
            return result.CloseStatus;
        }).ToList();
        await server.Server.StopAsync();

        foreach (var status in await Task.WhenAll(receives)) Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status);
        Assert.Equal(0, server.Server.ConnectionCount);
        foreach (var c in clients) c.Dispose();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Silent_peer_gets_a_ping_and_is_dropped_when_it_never_answers()
    {
        var options = new WebSocketServerOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(200), KeepAliveTimeout = TimeSpan.FromMilliseconds(300) };
        await using var server = new TestServer(options, ("/", new RecordingEchoHandler()));
        using var raw = await RawClient.ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 101 ", await raw.UpgradeAsync("/"), StringComparison.Ordinal);

        var ping = await raw.ReadAsync(2, TimeSpan.FromSeconds(5));
        Assert.Equal(new byte[] { 0x89, 0x00 }, ping);
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(5)));
        await server.WaitForConnectionCountAsync(0);
    }

    [Fact]
    public async Task Peer_that_answers_pings_stays_connected()
    {
        // Pings come often; the answer may take long (a loaded machine), but never as long as the timeout.
        var options = new WebSocketServerOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(150), KeepAliveTimeout = TimeSpan.FromSeconds(10) };
        await using var server = new TestServer(options, ("/", new RecordingEchoHandler()));
        using var raw = await RawClient.ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 101 ", await raw.UpgradeAsync("/"), StringComparison.Ordinal);

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(new byte[] { 0x89, 0x00 }, await raw.ReadAsync(2, TimeSpan.FromSeconds(5)));
            await raw.SendAsync([0x8A, 0x80, 1, 2, 3, 4]); // masked empty pong
        }
        Assert.Equal(1, server.Server.ConnectionCount);
    }

    [Fact]
    public async Task Peer_that_never_answers_our_close_is_dropped_after_the_close_timeout()
    {
        var handler = new RecordingEchoHandler();
        var options = new WebSocketServerOptions { CloseTimeout = TimeSpan.FromMilliseconds(300) };
        await using var server = new TestServer(options, ("/", handler));
        using var raw = await RawClient.ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 101 ", await raw.UpgradeAsync("/"), StringComparison.Ordinal);
        var connection = await handler.Connected.Task.WaitAsync(TimeSpan.FromSeconds(5));

        await connection.CloseAsync(CloseCode.PolicyViolation, "go");
        var close = await raw.ReadAsync(6, TimeSpan.FromSeconds(5));
        Assert.Equal(new byte[] { 0x88, 0x04, 0x03, 0xF0, (byte)'g', (byte)'o' }, close);
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(5)));
        Assert.Null(await handler.Disconnected.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Abrupt_disconnects_leave_no_connection_behind()
    {
        await using var server = new TestServer(null, ("/", new RecordingEchoHandler()));
        for (var i = 0; i < 50; i++)
        {
            using var raw = await RawClient.ConnectAsync(server);
            Assert.StartsWith("HTTP/1.1 101 ", await raw.UpgradeAsync("/"), StringComparison.Ordinal);
        }
        await server.WaitForConnectionCountAsync(0);
    }
}
