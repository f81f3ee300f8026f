using Switchboard.Client;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Redis.Tests.Endpoints;

/// <summary>Presence asked of any node's endpoint agrees, and unique names are unique across nodes.</summary>
[Collection(SharedRedis.Name)]
public sealed class PresenceAcrossNodesTests(RedisServer redis)
{
    [Fact]
    public async Task Members_users_and_is_connected_agree_on_every_node()
    {
        await using var cluster = new EndpointCluster(redis.Configuration);
        var nodes = await cluster.AddAsync(3);
        await using var ada = await Peer.ConnectAsync(nodes[0].Uri, SwitchboardTransport.WebSocket);
        await using var bob = await Peer.ConnectAsync(nodes[1].Uri, SwitchboardTransport.LongPolling);
        await using var cy = await Peer.ConnectAsync(nodes[2].Uri, SwitchboardTransport.WebSocket);
        await ada.LoginAsync("ada");
        await bob.LoginAsync("bob");
        await cy.LoginAsync("cy");
        await bob.JoinAsync("team");
        await cy.JoinAsync("team");

        foreach (var node in nodes)
        {
            Assert.Equal(["ada", "bob", "cy"], await node.Endpoint.UsersAsync());
            Assert.True(await node.Endpoint.IsConnectedAsync("bob"));
            Assert.False(await node.Endpoint.IsConnectedAsync("zed"));
            var members = (await node.Endpoint.GroupMembersAsync("team")).OrderBy(m => m.User, StringComparer.Ordinal).ToArray();
            Assert.Equal([(bob.ConnectionId, "bob"), (cy.ConnectionId, "cy")], members.Select(m => (m.ConnectionId, m.User)));
            Assert.Equal(1, node.Endpoint.ConnectionCount);
        }

        // bob leaves: every node sees it.
        await bob.Client.CloseAsync();
        foreach (var node in nodes)
        {
            await Eventually.TrueAsync(async () => !await node.Endpoint.IsConnectedAsync("bob"), $"node {node.Index} no longer sees bob");
            Assert.Equal(["ada", "cy"], await node.Endpoint.UsersAsync());
            Assert.Equal([cy.ConnectionId], (await node.Endpoint.GroupMembersAsync("team")).Select(m => m.ConnectionId));
        }
    }

    [Fact]
    public async Task A_unique_name_is_held_by_one_connection_of_the_cluster()
    {
        await using var cluster = new EndpointCluster(redis.Configuration);
        var nodes = await cluster.AddAsync(3);
        var peers = new Peer[6];
        for (var i = 0; i < peers.Length; i++) peers[i] = await Peer.ConnectAsync(nodes[i % 3].Uri, i % 2 == 0 ? SwitchboardTransport.WebSocket : SwitchboardTransport.LongPolling);
        try
        {
            // All at once, across the nodes: exactly one wins.
            foreach (var peer in peers) await peer.Client.SendAsync(new Login("kim", true));
            foreach (var peer in peers) await peer.WaitForAsync("welcome kim ");
            var winners = peers.Where(p => p.Log.Contains("welcome kim True")).ToArray();
            Assert.Single(winners);
            foreach (var node in nodes) Assert.Equal(["kim"], await node.Endpoint.UsersAsync());

            // Freed when its holder leaves, on every node.
            await winners[0].Client.CloseAsync();
            var next = peers.First(p => p != winners[0]);
            await Eventually.TrueAsync(() => next.LoginAsync("kim", unique: true), "kim free again");
            foreach (var peer in peers.Where(p => p != winners[0] && p != next)) Assert.False(await peer.LoginAsync("kim", unique: true));
        }
        finally
        {
            foreach (var peer in peers) await peer.DisposeAsync();
        }
    }
}
