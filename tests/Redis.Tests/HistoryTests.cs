using Switchboard.Messaging;
using Switchboard.Server.Engines;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Redis.Tests;

[Collection(SharedRedis.Name)]
public sealed class HistoryTests(RedisServer redis)
{
    private static readonly GroupHistory Room = new() { MaxLength = 3, MaxAge = TimeSpan.FromMinutes(5) };

    private static Func<string, GroupHistory?> RoomOnly => group => group == "room" ? Room : null;

    [Fact]
    public async Task Group_messages_get_offsets_from_one_in_delivery_order_on_every_node()
    {
        await using var cluster = new Cluster(redis.Configuration, RoomOnly);
        var nodes = await cluster.AddAsync(2);
        var offsets = new List<long>();
        for (var i = 1; i <= 5; i++)
        {
            offsets.Add(await nodes[i % 2].Endpoint.PublishAsync(MessageTarget.Group("room"), Cluster.Message("m", i.ToString()), CancellationToken.None));
        }
        Assert.Equal([1, 2, 3, 4, 5], offsets);
        Assert.Equal(0, await nodes[0].Endpoint.PublishAsync(MessageTarget.Group("lobby"), Cluster.Message("m", "0"), CancellationToken.None));
        foreach (var node in nodes)
        {
            await node.Node.Changes.UntilAsync(() => node.Node.Deliveries.Count == 6, "six deliveries");
            Assert.Equal([1, 2, 3, 4, 5, 0], node.Node.Deliveries.Select(d => d.Offset));
            Assert.Equal("""{"type":"m","data":3}""", node.Node.Deliveries[2].Envelope);
        }
    }

    [Fact]
    public async Task A_read_recovers_what_the_history_still_holds_and_says_false_past_a_trim_or_another_epoch()
    {
        await using var cluster = new Cluster(redis.Configuration, RoomOnly);
        var node = await cluster.AddAsync();
        var empty = await node.Endpoint.ReadHistoryAsync("room", null, 10, CancellationToken.None);
        Assert.Equal(0, empty.Top.Offset);
        Assert.Null(empty.Recovered);
        Assert.Empty(empty.Messages);
        var epoch = empty.Top.Epoch;
        Assert.Matches("^[A-Za-z0-9_-]{1,64}$", epoch);

        for (var i = 1; i <= 5; i++) await node.Endpoint.PublishAsync(MessageTarget.Group("room"), Cluster.Message("m", i.ToString()), CancellationToken.None);

        var last = await node.Endpoint.ReadHistoryAsync("room", null, 2, CancellationToken.None);
        Assert.Equal(new StreamPosition(epoch, 5), last.Top);
        Assert.Null(last.Recovered);
        Assert.Equal([4, 5], last.Messages.Select(m => m.Offset));
        Assert.Equal("m", last.Messages[0].Type);
        Assert.Equal("""{"type":"m","data":4}""", System.Text.Encoding.UTF8.GetString(last.Messages[0].Envelope.Span));

        // MaxLength 3 keeps 3, 4, 5: a client at 2 misses nothing; one at 1 missed 2.
        var fromTwo = await node.Endpoint.ReadHistoryAsync("room", new StreamPosition(epoch, 2), 1, CancellationToken.None);
        Assert.True(fromTwo.Recovered);
        Assert.Equal([3, 4, 5], fromTwo.Messages.Select(m => m.Offset));
        var fromOne = await node.Endpoint.ReadHistoryAsync("room", new StreamPosition(epoch, 1), 1, CancellationToken.None);
        Assert.False(fromOne.Recovered);
        Assert.Equal([5], fromOne.Messages.Select(m => m.Offset));
        var atTop = await node.Endpoint.ReadHistoryAsync("room", new StreamPosition(epoch, 5), 3, CancellationToken.None);
        Assert.True(atTop.Recovered);
        Assert.Empty(atTop.Messages);

        var otherEpoch = await node.Endpoint.ReadHistoryAsync("room", new StreamPosition("elsewhere", 4), 2, CancellationToken.None);
        Assert.False(otherEpoch.Recovered);
        Assert.Equal([4, 5], otherEpoch.Messages.Select(m => m.Offset));
        var ahead = await node.Endpoint.ReadHistoryAsync("room", new StreamPosition(epoch, 9), 0, CancellationToken.None);
        Assert.False(ahead.Recovered);
        Assert.Empty(ahead.Messages);
    }

    [Fact]
    public async Task Messages_older_than_MaxAge_leave_the_history_and_a_history_silent_past_it_starts_a_new_epoch()
    {
        var clock = new ManualClock();
        var history = new GroupHistory { MaxLength = 100, MaxAge = TimeSpan.FromMinutes(1) };
        await using var cluster = new Cluster(redis.Configuration, _ => history, clock: clock);
        var node = await cluster.AddAsync();
        await node.Endpoint.PublishAsync(MessageTarget.Group("room"), Cluster.Message("m", "1"), CancellationToken.None);
        await node.Endpoint.PublishAsync(MessageTarget.Group("room"), Cluster.Message("m", "2"), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(45));
        await node.Endpoint.PublishAsync(MessageTarget.Group("room"), Cluster.Message("m", "3"), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(30));

        var read = await node.Endpoint.ReadHistoryAsync("room", null, 10, CancellationToken.None);
        Assert.Equal(3, read.Top.Offset);
        Assert.Equal([3], read.Messages.Select(m => m.Offset));
        var behind = await node.Endpoint.ReadHistoryAsync("room", new StreamPosition(read.Top.Epoch, 1), 10, CancellationToken.None);
        Assert.False(behind.Recovered);
        var caughtUp = await node.Endpoint.ReadHistoryAsync("room", new StreamPosition(read.Top.Epoch, 2), 10, CancellationToken.None);
        Assert.True(caughtUp.Recovered);
        Assert.Equal([3], caughtUp.Messages.Select(m => m.Offset));
    }

    [Fact]
    public async Task A_history_whose_keys_vanished_starts_over_with_a_new_epoch()
    {
        var history = new GroupHistory { MaxLength = 100, MaxAge = TimeSpan.FromMilliseconds(400) };
        await using var cluster = new Cluster(redis.Configuration, _ => history);
        var node = await cluster.AddAsync();
        await node.Endpoint.PublishAsync(MessageTarget.Group("room"), Cluster.Message("m", "1"), CancellationToken.None);
        var before = await node.Endpoint.ReadHistoryAsync("room", null, 10, CancellationToken.None);
        Assert.Equal(1, before.Top.Offset);

        // The keys expire after MaxAge of silence; a read keeps them alive, so wait on the stream's own existence.
        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var meta = $"{cluster.Prefix}:{{chat}}:history-meta:room";
        await Switchboard.Testing.Eventually.TrueAsync(() => !connection.GetDatabase().KeyExists(meta), "the history's keys expired");

        Assert.Equal(1, await node.Endpoint.PublishAsync(MessageTarget.Group("room"), Cluster.Message("m", "again"), CancellationToken.None));
        var after = await node.Endpoint.ReadHistoryAsync("room", before.Top, 10, CancellationToken.None);
        Assert.NotEqual(before.Top.Epoch, after.Top.Epoch);
        Assert.False(after.Recovered);
        Assert.Equal([1], after.Messages.Select(m => m.Offset));
    }
}
