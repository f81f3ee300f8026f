using System.Net;
using Switchboard.Server.Admission;
using Switchboard.Server.Diagnostics;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// Who gets the server's connection slots (docs/security.md, "Connections and TLS"): one client address cannot take
/// them all (<see cref="WebSocketServerOptions.MaxConnectionsPerAddress"/>), and keep-alive HTTP connections idle between
/// requests give their slots up to newcomers instead of locking WebSocket and long-polling users out.
/// </summary>
public sealed class ConnectionSlotTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly IPAddress OtherClient = IPAddress.Parse("127.0.0.2"); // all of 127/8 is loopback on Linux

    private readonly TaskCompletionSource _slowEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _slowReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TestServer StartServer(WebSocketServerOptions options) => new(options, server => server
        .Map("/ws", new RecordingEchoHandler())
        .Map("/room/{name}", new MessageEndpoint(SwitchboardMessages.Catalog))
        .MapGet("/hello", (_, response) =>
        {
            response.WriteText("hello");
            return ValueTask.CompletedTask;
        })
        .MapGet("/slow", async (_, response) =>
        {
            _slowEntered.TrySetResult();
            await _slowReleased.Task;
            response.WriteText("slow");
        }));

    [Fact]
    public async Task One_address_over_MaxConnectionsPerAddress_gets_503_while_another_address_connects()
    {
        await using var server = StartServer(new WebSocketServerOptions { MaxConnectionsPerAddress = 2, ConnectionLimitRetryAfter = TimeSpan.FromSeconds(7) });
        using var metrics = new LimitMetrics(server.Server);
        // WebSocket connections: not idle HTTP, so nothing can be given up for the third.
        using var first = await RawClient.ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 101", await first.UpgradeAsync("/ws"), StringComparison.Ordinal);
        using var second = await RawClient.ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 101", await second.UpgradeAsync("/ws"), StringComparison.Ordinal);

        using (var third = await RawClient.ConnectAsync(server))
        {
            await third.SendGetAsync("/hello");
            var refused = await third.ReadResponseAsync();
            Assert.Equal(503, refused.Status);
            Assert.Equal("7", refused["Retry-After"]);
            Assert.True(await third.ClosedByServerAsync(Bound));
        }
        Assert.Equal(1, metrics[ServerLimit.ConnectionsPerAddress]);
        Assert.Equal(0, metrics[ServerLimit.Connections]);

        // Another client is not held back by the first one's cap.
        using var other = await RawClient.ConnectAsync(server.Server.LocalEndPoint.Port, OtherClient);
        await other.SendGetAsync("/hello");
        Assert.Equal(200, (await other.ReadResponseAsync()).Status);
        Assert.Equal(2, server.Server.TrackedAddressCount);

        // A slot the first client gives back is its own again.
        first.Dispose();
        // Once the server has closed its side (second and other stay open), the slot is handed out.
        await Eventually.TrueAsync(() => server.Server.OpenSocketCount == 2, () => $"{server.Server.OpenSocketCount} sockets open");
        using (var next = await RawClient.ConnectAsync(server))
        {
            await next.SendGetAsync("/hello");
            Assert.Equal(200, (await next.ReadResponseAsync()).Status);
        }

        // The table forgets an address once its last connection is closed.
        second.Dispose();
        other.Dispose();
        await Eventually.TrueAsync(() => server.Server.TrackedAddressCount == 0, () => $"{server.Server.TrackedAddressCount} addresses still tracked");
    }

    [Fact]
    public async Task At_the_address_cap_an_idle_keep_alive_connection_of_that_address_makes_room_and_no_other_address_loses_one()
    {
        await using var server = StartServer(new WebSocketServerOptions { MaxConnectionsPerAddress = 2 });
        using var metrics = new LimitMetrics(server.Server);
        // Another client's idle connection, the oldest of all, must not pay for this client's cap.
        using var bystander = await KeepAliveAsync(server, OtherClient);
        using var idle = await KeepAliveAsync(server, null);
        using var webSocket = await RawClient.ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 101", await webSocket.UpgradeAsync("/ws"), StringComparison.Ordinal);
        await Eventually.TrueAsync(() => server.Server.IdleHttpConnectionCount == 2, "both keep-alive connections wait for their next request");

        using var newcomer = await RawClient.ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 101", await newcomer.UpgradeAsync("/ws"), StringComparison.Ordinal);
        Assert.True(await idle.ClosedByServerAsync(Bound));
        Assert.Equal(1, metrics[ServerLimit.IdleHttpEvicted]);
        Assert.Equal(0, metrics[ServerLimit.ConnectionsPerAddress]);

        // The bystander was not touched: it still gets answers on the same connection.
        await bystander.SendGetAsync("/hello");
        Assert.Equal(200, (await bystander.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task Idle_keep_alive_connections_at_MaxConnections_give_way_to_WebSocket_and_long_polling_but_a_request_in_flight_is_kept()
    {
        await using var server = StartServer(new WebSocketServerOptions { MaxConnections = 3, ConnectionLimitRetryAfter = TimeSpan.FromSeconds(3) });
        using var metrics = new LimitMetrics(server.Server);
        try
        {
            // Every slot taken: a request in the middle of being answered, and two keep-alive connections idle after theirs
            // (the attack: thousands of them, each sending HEAD /protocol.json every 20 s).
            using var busy = await RawClient.ConnectAsync(server);
            await busy.SendGetAsync("/slow");
            await _slowEntered.Task.WaitAsync(Bound);
            using var idle1 = await KeepAliveAsync(server, null, "HEAD");
            using var idle2 = await KeepAliveAsync(server, null, "HEAD");
            await Eventually.TrueAsync(() => server.Server.IdleHttpConnectionCount == 2, "both keep-alive connections wait for their next request");

            // A WebSocket user and a long-polling user get in all the same, each in the place of an idle connection.
            using var webSocket = await RawClient.ConnectAsync(server);
            Assert.StartsWith("HTTP/1.1 101", await webSocket.UpgradeAsync("/room/ws"), StringComparison.Ordinal);
            Assert.True(await idle1.ClosedByServerAsync(Bound));
            using (var longPolling = await RawClient.ConnectAsync(server))
            {
                await longPolling.SendAsync("POST /room/lp?transport=longpolling HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                var open = await longPolling.ReadResponseAsync();
                Assert.Equal(200, open.Status);
                Assert.Contains("\"session\"", open.Text, StringComparison.Ordinal);
            }
            Assert.True(await idle2.ClosedByServerAsync(Bound));
            Assert.Equal(2, metrics[ServerLimit.IdleHttpEvicted]);
            Assert.Equal(0, metrics[ServerLimit.Connections]);

            // With nothing idle left (a request in flight, a WebSocket, a connection yet to send its first request), the
            // next one is refused as before.
            await Eventually.TrueAsync(() => server.Server.OpenSocketCount == 2, () => $"{server.Server.OpenSocketCount} sockets open");
            using var quiet = await RawClient.ConnectAsync(server);
            await Eventually.TrueAsync(() => server.Server.OpenSocketCount == 3, () => $"{server.Server.OpenSocketCount} sockets open");
            using (var refused = await RawClient.ConnectAsync(server))
            {
                Assert.Equal(503, (await refused.ReadResponseAsync()).Status);
            }
            Assert.Equal(1, metrics[ServerLimit.Connections]);
            Assert.Equal(2, metrics[ServerLimit.IdleHttpEvicted]);

            // The request in flight was never cut: it is answered when its handler finishes.
            _slowReleased.TrySetResult();
            var answer = await busy.ReadResponseAsync();
            Assert.Equal(200, answer.Status);
            Assert.Equal("slow", answer.Text);
        }
        finally
        {
            _slowReleased.TrySetResult(); // a failed assertion must not leave the handler, and so the server's stop, waiting
        }
    }

    [Fact]
    public void MaxConnectionsPerAddress_defaults_to_256_and_must_be_positive()
    {
        Assert.Equal(256, new WebSocketServerOptions().MaxConnectionsPerAddress);
        Assert.Equal(WebSocketServerOptions.DefaultMaxConnectionsPerAddress, new WebSocketServerOptions().MaxConnectionsPerAddress);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebSocketServerOptions { MaxConnectionsPerAddress = 0 });
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7", true)]
    [InlineData("203.0.113.7", "203.0.113.8", false)]
    [InlineData("203.0.113.7", "::ffff:203.0.113.7", true)] // a dual-mode socket's view of the same client
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", true)] // one /64: one client
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    public void IPv6_addresses_count_per_64_prefix(string a, string b, bool same)
    {
        var left = ClientAddress.Of(new IPEndPoint(IPAddress.Parse(a), 1));
        var right = ClientAddress.Of(new IPEndPoint(IPAddress.Parse(b), 2));
        Assert.Equal(same, left == right);
    }

    [Fact]
    public void The_address_table_holds_only_addresses_with_open_connections()
    {
        // Many IPv6 clients, each on its own /64: the table grows with the open connections, not with the addresses seen.
        var slots = new ConnectionSlots(maxConnections: 100, maxPerAddress: 1);
        for (var i = 0; i < 10_000; i++)
        {
            var client = ClientAddress.Of(new IPEndPoint(IPAddress.Parse($"2001:db8:{i / 65536:x}:{i % 65536:x}::1"), 1));
            Assert.Equal(SlotVerdict.Admitted, slots.Admit(client, out _));
            Assert.Equal(SlotVerdict.OverAddress, slots.Admit(client, out _));
            slots.Release(client);
        }
        Assert.Equal(0, slots.AddressCount);
        Assert.Equal(0, slots.Open);
    }

    /// <summary>A connection that has had one answer and stays open, idle, for its next request.</summary>
    private static async Task<RawClient> KeepAliveAsync(TestServer server, IPAddress? from, string method = "GET")
    {
        var client = await RawClient.ConnectAsync(server.Server.LocalEndPoint.Port, from);
        await client.SendAsync($"{method} /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync(toHead: method == "HEAD")).Status);
        return client;
    }
}
