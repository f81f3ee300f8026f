using System.Collections.Concurrent;
using System.Net;
using Switchboard.Client;
using Switchboard.Protocol;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>SwitchboardClient across a server restart, against the real server on loopback.</summary>
public sealed class ClientReconnectTests
{
    [Fact]
    public async Task Client_reconnects_after_a_restart_and_delivers_what_was_queued_in_order()
    {
        var received = new ConcurrentQueue<int>();
        var first = StartServer(0, received);
        var port = first.LocalEndPoint.Port;

        var states = new ConcurrentQueue<ConnectionState>();
        await using var client = new SwitchboardClient(new Uri($"ws://127.0.0.1:{port}/typed"), SwitchboardMessages.Catalog, new SwitchboardClientOptions
        {
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        });
        client.StateChanged += (_, e) => states.Enqueue(e.Current);
        await client.ConnectAsync();
        await client.SendAsync(new Route("r", null, 0));
        await WaitUntilAsync(() => received.Count == 1);

        await first.StopAsync(); // 1001 going away: the client retries
        await WaitUntilAsync(() => client.State == ConnectionState.Reconnecting);
        for (var i = 1; i <= 20; i++) await client.SendAsync(new Route("r", null, i)); // queued

        await using var second = StartServer(port, received);
        await WaitUntilAsync(() => client.State == ConnectionState.Connected);
        await WaitUntilAsync(() => received.Count == 21);
        Assert.Equal(Enumerable.Range(0, 21), received);
        var transitions = states.Where((state, i) => i == 0 || state != states.ElementAt(i - 1)).ToArray();
        Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Reconnecting, ConnectionState.Connected], transitions);
    }

    [Fact]
    public async Task Queue_is_bounded_and_sends_fail_clearly_when_queueing_is_off()
    {
        var received = new ConcurrentQueue<int>();
        var server = StartServer(0, received);
        var uri = new Uri($"ws://127.0.0.1:{server.LocalEndPoint.Port}/typed");
        var slow = new SwitchboardClientOptions { ReconnectInitialDelay = TimeSpan.FromSeconds(30), MaxQueuedMessages = 3 };
        await using var bounded = new SwitchboardClient(uri, SwitchboardMessages.Catalog, slow);
        await using var strict = new SwitchboardClient(uri, SwitchboardMessages.Catalog, new SwitchboardClientOptions { ReconnectInitialDelay = TimeSpan.FromSeconds(30), QueueWhileDisconnected = false });
        await bounded.ConnectAsync();
        await strict.ConnectAsync();
        await server.StopAsync();
        await WaitUntilAsync(() => bounded.State == ConnectionState.Reconnecting && strict.State == ConnectionState.Reconnecting);

        for (var i = 0; i < 3; i++) await bounded.SendAsync(new Route("q", null, i));
        var full = await Assert.ThrowsAsync<InvalidOperationException>(async () => await bounded.SendAsync(new Route("q", null, 3)));
        Assert.Contains("MaxQueuedMessages", full.Message, StringComparison.Ordinal);
        var off = await Assert.ThrowsAsync<InvalidOperationException>(async () => await strict.SendAsync(new Route("q", null, 0)));
        Assert.Contains("queueing is off", off.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Policy_close_is_not_retried()
    {
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog).OnConnected(c => c.CloseAsync(CloseCode.PolicyViolation, "go away"));
        await using var server = new TestServer(null, ("/typed", endpoint));
        var closed = new TaskCompletionSource<CloseCode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = new SwitchboardClient(server.Uri("/typed"), SwitchboardMessages.Catalog, new SwitchboardClientOptions { ReconnectInitialDelay = TimeSpan.FromMilliseconds(10) });
        var states = new ConcurrentQueue<ConnectionState>();
        client.StateChanged += (_, e) =>
        {
            states.Enqueue(e.Current);
            if (e.Current == ConnectionState.Closed) closed.TrySetResult(e.CloseStatus);
        };
        await client.ConnectAsync();
        Assert.Equal(CloseCode.PolicyViolation, await closed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        // A retry would have gone through Reconnecting before its delay; Closed is the end of the client's run, so no
        // later retry can come, and nothing needs waiting out.
        Assert.DoesNotContain(ConnectionState.Reconnecting, states);
        Assert.Equal(ConnectionState.Closed, client.State);
        await server.WaitForConnectionCountAsync(0);
    }

    [Theory]
    [InlineData(SwitchboardTransport.WebSocket)]
    [InlineData(SwitchboardTransport.LongPolling)]
    public async Task Try_again_later_is_retried_after_its_delay_not_at_once(SwitchboardTransport transport)
    {
        var received = new ConcurrentQueue<int>();
        var opened = new ConcurrentQueue<long>(); // Stopwatch timestamps of the connections the server saw open
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog)
            .OnConnected(_ =>
            {
                opened.Enqueue(System.Diagnostics.Stopwatch.GetTimestamp());
                return ValueTask.CompletedTask;
            })
            .On<Route>((_, route) =>
            {
                received.Enqueue(route.Seq);
                return ValueTask.CompletedTask;
            });
        var limits = new EndpointOptions { MessageRate = new RateLimit(perSecond: 1, burst: 5), TimeProvider = new ManualClock() };
        await using var server = new TestServer(null, s => s.Map("/typed", endpoint, limits));

        var delay = TimeSpan.FromMilliseconds(500);
        var events = new ConcurrentQueue<(ConnectionStateChangedEventArgs Change, long At)>();
        await using var client = new SwitchboardClient(server.Uri("/typed"), SwitchboardMessages.Catalog, new SwitchboardClientOptions
        {
            Transport = transport,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(10),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(50),
            TryAgainLaterDelay = delay,
        });
        client.StateChanged += (_, e) => events.Enqueue((e, System.Diagnostics.Stopwatch.GetTimestamp()));
        await client.ConnectAsync();

        // One message past the burst: the server closes with 1013, and the client comes back after the delay.
        for (var seq = 0; seq < 6; seq++) await client.SendAsync(new Route("r", null, seq));
        await WaitUntilAsync(() => opened.Count == 2 && client.State == ConnectionState.Connected);
        await client.SendAsync(new Route("r", null, 100));
        await WaitUntilAsync(() => received.Contains(100));

        Assert.Equal([0, 1, 2, 3, 4, 100], received);
        var changes = events.Select(e => e.Change).ToArray();
        Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Reconnecting, ConnectionState.Connected], changes.Select(c => c.Current));
        Assert.Equal(CloseCode.TryAgainLater, changes[2].CloseStatus);
        var lost = events.ElementAt(2).At;
        var back = opened.ElementAt(1);
        Assert.InRange(System.Diagnostics.Stopwatch.GetElapsedTime(lost, back), delay, TimeSpan.FromSeconds(10));
    }

    private static WebSocketServer StartServer(int port, ConcurrentQueue<int> received)
    {
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog).On<Route>((_, route) =>
        {
            received.Enqueue(route.Seq);
            return ValueTask.CompletedTask;
        });
        var server = new WebSocketServer(new WebSocketServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, port) });
        server.Map("/typed", endpoint);
        server.Start();
        return server;
    }

    private static Task WaitUntilAsync(Func<bool> condition, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(condition))] string what = "")
        => Eventually.TrueAsync(condition, what);
}
