using Switchboard.Client;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Redis.Tests.Endpoints;

/// <summary>Typed sends of one endpoint on three nodes reach real clients on every node, once, in the sender's order.</summary>
[Collection(SharedRedis.Name)]
public sealed class DeliveryAcrossNodesTests(RedisServer redis)
{
    [Theory]
    [InlineData(SwitchboardTransport.WebSocket)]
    [InlineData(SwitchboardTransport.LongPolling)]
    public async Task Sends_to_all_others_a_group_a_user_and_a_connection_reach_the_right_clients_on_every_node(SwitchboardTransport transport)
    {
        var other = transport == SwitchboardTransport.WebSocket ? SwitchboardTransport.LongPolling : SwitchboardTransport.WebSocket;
        await using var cluster = new EndpointCluster(redis.Configuration);
        var nodes = await cluster.AddAsync(3);
        await using var sender = await Peer.ConnectAsync(nodes[0].Uri, transport);
        await using var bob = await Peer.ConnectAsync(nodes[1].Uri, transport);
        await using var cy = await Peer.ConnectAsync(nodes[2].Uri, other);
        await using var ada2 = await Peer.ConnectAsync(nodes[1].Uri, transport);
        Assert.True(await sender.LoginAsync("ada"));
        Assert.True(await bob.LoginAsync("bob"));
        Assert.True(await cy.LoginAsync("cy"));
        Assert.True(await ada2.LoginAsync("ada"));
        await bob.JoinAsync("team");
        await cy.JoinAsync("team");

        // Ids are the cluster's: each carries its node's number in its high bits.
        Assert.Equal(nodes[2].Opened.NodeNumber, (int)(cy.ConnectionId >> 40));
        Assert.Equal(4, new[] { sender.ConnectionId, bob.ConnectionId, cy.ConnectionId, ada2.ConnectionId }.Distinct().Count());

        var peers = new[] { sender, bob, cy, ada2 };
        var expected = peers.ToDictionary(p => p, _ => new List<int>());
        string[] targets = ["all", "others", "group", "user", "connection"];
        for (var seq = 0; seq < 50; seq++)
        {
            var target = targets[seq % targets.Length];
            var post = target switch
            {
                "group" => new Post(target, "team", 0, seq),
                "user" => new Post(target, "ada", 0, seq),
                "connection" => new Post(target, "", cy.ConnectionId, seq),
                _ => new Post(target, "", 0, seq),
            };
            await sender.Client.SendAsync(post);
            IEnumerable<Peer> reached = target switch
            {
                "all" => peers,
                "others" => [bob, cy, ada2],
                "group" => [bob, cy],
                "user" => [sender, ada2],
                _ => [cy],
            };
            foreach (var peer in reached) expected[peer].Add(seq);
        }
        // The marker: once every client has it, everything sent before it has come too.
        await sender.Client.SendAsync(new Post("all", "", 0, 1000));
        foreach (var peer in peers)
        {
            expected[peer].Add(1000);
            await peer.WaitForAsync("note ada 1000");
            Assert.Equal(expected[peer], peer.Notes());
        }
    }
}
