using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Switchboard.Server.Diagnostics;
using Switchboard.Server.Messaging;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// Per-connection inbound rate limits of a typed endpoint (<see cref="EndpointOptions.MessageRate"/>,
/// <see cref="EndpointOptions.ByteRate"/>) over real loopback connections of both transports: a flood is cut at the
/// burst with 1013 and counted, a connection within its rate is never closed. The clock is a <see cref="ManualClock"/>,
/// so what the buckets hold is exact.
/// </summary>
public sealed class RateLimitTests
{
    private const int Flood = 1000;

    [Fact]
    public async Task A_WebSocket_flood_is_cut_at_the_burst_with_1013_and_counted()
    {
        await using var room = new Room(new EndpointOptions { MessageRate = new RateLimit(perSecond: 1, burst: 10), TimeProvider = new ManualClock() });
        using var metrics = new LimitMetrics(room.Server.Server);
        using var client = await room.Server.ConnectAsync("/room/spammer");

        // As the attack did: sends as fast as the socket takes them, without waiting for anything.
        var flooding = FloodAsync(client, Flood, seq => Route("spam", seq));
        var close = await ReceiveCloseAsync(client);
        await flooding;
        await AnswerCloseAsync(client);

        Assert.Equal((WebSocketCloseStatus)1013, close.Status);
        Assert.StartsWith("message rate limit", close.Reason, StringComparison.Ordinal);
        Assert.Equal(10, room.Handled);
        Assert.Equal(1, metrics[ServerLimit.MessageRate]);
        Assert.Equal(0, metrics[ServerLimit.ByteRate]);
    }

    [Fact]
    public async Task A_WebSocket_connection_over_its_byte_rate_is_closed_with_1013()
    {
        await using var room = new Room(new EndpointOptions { ByteRate = new RateLimit(perSecond: 1, burst: 1000), TimeProvider = new ManualClock() });
        using var metrics = new LimitMetrics(room.Server.Server);
        using var client = await room.Server.ConnectAsync("/room/big");

        // About 370 bytes each: two fit in the 1000-byte burst, the third does not.
        var flooding = FloodAsync(client, 20, seq => Route("big", seq, new string('x', 300)));
        var close = await ReceiveCloseAsync(client);
        await flooding;
        await AnswerCloseAsync(client);

        Assert.Equal((WebSocketCloseStatus)1013, close.Status);
        Assert.StartsWith("byte rate limit", close.Reason, StringComparison.Ordinal);
        Assert.Equal(2, room.Handled);
        Assert.Equal(1, metrics[ServerLimit.ByteRate]);
        Assert.Equal(0, metrics[ServerLimit.MessageRate]);
    }

