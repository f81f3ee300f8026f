using Switchboard.Server.Engines;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Redis.Tests;

[Collection(SharedRedis.Name)]
public sealed class PresenceTests(RedisServer redis)
{
    [Fact]
    public async Task Users_and_group_members_agree_on_every_node()
    {
        await using var cluster = new Cluster(redis.Configuration);
        var nodes = await cluster.AddAsync(3);
        var ada = nodes[0].Connection(1);
        var bob = nodes[1].Connection(1);
        var anon = nodes[2].Connection(1);
        foreach (var (node, id) in new[] { (nodes[0], ada), (nodes[1], bob), (nodes[2], anon) }) await node.Endpoint.AddConnectionAsync(id, default);
        Assert.True(await nodes[0].Endpoint.SetUserAsync(ada, null, "ada", unique: false, default));
        Assert.True(await nodes[1].Endpoint.SetUserAsync(bob, null, "bob", unique: false, default));
        await nodes[0].Endpoint.JoinAsync(ada, "ada", "room", default);
        await nodes[1].Endpoint.JoinAsync(bob, "bob", "room", default);
        await nodes[2].Endpoint.JoinAsync(anon, null, "room", default);

        foreach (var node in nodes)
        {
            Assert.Equal(["ada", "bob"], await node.Endpoint.UsersAsync(default));
            Assert.True(await node.Endpoint.IsConnectedAsync("bob", default));
            Assert.False(await node.Endpoint.IsConnectedAsync("BOB", default));
            var members = await node.Endpoint.MembersAsync("room", default);
            Assert.Equal([new GroupMember(ada, "ada"), new GroupMember(bob, "bob"), new GroupMember(anon, null)], members.OrderBy(m => m.ConnectionId >> 40));
        }

        // A rename shows in the group; leaving and disconnecting take the connection out everywhere.
        Assert.True(await nodes[0].Endpoint.SetUserAsync(ada, "ada", "ada2", unique: false, default));
        await nodes[1].Endpoint.LeaveAsync(bob, "room", default);
        await nodes[2].Endpoint.RemoveConnectionAsync(new ConnectionPresence(anon, null, ["room"]), default);
        foreach (var node in nodes)
        {
            Assert.Equal(["ada2", "bob"], await node.Endpoint.UsersAsync(default));
            Assert.Equal([new GroupMember(ada, "ada2")], await node.Endpoint.MembersAsync("room", default));
        }
        await nodes[1].Endpoint.RemoveConnectionAsync(new ConnectionPresence(bob, "bob", []), default);
        Assert.False(await nodes[2].Endpoint.IsConnectedAsync("bob", default));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_unique_claim_raced_from_two_nodes_goes_to_exactly_one(bool ignoreCase)
    {
        await using var cluster = new Cluster(redis.Configuration, users: ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        var nodes = await cluster.AddAsync(2);
        for (var round = 0; round < 20; round++)
        {
            var a = nodes[0].Connection(100 + round);
            var b = nodes[1].Connection(100 + round);
            await nodes[0].Endpoint.AddConnectionAsync(a, default);
            await nodes[1].Endpoint.AddConnectionAsync(b, default);
            var name = $"user{round}";
            var claims = await Task.WhenAll(
                nodes[0].Endpoint.SetUserAsync(a, null, name, unique: true, default).AsTask(),
                nodes[1].Endpoint.SetUserAsync(b, null, ignoreCase ? name.ToUpperInvariant() : name, unique: true, default).AsTask());
            Assert.Single(claims, won => won);
            var users = await nodes[1].Endpoint.UsersAsync(default);
            Assert.Single(users, u => string.Equals(u, name, StringComparison.OrdinalIgnoreCase));

            // The holder may claim its own name again; once it leaves, the other may claim it.
            var (winner, winnerId, loser, loserId) = claims[0] ? (nodes[0], a, nodes[1], b) : (nodes[1], b, nodes[0], a);
            Assert.True(await winner.Endpoint.SetUserAsync(winnerId, name, name, unique: true, default));
            await winner.Endpoint.RemoveConnectionAsync(new ConnectionPresence(winnerId, name, []), default);
            Assert.True(await loser.Endpoint.SetUserAsync(loserId, null, name, unique: true, default));
        }
    }

    [Fact]
    public async Task A_claim_or_join_after_the_connection_was_removed_leaves_no_member_and_the_name_free()
    {
        await using var cluster = new Cluster(redis.Configuration);
        var nodes = await cluster.AddAsync(2);
        var late = nodes[0].Connection(1);
        await nodes[0].Endpoint.AddConnectionAsync(late, default);
        Assert.True(await nodes[0].Endpoint.RemoveConnectionAsync(new ConnectionPresence(late, null, []), default));

        Assert.False(await nodes[0].Endpoint.SetUserAsync(late, null, "ada", unique: true, default));
        Assert.False(await nodes[0].Endpoint.SetUserAsync(late, null, "bob", unique: false, default));
        await nodes[0].Endpoint.JoinAsync(late, null, "room", default);
        foreach (var node in nodes)
        {
            Assert.Empty(await node.Endpoint.UsersAsync(default));
            Assert.Empty(await node.Endpoint.MembersAsync("room", default));
        }

        var live = nodes[1].Connection(2);
        await nodes[1].Endpoint.AddConnectionAsync(live, default);
        Assert.True(await nodes[1].Endpoint.SetUserAsync(live, null, "ada", unique: true, default));
        await nodes[1].Endpoint.JoinAsync(live, "ada", "room", default);
        Assert.Equal(["ada"], await nodes[0].Endpoint.UsersAsync(default));
        Assert.Equal([new GroupMember(live, "ada")], await nodes[0].Endpoint.MembersAsync("room", default));
    }

    [Fact]
    public async Task The_claim_and_join_scripts_do_not_bring_back_a_connection_whose_presence_is_gone()
    {
        // What a claim or join sent just before its connection's removal ran finds in Redis, if the removal runs first.
        await using var cluster = new Cluster(redis.Configuration);
        var node = await cluster.AddAsync();
        var id = node.Connection(3);
        var prefix = $"{cluster.Prefix}:{{chat}}:";
        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var database = connection.GetDatabase();

        var claim = await database.ScriptEvaluateAsync(Scripts.SetUser, values: [prefix, node.Endpoint.NodeNumber, id, "ada", "ada", 1]);
        var join = await database.ScriptEvaluateAsync(Scripts.Join, values: [prefix, node.Endpoint.NodeNumber, id, "room"]);

        Assert.Equal(-1, (int)claim);
        Assert.Equal(-1, (int)join);
        Assert.False(await database.KeyExistsAsync(prefix + "conn:" + id));
        Assert.False(await database.SetContainsAsync(prefix + "node:" + node.Endpoint.NodeNumber + ":conns", id));
        Assert.Empty(await node.Endpoint.UsersAsync(default));
        Assert.Empty(await node.Endpoint.MembersAsync("room", default));
    }

    [Fact]
    public async Task A_user_comparer_other_than_ordinal_or_ignore_case_is_refused_at_open()
    {
        await using var engine = new RedisEngine(new RedisEngineOptions { Configuration = redis.Configuration });
        var e = await Assert.ThrowsAsync<NotSupportedException>(async () => await engine.OpenAsync(new EngineEndpoint
        {
            Name = "chat",
            UserComparer = StringComparer.InvariantCultureIgnoreCase,
            History = _ => null,
            Node = new RecordingNode(),
        }, default));
        Assert.Contains("OrdinalIgnoreCase", e.Message, StringComparison.Ordinal);
    }
}
