using System.Collections.Concurrent;
using Switchboard.Client;
using Switchboard.Messaging;
using Switchboard.Server.WebSockets;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Tests.Client;

/// <summary>
/// SwitchboardClient keeps a position per group from <c>switchboard.joined</c> notices and group messages, presents them
/// as <c>recover</c> parameters when it reconnects, and raises GroupJoined before the replay; against a scripted server
/// on loopback.
/// </summary>
public sealed class ClientRecoveryTests
{
    private static readonly SwitchboardClientOptions Fast = new()
    {
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(10),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(50),
    };

    private static string Joined(string group, string epoch, long offset, bool? recovered = null) =>
        "{\"type\":\"switchboard.joined\",\"data\":{\"group\":" + Json(group) + ",\"epoch\":\"" + epoch + "\",\"offset\":" + offset
        + (recovered is { } r ? ",\"recovered\":" + (r ? "true" : "false") : "") + "}}";

    private static string SaidIn(string group, long offset, string text) =>
        "{\"type\":\"room.said\",\"data\":{\"text\":\"" + text + "\"},\"group\":" + Json(group) + ",\"offset\":" + offset + "}";

    private static string Said(string text) => "{\"type\":\"room.said\",\"data\":{\"text\":\"" + text + "\"}}";

    private static string Json(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    /// <summary>A client whose GroupJoined events and delivered messages land in one log, in the order the client raised them.</summary>
    private static (SwitchboardClient Client, ConcurrentQueue<string> Log, Changes Changes) Open(ScriptedServer server, SwitchboardClientOptions? options = null)
    {
        var client = new SwitchboardClient(server.Uri, SwitchboardMessages.Catalog, options ?? Fast);
        var log = new ConcurrentQueue<string>();
        var changes = new Changes();
        client.GroupJoined += (_, e) =>
        {
            log.Enqueue($"joined {e.Group} {e.Epoch} {e.Offset} {e.Recovered?.ToString() ?? "null"}");
            changes.Pulse();
        };
        client.On<Said>(said =>
        {
            log.Enqueue($"said {said.Text}");
            changes.Pulse();
        });
        client.Error += (_, e) =>
        {
            log.Enqueue($"error {e.Kind} {e.MessageType}");
            changes.Pulse();
        };
        return (client, log, changes);
    }

    private static async Task SendAllAsync(WebSocketConnection connection, params string[] texts)
    {
        foreach (var text in texts) await connection.SendTextAsync(text);
    }

    [Fact]
    public async Task Reconnect_presents_every_position_held_with_the_group_escaped()
    {
        await using var server = new ScriptedServer();
        var (client, log, changes) = Open(server);
        await using var _ = client;
        await client.ConnectAsync();
        var first = await server.NextAsync();
        Assert.Equal("", first.Query); // nothing held, nothing seeded

        await SendAllAsync(first,
            Joined("room one/é", "e1", 5),
            SaidIn("room one/é", 6, "a"),
            Joined("b&c=d", "E-2_x", 0),
            SaidIn("b&c=d", 1, "b"),
            SaidIn("never-joined", 4, "c")); // no epoch known for it: no position
        await changes.UntilAsync(() => log.Count == 5, "the notices and messages of the first connection");
        Assert.Equal(new Dictionary<string, StreamPosition>
        {
            ["room one/é"] = new("e1", 6),
            ["b&c=d"] = new("E-2_x", 1),
        }, client.Positions);

        first.Abort();
        var second = await server.NextAsync();
        Assert.Equal(["recover=E-2_x:1:b%26c%3Dd", "recover=e1:6:room%20one%2F%C3%A9"], second.Query.Split('&').Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GroupJoined_comes_before_the_replay_with_recovered_null_then_true_then_false()
    {
        await using var server = new ScriptedServer();
        var (client, log, changes) = Open(server);
        await using var _ = client;
        await client.ConnectAsync();

        // A first join: no position presented, so recovered is absent; the last messages are replayed.
        var first = await server.NextAsync();
        await SendAllAsync(first, Joined("room", "ep", 3), SaidIn("room", 2, "2"), SaidIn("room", 3, "3"));
        await changes.UntilAsync(() => log.Count == 3, "the first join and its replay");
        Assert.Equal(new StreamPosition("ep", 3), client.Positions["room"]);
        first.Abort();

        // The position is covered: recovered true keeps the client's offset, and the missed messages follow.
        var second = await server.NextAsync();
        Assert.Equal("recover=ep:3:room", second.Query);
        await SendAllAsync(second, Joined("room", "ep", 5, recovered: true));
        await changes.UntilAsync(() => log.Count == 4, "the recovered notice");
        Assert.Equal(new StreamPosition("ep", 3), client.Positions["room"]); // still where the client is, not the newest
        await SendAllAsync(second, SaidIn("room", 4, "4"), SaidIn("room", 5, "5"));
        await changes.UntilAsync(() => log.Count == 6, "the missed messages");
        Assert.Equal(new StreamPosition("ep", 5), client.Positions["room"]);
        await second.CloseAsync(CloseCode.GoingAway, "restart");

        // A new epoch: recovered false, the notice's offset is taken, and the app learns it before the replay.
        var third = await server.NextAsync();
        Assert.Equal("recover=ep:5:room", third.Query);
        await SendAllAsync(third, Joined("room", "other", 20, recovered: false), SaidIn("room", 19, "19"), SaidIn("room", 20, "20"));
        await changes.UntilAsync(() => log.Count == 9, "the unrecovered join and its replay");
        Assert.Equal(
            ["joined room ep 3 null", "said 2", "said 3", "joined room ep 5 True", "said 4", "said 5", "joined room other 20 False", "said 19", "said 20"],
            log);
        Assert.Equal(new StreamPosition("other", 20), client.Positions["room"]);
    }

    [Fact]
    public async Task Seeded_positions_are_presented_on_the_first_connect_and_Recover_false_presents_none()
    {
        await using var server = new ScriptedServer();
        var seed = new Dictionary<string, StreamPosition> { ["lobby"] = new("s1", 42) };
        var (seeded, _, _) = Open(server, new SwitchboardClientOptions { Positions = seed, ReconnectInitialDelay = TimeSpan.FromMilliseconds(10) });
        await using (seeded)
        {
            Assert.Equal(seed, seeded.Positions);
            await seeded.ConnectAsync();
            Assert.Equal("recover=s1:42:lobby", (await server.NextAsync()).Query);
        }

        var (off, log, changes) = Open(server, new SwitchboardClientOptions { Positions = seed, Recover = false, ReconnectInitialDelay = TimeSpan.FromMilliseconds(10) });
        await using (off)
        {
            await off.ConnectAsync();
            var first = await server.NextAsync();
            Assert.Equal("", first.Query);
            await SendAllAsync(first, Joined("room", "ep", 7), SaidIn("room", 8, "8"));
            await changes.UntilAsync(() => log.Count == 2, "the join and a message");
            Assert.Equal(new StreamPosition("ep", 8), off.Positions["room"]); // kept, only not sent
            first.Abort();
            Assert.Equal("", (await server.NextAsync()).Query);
        }
    }

    [Fact]
    public async Task Unknown_notices_are_ignored_and_a_malformed_joined_notice_is_an_error()
    {
        await using var server = new ScriptedServer();
        var (client, log, changes) = Open(server);
        await using var _ = client;
        await client.ConnectAsync();
        var connection = await server.NextAsync();
        await SendAllAsync(connection,
            """{"type":"switchboard.something-new","data":{"x":1}}""",
            """{"type":"switchboard.joined","data":{"group":"room","epoch":"has:colon","offset":1}}""",
            """{"type":"switchboard.joined","data":{"group":"room","epoch":"ep"}}""",
            Said("marker"));
        await changes.UntilAsync(() => log.Contains("said marker"), "the marker after the notices");
        Assert.Equal(["error InvalidMessage switchboard.joined", "error InvalidMessage switchboard.joined", "said marker"], log);
        Assert.Empty(client.Positions);
    }

    [Fact]
    public async Task A_group_message_moves_the_position_even_without_a_handler_and_a_bad_position_is_a_malformed_envelope()
    {
        await using var server = new ScriptedServer();
        var (client, log, changes) = Open(server);
        await using var _ = client;
        await client.ConnectAsync();
        var connection = await server.NextAsync();
        await SendAllAsync(connection,
            Joined("room", "ep", 1),
            """{"type":"room.other","data":{},"group":"room","offset":2}""",
            """{"type":"room.said","data":{"text":"x"},"group":"room","offset":"3"}""",
            Said("marker"));
        await changes.UntilAsync(() => log.Contains("said marker"), "the marker");
        Assert.Equal(["joined room ep 1 null", "error UnknownType room.other", "error MalformedEnvelope ", "said marker"], log);
        Assert.Equal(new StreamPosition("ep", 2), client.Positions["room"]);
    }

    [Fact]
    public async Task Long_polling_presents_the_positions_on_the_open_of_a_reconnect_only()
    {
        await using var server = new ScriptedLongPolling();
        var received = new ConcurrentQueue<string>();
        var changes = new Changes();
        await using var client = new SwitchboardClient(server.Uri, SwitchboardMessages.Catalog, new SwitchboardClientOptions
        {
            Transport = SwitchboardTransport.LongPolling,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(10),
        });
        client.GroupJoined += (_, e) =>
        {
            received.Enqueue($"joined {e.Group} {e.Recovered?.ToString() ?? "null"}");
            changes.Pulse();
        };
        client.On<Said>(said =>
        {
            received.Enqueue($"said {said.Text}");
            changes.Pulse();
        });
        await client.ConnectAsync();

        var (first, query) = await server.NextOpenAsync();
        Assert.Equal("transport=longpolling", query);
        server.Answer(first, 1, [Joined("a b", "ep", 4), SaidIn("a b", 5, "5")], close: """{"code":1012,"reason":"restart"}""");
        await changes.UntilAsync(() => received.Count == 2, "the notice and the message of the first session");

        var (second, reconnect) = await server.NextOpenAsync();
        Assert.Equal("transport=longpolling&recover=ep:5:a%20b", reconnect);
        server.Answer(second, 1, [Joined("a b", "ep", 6, recovered: true), SaidIn("a b", 6, "6")]);
        await changes.UntilAsync(() => received.Count == 4, "the recovered join and the missed message");
        await client.SendAsync(new Said("out"));
        await Eventually.TrueAsync(() => server.OtherQueries.Any(q => q.Contains("seq=", StringComparison.Ordinal)), "the send");

        Assert.Equal(["joined a b null", "said 5", "joined a b True", "said 6"], received);
        Assert.Equal(new StreamPosition("ep", 6), client.Positions["a b"]);
        Assert.DoesNotContain(server.OtherQueries, q => q.Contains("recover", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", 1)]
    [InlineData("has:colon", 1)]
    [InlineData("ok", -1)]
    public void A_seed_the_server_would_refuse_is_refused_naming_the_group(string epoch, long offset)
    {
        var options = new SwitchboardClientOptions { Positions = new Dictionary<string, StreamPosition> { ["the-room"] = new(epoch, offset) } };
        var error = Assert.Throws<ArgumentException>(() => new SwitchboardClient(new Uri("ws://127.0.0.1:1/x"), SwitchboardMessages.Catalog, options));
        Assert.Contains("options.Positions[\"the-room\"]", error.Message, StringComparison.Ordinal);
    }
}