    [Fact]
    public async Task A_connection_within_its_rate_is_never_closed_and_the_bucket_refills_with_time()
    {
        var clock = new ManualClock();
        await using var room = new Room(new EndpointOptions { MessageRate = new RateLimit(perSecond: 2, burst: 3), TimeProvider = clock });
        using var metrics = new LimitMetrics(room.Server.Server);
        using var client = await room.Server.ConnectAsync("/room/person");

        // The burst, answered one by one; then a second later the two messages it refilled.
        for (var seq = 0; seq < 3; seq++)
        {
            await client.SendTextAsync(Route("echo", seq));
            Assert.Contains($"\"seq\":{seq}", await client.ReceiveTextAsync(), StringComparison.Ordinal);
        }
        clock.Advance(TimeSpan.FromSeconds(1));
        for (var seq = 3; seq < 5; seq++)
        {
            await client.SendTextAsync(Route("echo", seq));
            Assert.Contains($"\"seq\":{seq}", await client.ReceiveTextAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(WebSocketState.Open, client.State);
        Assert.Equal(0, metrics[ServerLimit.MessageRate]);

        // The bucket is empty now: one more is over the limit.
        await client.SendTextAsync(Route("echo", 5));
        var close = await ReceiveCloseAsync(client);
        await AnswerCloseAsync(client);
        Assert.Equal((WebSocketCloseStatus)1013, close.Status);
        Assert.Equal(5, room.Handled);
        Assert.Equal(1, metrics[ServerLimit.MessageRate]);
    }

    [Fact]
    public async Task A_long_polling_flood_is_cut_at_the_burst_with_1013_and_counted()
    {
        await using var room = new Room(new EndpointOptions { MessageRate = new RateLimit(perSecond: 1, burst: 10), TimeProvider = new ManualClock() });
        using var metrics = new LimitMetrics(room.Server.Server);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var url = $"http://127.0.0.1:{room.Server.Server.LocalEndPoint.Port}/room/spammer";

        using var opened = await http.PostAsync($"{url}?transport=longpolling", null);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        var session = JsonDocument.Parse(await opened.Content.ReadAsStringAsync()).RootElement.GetProperty("session").GetString();

        // Two sends of 100 envelopes each (the most one send may carry) (one HTTP request each), as a scripted client would post them.
        for (var send = 0; send < 2; send++)
        {
            var body = "[" + string.Join(',', Enumerable.Range(send * 100, 100).Select(seq => Route("spam", seq))) + "]";
            using var content = new StringContent(body, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var posted = await http.PostAsync($"{url}?session={session}&seq={(send * 100) + 1}", content);
            Assert.Equal(HttpStatusCode.NoContent, posted.StatusCode);
        }

        using var poll = await http.GetAsync($"{url}?session={session}&ack=0");
        Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
        var close = JsonDocument.Parse(await poll.Content.ReadAsStringAsync()).RootElement.GetProperty("close");
        Assert.Equal(1013, close.GetProperty("code").GetInt32());
        Assert.StartsWith("message rate limit", close.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(10, room.Handled);
        Assert.Equal(CloseCode.TryAgainLater, (await room.Ended.Task.WaitAsync(TimeSpan.FromSeconds(10))).Status);
        Assert.Equal(1, metrics[ServerLimit.MessageRate]);
    }

    [Fact]
    public void Buckets_start_full_refill_by_the_clock_up_to_the_burst_and_stay_shut_once_over()
    {
        var clock = new ManualClock();
        var limits = new InboundRateLimits(
            new EndpointOptions { MessageRate = new RateLimit(4, 2), ByteRate = new RateLimit(100, 300), TimeProvider = clock },
            new LimitReporter(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, new ServerMetrics()));

        var bucket = limits.NewConnection();
        Assert.Equal(RateVerdict.Allowed, bucket.Take(100));
        Assert.Equal(RateVerdict.Allowed, bucket.Take(100));
        clock.Advance(TimeSpan.FromMilliseconds(250)); // one message and 25 bytes back
        Assert.Equal(RateVerdict.Allowed, bucket.Take(125));
        clock.Advance(TimeSpan.FromHours(1)); // full again, but no fuller than the burst
        Assert.Equal(RateVerdict.Allowed, bucket.Take(1));
        Assert.Equal(RateVerdict.Allowed, bucket.Take(1));
        Assert.Equal(RateVerdict.OverMessageRate, bucket.Take(1));
        Assert.Equal(RateVerdict.Dropped, bucket.Take(1));
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(RateVerdict.Dropped, bucket.Take(1));

        var bytes = limits.NewConnection();
        Assert.Equal(RateVerdict.OverByteRate, bytes.Take(301)); // larger than the burst: never fits
    }

    [Fact]
    public async Task Rate_limits_are_refused_for_plain_handlers_and_for_an_endpoint_mapped_with_other_limits()
    {
        await using var server = new WebSocketServer();
        var limited = new EndpointOptions { MessageRate = new RateLimit(10, 20) };
        Assert.Throws<ArgumentException>(() => server.Map("/raw", new RecordingEchoHandler(), limited));

        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog);
        server.Map("/a", endpoint, limited);
        server.Map("/b", endpoint, new EndpointOptions { MessageRate = new RateLimit(10, 20) }); // the same limits
        server.Map("/c", endpoint); // no limits of its own: the endpoint's apply
        Assert.Throws<InvalidOperationException>(() => server.Map("/d", endpoint, new EndpointOptions { MessageRate = new RateLimit(10, 21) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimit(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimit(1, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimit(double.PositiveInfinity, 1));
    }

    private static string Route(string target, int seq, string? name = null)
        => JsonSerializer.Serialize(new { type = "test.route", data = new { target, name, seq } });

    /// <summary>Sends <paramref name="count"/> messages without waiting for answers; stops quietly once the server has closed.</summary>
    private static async Task FloodAsync(ClientWebSocket client, int count, Func<int, string> message)
    {
        try
        {
            for (var seq = 0; seq < count; seq++) await client.SendTextAsync(message(seq));
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The server dropped the connection after its close: the rest of the flood has nowhere to go.
        }
    }

    /// <summary>Completes the closing handshake the server started.</summary>
    private static async Task AnswerCloseAsync(ClientWebSocket client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        if (client.State == WebSocketState.CloseReceived) await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
    }

    /// <summary>Reads (and skips messages) until the server's close frame.</summary>
    private static async Task<(WebSocketCloseStatus? Status, string? Reason)> ReceiveCloseAsync(ClientWebSocket client)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var result = await client.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType != WebSocketMessageType.Close) continue;
            return (client.CloseStatus, client.CloseStatusDescription);
        }
    }

    /// <summary>A typed endpoint at <c>/room/{name}</c> that counts what it handles and answers "echo".</summary>
    private sealed class Room : IAsyncDisposable
    {
        private int _handled;

        public Room(EndpointOptions options)
        {
            var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog)
                .On<Route>((context, route) =>
                {
                    Interlocked.Increment(ref _handled);
                    return route.Target == "echo" ? context.SendAsync(new Note(route.Target, route.Seq)) : ValueTask.CompletedTask;
                })
                .OnDisconnected((context, status) =>
                {
                    Ended.TrySetResult((context.ConnectionId, status));
                    return ValueTask.CompletedTask;
                });
            Server = new TestServer(null, server => server.Map("/room/{name}", endpoint, options));
        }

        public TestServer Server { get; }

        public int Handled => Volatile.Read(ref _handled);

        public TaskCompletionSource<(long Id, CloseCode? Status)> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }
}
