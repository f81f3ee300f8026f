using System.Globalization;
using Chat;
using Switchboard.Client;
using Switchboard.Testing;

namespace Switchboard.EndToEnd.Tests.Cluster;

/// <summary>
/// Debian's nginx with docs/nginx/switchboard.conf in front of two chat nodes on one redis-server: a WebSocket client
/// whose node dies reconnects through nginx to the other node and recovers what it missed.
/// </summary>
public sealed class ClusterNginxTests
{
    [Fact]
    public async Task A_websocket_client_behind_nginx_fails_over_to_the_other_node_and_recovers()
    {
        await using var cluster = await ChatCluster.StartAsync(nodes: 2);
        await using var nginx = await NginxProxy.StartAsync(cluster.Node(0).Port, cluster.Node(1).Port);
        var site = new Uri($"wss://127.0.0.1:{nginx.Port}/");
        var name = $"ngx{Guid.NewGuid():N}"[..12];
        await using var member = await ClusterMember.JoinAsync(site, name, SwitchboardTransport.WebSocket, certificates: TlsCertificate.Pinned);

        // ip_hash put the client on one node: the one holding an established connection on its port.
        var node = Enumerable.Range(0, 2).Single(i => EstablishedOn(cluster.Node(i).Port) > 0);
        var other = 1 - node;
        await using var talker = await ClusterMember.JoinAsync(cluster.Node(other).WebSocketUri(), "tlk" + name[3..], SwitchboardTransport.WebSocket);
        await talker.SayAsync("before #1");
        await member.UntilAsync<ChatMessage>(m => m.Text == "before #1", "the first message");

        await cluster.KillNodeAsync(node);
        await talker.SayAsync("while away #1");
        await talker.SayAsync("while away #2");
        // The client's own reconnects reach the other node through nginx, refused as taken (1008) until the lease
        // frees the name; then, as the chat's clients do, a new client from the old one's positions.
        await member.Changes.UntilAsync(() => member.Client.State == ConnectionState.Closed, "the reconnect refused as taken");
        Assert.Equal(CloseCode.PolicyViolation, member.States[^1].CloseStatus);
        await talker.UntilAsync<UserLeft>(m => m.User == name, "the dead node's connection reaped", TimeSpan.FromSeconds(40));
        var positions = member.Client.Positions;
        await member.Client.CloseAsync();
        await using var again = await ClusterMember.JoinAsync(site, name, SwitchboardTransport.WebSocket, positions, TlsCertificate.Pinned);
        await again.Changes.UntilAsync(() => again.Joins.Count == 1, "the joined notice");
        Assert.True(again.Joins[0].Recovered);
        await talker.SayAsync("after #1");
        await again.UntilAsync<ChatMessage>(m => m.Text == "after #1", "the message after");
        Assert.Equal(["before #1", "while away #1", "while away #2", "after #1"],
            member.TextsFrom(talker.Name).Concat(again.TextsFrom(talker.Name)));
    }

    /// <summary>Established IPv4 TCP connections whose local port is <paramref name="port"/> (/proc/net/tcp).</summary>
    private static int EstablishedOn(int port) => File.ReadLines("/proc/net/tcp").Skip(1).Count(line =>
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var local = fields[1];
        return fields[3] == "01" && int.Parse(local[(local.IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port;
    });
}
