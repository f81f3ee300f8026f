using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Switchboard.Server.Engines;
using Xunit;

namespace Switchboard.Server.Tests.Engines;

/// <summary>
/// Group history with offsets and recovery (docs/protocol.md, "History and recovery") over the in-memory engine, read
/// off the wire by raw WebSocket and long-polling clients: the joined notice, the replay, live messages after it, and
/// the <c>recover</c> query parameter.
/// </summary>
public sealed class HistoryRecoveryTests : IAsyncLifetime
{
    private const int Replayed = 3;

    private readonly UtcClock _clock = new();
    private readonly MessageEndpoint _endpoint;
    private readonly ConcurrentDictionary<string, GroupJoin> _joins = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private TestServer _server = null!;

    public HistoryRecoveryTests()
    {
        _endpoint = new MessageEndpoint(SwitchboardMessages.Catalog, null, _clock)
        {
            // The in-memory engine, its history reads slowed to a store's pace so live messages race every join.
            Engine = new NodeEngine(0, TimeSpan.FromMilliseconds(2)),
            History = group => group switch
            {
                "room" => new GroupHistory { MaxLength = 5, MaxAge = TimeSpan.FromMinutes(1) },
                "flood" => new GroupHistory { MaxLength = 100_000 },
                _ => null,
            },
        };
    }

