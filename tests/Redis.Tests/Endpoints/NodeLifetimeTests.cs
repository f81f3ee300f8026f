using StackExchange.Redis;
using Switchboard.Client;
using Switchboard.Protocol;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Redis.Tests.Endpoints;

/// <summary>
/// How a node's end reaches the endpoint's disconnected hook: a node that dies (its engine closed without cleanup, or
/// its lease stopped) is reported by one survivor, once; a node that hung past its lease and comes back does not report
/// again what the survivor reported; a node that stops leaves the cluster at once.
/// </summary>
[Collection(SharedRedis.Name)]
public sealed class NodeLifetimeTests(RedisServer redis)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(1);

    private static EndpointCluster.Ended[] Of(EndpointCluster cluster, long connectionId) => [.. cluster.Disconnected.Where(e => e.ConnectionId == connectionId)];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_dead_nodes_connections_are_reported_by_one_survivor_once(bool engineClosed)
    {
        await using var cluster = new EndpointCluster(redis.Configuration, Lease);
        var nodes = await cluster.AddAsync(3);
        await using var ada = await Peer.ConnectAsync(nodes[2].Uri, SwitchboardTransport.WebSocket);
        await using var anon = await Peer.ConnectAsync(nodes[2].Uri, SwitchboardTransport.LongPolling);
        await ada.LoginAsync("ada");
        await ada.JoinAsync("room");
        await ada.JoinAsync("team");
        await anon.JoinAsync("team");
        var anonId = (await nodes[0].Endpoint.GroupMembersAsync("team")).Single(m => m.User is null).ConnectionId;

        if (engineClosed) await nodes[2].Engine.DisposeAsync();
        else nodes[2].Opened.StopLease();

        await Eventually.TrueAsync(() => Of(cluster, ada.ConnectionId).Length == 1 && Of(cluster, anonId).Length == 1, "the dead node's connections reported");
        var adaEnded = Of(cluster, ada.ConnectionId)[0];
        Assert.NotEqual(2, adaEnded.Node);
        Assert.Equal("ada", adaEnded.User);
        Assert.Null(adaEnded.Code);
        Assert.Equal(["room", "team"], adaEnded.Groups.Order(StringComparer.Ordinal));
        Assert.Null(Of(cluster, anonId)[0].User);
        Assert.Empty(await nodes[0].Endpoint.UsersAsync());
        Assert.Empty(await nodes[1].Endpoint.GroupMembersAsync("team"));

        // The marker: another node dies and is reported; by then a second report of the first would have come too.
        var marker = await cluster.AddAsync();
        await using var zed = await Peer.ConnectAsync(marker.Uri, SwitchboardTransport.WebSocket);
        await zed.LoginAsync("zed");
        marker.Opened.StopLease();
        await Eventually.TrueAsync(() => Of(cluster, zed.ConnectionId).Length == 1, "the marker node's connection reported");
        Assert.Single(Of(cluster, ada.ConnectionId));
        Assert.Single(Of(cluster, anonId));
    }

    [Theory]
    [InlineData(SwitchboardTransport.WebSocket)]
    [InlineData(SwitchboardTransport.LongPolling)]
    public async Task A_node_reaped_while_it_hung_does_not_report_again_the_connections_a_survivor_reported(SwitchboardTransport transport)
    {
        await using var cluster = new EndpointCluster(redis.Configuration, Lease);
        var nodes = await cluster.AddAsync(2);
        await using var ada = await Peer.ConnectAsync(nodes[1].Uri, transport);
        await ada.LoginAsync("ada");
        await ada.JoinAsync("team");

        nodes[1].Opened.StopLease(); // hangs
        await Eventually.TrueAsync(() => Of(cluster, ada.ConnectionId).Length == 1, "ada reported lost by the survivor");
        Assert.Equal(0, Of(cluster, ada.ConnectionId)[0].Node);

        // A connection that opens after the reap was never reported: it is put back, and its end is node 1's to report.
        await using var bob = await Peer.ConnectAsync(nodes[1].Uri, transport);
        await bob.LoginAsync("bob");
        var bobId = bob.ConnectionId;

        // It wakes up, finds itself reaped and closes its connections with 1012; the clients come back as new connections.
        var adaId = ada.ConnectionId;
        var before = ada.Connects.Count;
        await nodes[1].Opened.RenewOnceAsync();
        await Eventually.TrueAsync(() => ada.Connects.Count > before, "ada reconnected");
        // Every hook of node 1 has run once its server has stopped.
        await nodes[1].Server.StopAsync();
        var reports = Of(cluster, adaId);
        Assert.Single(reports);
        Assert.Equal(0, reports[0].Node);
        var bobReports = Of(cluster, bobId);
        Assert.Single(bobReports);
        Assert.Equal(1, bobReports[0].Node);
    }

    [Fact]
    public async Task A_stopped_node_leaves_the_clusters_presence_at_once_and_reports_its_own_connections()
    {
        // A lease far longer than the test: anything that goes, goes because the node left, not because it was reaped.
        await using var cluster = new EndpointCluster(redis.Configuration, TimeSpan.FromMinutes(5));
        var nodes = await cluster.AddAsync(2);
        await using var ada = await Peer.ConnectAsync(nodes[1].Uri, SwitchboardTransport.WebSocket);
        await using var bob = await Peer.ConnectAsync(nodes[1].Uri, SwitchboardTransport.LongPolling);
        await ada.LoginAsync("ada");
        await bob.LoginAsync("bob");
        await ada.JoinAsync("team");
        var node1 = nodes[1].Opened.NodeNumber;
        Assert.Equal(["ada", "bob"], await nodes[0].Endpoint.UsersAsync());

        await nodes[1].DisposeAsync(); // server, then endpoint, then engine

        Assert.Empty(await nodes[0].Endpoint.UsersAsync());
        Assert.Empty(await nodes[0].Endpoint.GroupMembersAsync("team"));
        Assert.All(cluster.Disconnected, e => Assert.Equal(1, e.Node));
        Assert.Single(Of(cluster, ada.ConnectionId));
        Assert.Single(Of(cluster, bob.ConnectionId));
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration))
        {
            var db = connection.GetDatabase();
            var prefix = $"{cluster.Prefix}:{{chat}}:";
            Assert.False(await db.SetContainsAsync(prefix + "nodes", node1));
            Assert.False(await db.KeyExistsAsync(prefix + "node:" + node1));
        }
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await nodes[1].Endpoint.UsersAsync());
    }
}
