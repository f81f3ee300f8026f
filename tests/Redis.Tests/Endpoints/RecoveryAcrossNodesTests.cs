using Switchboard.Client;
using Switchboard.Messaging;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Redis.Tests.Endpoints;

/// <summary>
/// History and recovery through Redis with real clients: a client that drops reconnects to another node with its
/// positions and gets exactly what it missed, or recovered false and the last messages when its epoch is gone.
/// </summary>
[Collection(SharedRedis.Name)]
public sealed class RecoveryAcrossNodesTests(RedisServer redis)
{
    public static TheoryData<SwitchboardTransport, bool> Drops => new()
    {
        { SwitchboardTransport.WebSocket, true },
        { SwitchboardTransport.WebSocket, false },
        { SwitchboardTransport.LongPolling, true },
        { SwitchboardTransport.LongPolling, false },
    };

    /// <summary>Posts <paramref name="from"/> to <paramref name="to"/> to the room and waits until the witness has them.</summary>
    private static async Task PostAsync(Peer poster, Peer witness, int from, int to)
    {
        for (var seq = from; seq <= to; seq++) await poster.Client.SendAsync(new Post("group", "room", 0, seq));
        await witness.WaitForAsync($"note poster {to}");
    }

    [Theory]
    [MemberData(nameof(Drops))]
    public async Task The_same_client_reconnecting_to_another_node_gets_exactly_what_it_missed(SwitchboardTransport transport, bool killed)
    {
        await using var cluster = new EndpointCluster(redis.Configuration);
        var nodes = await cluster.AddAsync(3);
        await using var front = new TcpFront(nodes[0].Port, refuseWebSocket: false);
        await using var poster = await Peer.ConnectAsync(nodes[1].Uri, SwitchboardTransport.WebSocket);
        await using var witness = await Peer.ConnectAsync(nodes[2].Uri, SwitchboardTransport.LongPolling);
        await poster.LoginAsync("poster");
        await witness.JoinAsync("room");
        await using var client = await Peer.ConnectAsync(front.Uri("/chat"), transport);
        await client.LoginAsync("client");
        client.Log.Clear();
        await client.JoinAsync("room");
        Assert.Equal(["notice room null 0", "joined-reply room null 0"], client.Log);
        await PostAsync(poster, witness, 1, 5);
        await client.WaitForAsync("note poster 5");

        // The front now leads to node 1, where the client comes back as a new connection that is in no group until it
        // joins again: what goes out meanwhile (6 to 10) is missed.
        front.BackendPort = nodes[1].Port;
        if (killed) front.DropConnections();
        else await nodes[0].Contexts[client.ConnectionId].CloseAsync(CloseCode.ServiceRestart, "restarting");
        await Eventually.TrueAsync(() => client.Connects.Count == 2 && client.Client.State == ConnectionState.Connected, "the client back, on node 1");
        await PostAsync(poster, witness, 6, 10);
        Assert.Equal(5, client.Client.Positions["room"].Offset);
        client.Log.Clear();
        await client.JoinAsync("room");
        await PostAsync(poster, witness, 11, 11);
        await client.WaitForAsync("note poster 11");
        Assert.Equal(
            ["notice room True 10", .. Enumerable.Range(6, 5).Select(i => $"note poster {i}"), "joined-reply room True 10", "note poster 11"],
            client.Log);
        Assert.Equal(11, client.Client.Positions["room"].Offset);
    }

    [Theory]
    [InlineData(SwitchboardTransport.WebSocket)]
    [InlineData(SwitchboardTransport.LongPolling)]
    public async Task A_new_client_seeded_with_positions_recovers_on_another_node_and_a_lost_epoch_gets_the_last_messages(SwitchboardTransport transport)
    {
        await using var cluster = new EndpointCluster(redis.Configuration);
        var nodes = await cluster.AddAsync(2);
        await using var poster = await Peer.ConnectAsync(nodes[1].Uri, SwitchboardTransport.WebSocket);
        await poster.LoginAsync("poster");
        await poster.JoinAsync("room");
        IReadOnlyDictionary<string, StreamPosition> saved;
        await using (var first = await Peer.ConnectAsync(nodes[0].Uri, transport))
        {
            await first.JoinAsync("room");
            await PostAsync(poster, first, 1, 3);
            saved = first.Client.Positions;
        }
        await PostAsync(poster, poster, 4, 6);

        await using var second = await Peer.ConnectAsync(nodes[1].Uri, transport, saved);
        await second.JoinAsync("room", history: 2);
        Assert.Equal(["notice room True 6", "note poster 4", "note poster 5", "note poster 6", "joined-reply room True 6"], second.Log);

        // A position of an epoch the history does not have: recovered false, then the last two.
        await using var stale = await Peer.ConnectAsync(nodes[0].Uri, transport, new Dictionary<string, StreamPosition> { ["room"] = new("gone", 2) });
        await stale.JoinAsync("room", history: 2);
        Assert.Equal(["notice room False 6", "note poster 5", "note poster 6", "joined-reply room False 6"], stale.Log);
        Assert.Equal(new StreamPosition(saved["room"].Epoch, 6), stale.Client.Positions["room"]);

        // Joining again changes nothing: no notice, no replay, and the live messages keep coming once.
        await stale.JoinAsync("room", history: 2);
        await PostAsync(poster, stale, 7, 7);
        Assert.Equal(["joined-reply room null -1", "note poster 7"], stale.Log.Skip(4));
    }
}