    public Task InitializeAsync()
    {
        _endpoint.OnConnected(async context =>
        {
            _joins[context.RouteValues["name"]] = await context.JoinGroupAsync(context.RouteValues["group"], history: Replayed);
        });
        _server = new TestServer(new WebSocketServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 0),
            LongPolling = new LongPollingOptions { Enabled = true, HoldTime = TimeSpan.FromMilliseconds(200) },
        }, ("/ws/{group}/{name}", _endpoint));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_first_join_gets_the_notice_without_recovered_then_the_last_messages_then_live_ones()
    {
        await PublishAsync("room", 1, 4);
        using var client = await ConnectAsync("room", "ann");

        var (group, epoch, top, recovered) = (await client.NextAsync()).Joined();
        Assert.Equal(("room", 4L, (bool?)null), (group, top, recovered));
        Assert.Matches("^[A-Za-z0-9_-]{1,64}$", epoch);
        foreach (var expected in new[] { 2, 3, 4 })
        {
            var message = await client.NextAsync();
            Assert.Equal(("test.note", "room", (long)expected, expected), (message.Type(), message.Group(), message.Offset(), message.Seq()));
        }
        await PublishAsync("room", 5, 5);
        Assert.Equal(5, (await client.NextAsync()).Offset());
        Assert.Equal(new GroupJoin(null, new Switchboard.Messaging.StreamPosition(epoch, 4)), _joins["ann"]);
    }

    [Fact]
    public async Task A_reconnect_with_its_position_gets_exactly_what_it_missed_then_live_ones()
    {
        string epoch;
        using (var first = await ConnectAsync("room", "bea"))
        {
            epoch = (await first.NextAsync()).Joined().Epoch;
            await PublishAsync("room", 1, 2);
            Assert.Equal(1, (await first.NextAsync()).Offset());
            Assert.Equal(2, (await first.NextAsync()).Offset());
            await first.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        await PublishAsync("room", 3, 4);

        using var again = await ConnectAsync("room", "bea", $"recover={epoch}:2:room");
        Assert.Equal(("room", epoch, 4L, (bool?)true), (await again.NextAsync()).Joined());
        Assert.Equal(3, (await again.NextAsync()).Offset());
        Assert.Equal(4, (await again.NextAsync()).Offset());
        await PublishAsync("room", 5, 5);
        Assert.Equal(5, (await again.NextAsync()).Offset());
        Assert.Equal(true, _joins["bea"].Recovered);
    }

    [Fact]
    public async Task A_position_of_another_epoch_is_not_recovered_and_the_last_messages_follow()
    {
        await PublishAsync("room", 1, 4);
        using var client = await ConnectAsync("room", "cal", "recover=elsewhere:2:room");
        var notice = (await client.NextAsync()).Joined();
        Assert.Equal((4L, (bool?)false), (notice.Offset, notice.Recovered));
        foreach (var expected in new[] { 2L, 3L, 4L }) Assert.Equal(expected, (await client.NextAsync()).Offset());
        Assert.Equal(false, _joins["cal"].Recovered);
    }

    [Fact]
    public async Task A_position_trimmed_out_of_the_history_is_not_recovered()
    {
        var epoch = await EpochAsync("room");
        await PublishAsync("room", 1, 9); // MaxLength 5: offsets 5 to 9 are left
        using var client = await ConnectAsync("room", "dee", $"recover={epoch}:3:room");
        Assert.Equal(("room", epoch, 9L, (bool?)false), (await client.NextAsync()).Joined());
        Assert.Equal(7, (await client.NextAsync()).Offset());

        using var kept = await ConnectAsync("room", "dan", $"recover={epoch}:4:room"); // offset 5 onwards is all there
        Assert.Equal(true, (await kept.NextAsync()).Joined().Recovered);
        Assert.Equal(5, (await kept.NextAsync()).Offset());
    }

    [Fact]
    public async Task Messages_older_than_MaxAge_leave_the_history()
    {
        var epoch = await EpochAsync("room");
        await PublishAsync("room", 1, 2);
        _clock.Advance(TimeSpan.FromMinutes(2));
        await PublishAsync("room", 3, 3);

        using var fresh = await ConnectAsync("room", "eve");
        Assert.Equal(3, (await fresh.NextAsync()).Joined().Offset);
        Assert.Equal(3, (await fresh.NextAsync()).Offset()); // the only one left of the last three
        using var behind = await ConnectAsync("room", "eli", $"recover={epoch}:1:room");
        Assert.Equal(false, (await behind.NextAsync()).Joined().Recovered);
        await PublishAsync("room", 4, 4);
        Assert.Equal(3, (await behind.NextAsync()).Offset());
        Assert.Equal(4, (await behind.NextAsync()).Offset());
        Assert.Equal(4, (await fresh.NextAsync()).Offset());
    }

    [Fact]
    public async Task A_group_without_history_has_no_notice_and_no_position()
    {
        using var client = await ConnectAsync("plain", "fay");
        await _endpoint.Group("plain").SendAsync(new Note("p", 1));
        var message = await client.NextAsync();
        Assert.Equal(("test.note", (string?)null), (message.Type(), message.Group()));
        Assert.False(message.TryGetProperty("offset", out _));
        Assert.Equal(new GroupJoin(null, null), _joins["fay"]);
    }

    [Fact]
    public async Task A_group_name_is_escaped_where_it_is_spliced()
    {
        // An endpoint where every group keeps history, so a name with quotes and a backslash is spliced.
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog) { History = _ => new GroupHistory() };
        endpoint.OnConnected(async c => await c.JoinGroupAsync("a \"quoted\" \\ room"));
        await using var server = new TestServer(null, ("/q", endpoint));
        using var client = new WireReader(await server.ConnectAsync("/q"));
        Assert.Equal("a \"quoted\" \\ room", (await client.NextAsync()).Joined().Group);
        await endpoint.Group("a \"quoted\" \\ room").SendAsync(new Note("p", 1));
        var message = await client.NextAsync();
        Assert.Equal(("a \"quoted\" \\ room", 1L), (message.Group(), message.Offset()));
    }

    [Fact]
    public async Task Long_polling_recovers_from_the_position_in_its_open_request()
    {
        var epoch = await EpochAsync("room");
        await PublishAsync("room", 1, 3);
        var session = await OpenLongPollAsync("gus", $"recover={Uri.EscapeDataString($"{epoch}:1:room")}");
        var messages = await PollAsync("gus", session, 3);
        Assert.Equal(("room", epoch, 3L, (bool?)true), messages[0].Joined());
        Assert.Equal([2L, 3L], messages.Skip(1).Select(m => m.Offset()));
    }

    [Theory]
    [InlineData("recover=nocolon")]
    [InlineData("recover=ep:12")]
    [InlineData("recover=ep:12:")]
    [InlineData("recover=:12:room")]
    [InlineData("recover=e.p:12:room")]
    [InlineData("recover=ep:-1:room")]
    [InlineData("recover=ep:1x:room")]
    public async Task A_malformed_recover_parameter_is_refused_with_400_over_both_transports(string query)
    {
        using var upgrade = new ClientWebSocket();
        upgrade.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => upgrade.ConnectAsync(_server.Uri($"/ws/room/hal?{query}"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.BadRequest, upgrade.HttpStatusCode);

        using var open = await _http.PostAsync(LongPollUri("hal", $"transport=longpolling&{query}"), null);
        Assert.Equal(HttpStatusCode.BadRequest, open.StatusCode);
        Assert.Contains("'recover'", await open.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("hal", _joins.Keys);
    }

    [Fact]
    public async Task More_than_32_positions_are_refused_with_400_and_32_are_taken()
    {
        var positions = string.Join('&', Enumerable.Range(0, 33).Select(i => $"recover=ep:1:g{i}"));
        using var open = await _http.PostAsync(LongPollUri("ida", $"transport=longpolling&{positions}"), null);
        Assert.Equal(HttpStatusCode.BadRequest, open.StatusCode);
        Assert.Contains("more than 32 'recover'", await open.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var client = await ConnectAsync("room", "ida", string.Join('&', Enumerable.Range(1, 32).Select(i => $"recover=ep:1:g{i}")));
        Assert.Null((await client.NextAsync()).Joined().Recovered); // none of them is this group's
    }

    [Fact]
    public async Task Clients_joining_and_recovering_under_a_flooding_publisher_see_every_offset_once_in_order()
    {
        const int Clients = 4, Rounds = 6;
        var epoch = await EpochAsync("flood");
        var published = 0;
        using var stop = new CancellationTokenSource();
        // The publisher floods until every client has joined and recovered a few times while it was at it, or it has
        // published half of what the group's history keeps (so every position stays recoverable).
        var publishing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && published < 50_000)
            {
                await _endpoint.Group("flood").SendAsync(new Note("p", published + 1));
                if (++published % 64 == 0) await Task.Yield();
            }
        });
        var following = Enumerable.Range(0, Clients).Select(i => Task.Run(() => FollowAsync($"f{i}", i))).ToArray();
        await Task.WhenAll(following);
        await stop.CancelAsync();
        await publishing;
        Assert.True(published > 0);
        foreach (var follower in following) await (await follower).FinishAsync(published);

        async Task<Follower> FollowAsync(string name, int seed)
        {
            var follower = new Follower(this, name, epoch, new Random(seed));
            for (var round = 0; round < Rounds; round++) await follower.RoundAsync(reads: follower.Random.Next(1, 200));
            return follower;
        }
    }

    /// <summary>One client of the flood: it reads some, drops its connection, and comes back with its position.</summary>
    private sealed class Follower(HistoryRecoveryTests test, string name, string epoch, Random random)
    {
        private long _last; // the last offset seen
        private bool _joined;

        public Random Random { get; } = random;

        public async Task RoundAsync(int reads, long until = long.MaxValue)
        {
            using var client = await test.ConnectAsync("flood", name, _joined ? $"recover={epoch}:{_last}:flood" : null);
            var notice = (await client.NextAsync()).Joined();
            Assert.Equal(epoch, notice.Epoch);
            if (_joined) Assert.True(notice.Recovered, $"{name} recovers from {_last}");
            // A first join's replay starts where it may; from then on, and after a recovery, nothing is skipped.
            long? expected = _joined ? _last + 1 : null;
            _joined = true;
            for (var i = 0; i < reads && _last < until; i++)
            {
                var offset = (await client.NextAsync()).Offset();
                if (expected is { } next) Assert.Equal(next, offset);
                Assert.True(offset > _last, $"{name}: offset {offset} after {_last}");
                _last = offset;
                expected = offset + 1;
            }
            client.Socket.Abort();
        }

        /// <summary>Comes back once more and reads up to the publisher's last offset.</summary>
        public Task FinishAsync(long last) => _last >= last ? Task.CompletedTask : RoundAsync(int.MaxValue, last);
    }

    private async Task<string> EpochAsync(string group)
    {
        using var probe = await ConnectAsync(group, $"probe-{Guid.NewGuid():N}");
        return (await probe.NextAsync()).Joined().Epoch;
    }

    private async Task PublishAsync(string group, int from, int to)
    {
        for (var seq = from; seq <= to; seq++) await _endpoint.Group(group).SendAsync(new Note("p", seq));
    }

    private async Task<WireReader> ConnectAsync(string group, string name, string? query = null)
        => new(await _server.ConnectAsync($"/ws/{group}/{name}" + (query is null ? "" : "?" + query)));

    private Uri LongPollUri(string name, string query) => new($"http://127.0.0.1:{_server.Server.LocalEndPoint.Port}/ws/room/{name}?{query}");

    private async Task<string> OpenLongPollAsync(string name, string query)
    {
        using var response = await _http.PostAsync(LongPollUri(name, "transport=longpolling&" + query), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("session").GetString()!;
    }

    /// <summary>Polls until <paramref name="count"/> envelopes have come (bounded).</summary>
    private async Task<List<JsonElement>> PollAsync(string name, string session, int count)
    {
        var messages = new List<JsonElement>();
        long ack = 0;
        for (var attempt = 0; attempt < 50 && messages.Count < count; attempt++)
        {
            using var response = await _http.GetAsync(LongPollUri(name, $"session={session}&ack={ack}"));
            if (response.StatusCode == HttpStatusCode.NoContent) continue;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            ack = json.RootElement.GetProperty("seq").GetInt64();
            messages.AddRange(json.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.Clone()));
        }
        Assert.True(messages.Count >= count, $"{messages.Count} of {count} messages");
        return messages;
    }
}
