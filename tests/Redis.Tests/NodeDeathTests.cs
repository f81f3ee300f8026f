using Switchboard.Server.Engines;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Redis.Tests;

[Collection(SharedRedis.Name)]
public sealed class NodeDeathTests(RedisServer redis)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_dead_nodes_connections_are_reaped_once_and_handed_to_exactly_one_survivor(bool engineClosed)
    {
        await using var cluster = new Cluster(redis.Configuration, lease: Lease);
        var nodes = await cluster.AddAsync(3);
        var dying = nodes[2];
        var ada = dying.Connection(1);
        var anon = dying.Connection(2);
        await dying.Endpoint.AddConnectionAsync(ada, default);
        await dying.Endpoint.AddConnectionAsync(anon, default);
        Assert.True(await dying.Endpoint.SetUserAsync(ada, null, "ada", unique: true, default));
        await dying.Endpoint.JoinAsync(ada, "ada", "room", default);
        await dying.Endpoint.JoinAsync(ada, "ada", "lobby", default);
        var survivor = nodes[0].Connection(1);
        await nodes[0].Endpoint.AddConnectionAsync(survivor, default);
        Assert.False(await nodes[0].Endpoint.SetUserAsync(survivor, null, "ada", unique: true, default));

        var died = Environment.TickCount64;
        if (engineClosed) await dying.Engine.DisposeAsync();
        else dying.Endpoint.StopLease();

        // Either survivor may reap, so the wait checks both (each pulses only its own changes).
        await Eventually.TrueAsync(() => nodes[0].Node.Lost.Count + nodes[1].Node.Lost.Count >= 2, "the dead node's connections handed over", TimeSpan.FromSeconds(10));
        var freedWithin = TimeSpan.FromMilliseconds(Environment.TickCount64 - died);
        Assert.True(freedWithin < Lease + Lease / 3 + TimeSpan.FromSeconds(2), $"reaped after {freedWithin}");

        // Exactly one survivor got them; a marker round through both shows nothing more comes.
        var reaper = nodes[0].Node.Lost.Count > 0 ? nodes[0] : nodes[1];
        var other = reaper == nodes[0] ? nodes[1] : nodes[0];
        Assert.Empty(other.Node.Lost);
        var lost = reaper.Node.Lost.OrderBy(c => c.ConnectionId).ToList();
        Assert.Equal(2, lost.Count);
        Assert.Equal(ada, lost[0].ConnectionId);
        Assert.Equal("ada", lost[0].User);
        Assert.Equal(["lobby", "room"], lost[0].Groups.Order(StringComparer.Ordinal));
        Assert.Equal(new ConnectionPresence(anon, null, []).ConnectionId, lost[1].ConnectionId);
        Assert.Null(lost[1].User);
        Assert.Empty(lost[1].Groups);

        Assert.Empty(await nodes[0].Endpoint.UsersAsync(default));
        Assert.Empty(await nodes[1].Endpoint.MembersAsync("room", default));
        Assert.True(await nodes[0].Endpoint.SetUserAsync(survivor, null, "ada", unique: true, default));

        // The survivors go on: a marker round reaches both, and nothing more was handed over meanwhile.
        await nodes[0].Endpoint.PublishAsync(MessageTarget.All(), Cluster.Message("marker", "1"), default);
        await Eventually.TrueAsync(() => nodes[0].Node.Deliveries.Count == 1 && nodes[1].Node.Deliveries.Count == 1, "marker delivered");
        Assert.Equal(2, nodes[0].Node.Lost.Count + nodes[1].Node.Lost.Count);
    }
}
