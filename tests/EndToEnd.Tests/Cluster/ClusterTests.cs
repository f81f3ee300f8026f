using Chat;
using Switchboard.Client;

namespace Switchboard.EndToEnd.Tests.Cluster;

/// <summary>
/// The chat on three nodes sharing one redis-server (samples/Chat --redis), with .NET clients spread over the nodes
/// and both transports: delivery, presence and names across nodes, a node killed mid-traffic, every node restarted,
/// and Redis restarted. Each test runs its own cluster.
/// </summary>
public sealed class ClusterTests
{
    /// <summary>
    /// The bound in which a killed node's users leave (docs/scale-out.md): the lease (10 s by default) and one reap
    /// period (a third of it), with a margin for a loaded machine.
    /// </summary>
    private static readonly TimeSpan LeaseBound = TimeSpan.FromSeconds(10 + 10.0 / 3 + 10);

    private static string Name(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..12];

    private static SwitchboardTransport TransportOf(int i) => i % 2 == 0 ? SwitchboardTransport.WebSocket : SwitchboardTransport.LongPolling;

    [Fact]
    public async Task Messages_direct_messages_the_roster_and_names_hold_across_three_nodes_over_both_transports()
    {
        await using var cluster = await ChatCluster.StartAsync();
        var members = new List<ClusterMember>();
        try
        {
            for (var i = 0; i < 6; i++)
                members.Add(await ClusterMember.JoinAsync(cluster.Node(i % 3).WebSocketUri(), Name($"u{i}"), TransportOf(i)));

            // Every member sends five numbered messages at once, all members at the same time.
            await Task.WhenAll(members.Select(async m =>
            {
                for (var k = 1; k <= 5; k++) await m.Client.SendAsync(new SendChat($"{m.Name} #{k}"));
            }));
            foreach (var receiver in members)
            {
                foreach (var sender in members)
                    await receiver.Changes.UntilAsync(() => receiver.TextsFrom(sender.Name).Count >= 5, $"{receiver.Name} gets 5 from {sender.Name}");
            }

            // A direct message from node 0 to node 1, named in another case; a marker after it shows what the others got.
            await members[0].Client.SendAsync(new DirectMessage(null, members[1].Name.ToUpperInvariant(), "psst", null));
            await members[1].UntilAsync<DirectMessage>(m => m.From == members[0].Name && m.Text == "psst", "the direct message");
            await members[0].UntilAsync<DirectMessage>(m => m.To == members[1].Name && m.Text == "psst", "its own direct message back");
            await members[0].SayAsync("marker");
            foreach (var receiver in members)
            {
                await receiver.UntilAsync<ChatMessage>(m => m.Text == "marker", "the marker");
                // Once each, in each sender's order.
                foreach (var sender in members)
                    Assert.Equal(Enumerable.Range(1, 5).Select(k => $"{sender.Name} #{k}"), receiver.TextsFrom(sender.Name).Where(t => t != "marker"));
                if (receiver != members[0] && receiver != members[1]) Assert.Empty(receiver.All<DirectMessage>());
            }

            // The roster a newcomer gets is the same on every node.
            var names = members.Select(m => m.Name).ToHashSet();
            for (var node = 0; node < 3; node++)
            {
                await using var newcomer = await ClusterMember.JoinAsync(cluster.Node(node).WebSocketUri(), Name($"n{node}"), TransportOf(node));
                var roster = newcomer.All<Roster>().Single().Users;
                Assert.Equal([.. names.Append(newcomer.Name).Order(StringComparer.Ordinal)], roster.Order(StringComparer.Ordinal));
                await newcomer.Client.CloseAsync();
                await members[0].UntilAsync<UserLeft>(m => m.User == newcomer.Name, $"{newcomer.Name} leaving");
            }

            // A name taken on node 0 is refused on nodes 1 and 2, in any case, over either transport.
            for (var node = 1; node < 3; node++)
            {
                var taken = node == 1 ? members[0].Name.ToUpperInvariant() : members[0].Name;
                await using var copy = await ClusterMember.ConnectAsync(cluster.Node(node).WebSocketUri(), taken, TransportOf(node));
                await copy.Changes.UntilAsync(() => copy.Client.State == ConnectionState.Closed,
                    () => $"the refused connection closing; states: {string.Join(", ", copy.States.Select(s => $"{s.Current}/{s.CloseStatus}/{s.CloseReason}"))}");
                var closed = copy.States[^1];
                Assert.Equal(CloseCode.PolicyViolation, closed.CloseStatus);
                Assert.Contains("is taken", closed.CloseReason, StringComparison.Ordinal);
                Assert.Empty(copy.All<Roster>());
            }
        }
        finally
        {
            foreach (var member in members) await member.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_killed_nodes_clients_reconnect_elsewhere_and_recover_with_nothing_lost_or_twice_and_its_users_leave_once()
    {
        await using var cluster = await ChatCluster.StartAsync();
        // On node 0: one that comes back on node 1 (WebSocket) and one that never comes back (long polling).
        await using var back = await ClusterMember.JoinAsync(cluster.Node(0).WebSocketUri(), Name("back"), SwitchboardTransport.WebSocket);
        await using var gone = await ClusterMember.JoinAsync(cluster.Node(0).WebSocketUri(), Name("gone"), SwitchboardTransport.LongPolling);
        await using var s1 = await ClusterMember.JoinAsync(cluster.Node(1).WebSocketUri(), Name("s1"), SwitchboardTransport.LongPolling);
        await using var s2 = await ClusterMember.JoinAsync(cluster.Node(2).WebSocketUri(), Name("s2"), SwitchboardTransport.WebSocket);
        var senders = new[] { s1, s2 };
        const int Count = 18; // within the chat's burst of 20 per connection

        // Numbered messages from nodes 1 and 2; the node dies while they are still being sent.
        var sending = Task.WhenAll(senders.Select(async s =>
        {
            for (var k = 1; k <= Count; k++)
            {
                await s.SayAsync($"{s.Name} #{k}");
                if (k == 6) await back.Changes.UntilAsync(() => senders.All(o => back.TextsFrom(o.Name).Count >= 6), "back gets the first messages");
            }
        }));
        await back.Changes.UntilAsync(() => senders.All(o => back.TextsFrom(o.Name).Count >= 6), "back gets the first messages");
        var killed = DateTime.UtcNow;
        await cluster.KillNodeAsync(0);
        await sending;

        // Both users of the dead node leave once its lease runs out, heard on the live nodes.
        await s1.UntilAsync<UserLeft>(m => m.User == gone.Name, $"{gone.Name} leaving", LeaseBound);
        await s1.UntilAsync<UserLeft>(m => m.User == back.Name, $"{back.Name} leaving", LeaseBound);
        Assert.InRange(DateTime.UtcNow - killed, TimeSpan.Zero, LeaseBound);

        // As an app without a load balancer does: a new client on another node, from the old one's positions.
        var positions = back.Client.Positions;
        Assert.NotEmpty(positions);
        await back.Client.CloseAsync();
        await using var again = await ClusterMember.JoinAsync(cluster.Node(1).WebSocketUri(), back.Name, SwitchboardTransport.WebSocket, positions);
        // The roster comes first, then the joined notice of the room.
        await again.Changes.UntilAsync(() => again.Joins.Count == 1, "the joined notice");
        Assert.True(again.Joins.Single().Recovered, "the history covers the gap");

        await s2.SayAsync("marker");
        await again.UntilAsync<ChatMessage>(m => m.Text == "marker", "the marker");
        await s1.UntilAsync<ChatMessage>(m => m.Text == "marker", "the marker");
        foreach (var sender in senders)
        {
            var expected = Enumerable.Range(1, Count).Select(k => $"{sender.Name} #{k}");
            // Before the kill and after the recovery together: every number once, in order.
            Assert.Equal(expected, back.TextsFrom(sender.Name).Concat(again.TextsFrom(sender.Name)).Where(t => t != "marker"));
            Assert.Equal(expected, s1.TextsFrom(sender.Name).Where(t => t != "marker"));
        }
        // Exactly one chat.left per user of the dead node.
        Assert.Single(s1.All<UserLeft>(), m => m.User == gone.Name);
        Assert.Single(s2.All<UserLeft>(), m => m.User == gone.Name);
        Assert.Single(again.All<UserLeft>(), m => m.User == gone.Name);
        Assert.Single(s1.All<UserLeft>(), m => m.User == back.Name);
    }

    [Fact]
    public async Task The_history_survives_a_restart_of_every_node()
    {
        await using var cluster = await ChatCluster.StartAsync();
        await using (var talker = await ClusterMember.JoinAsync(cluster.Node(0).WebSocketUri(), Name("talker"), SwitchboardTransport.WebSocket))
        {
            for (var k = 1; k <= 5; k++) await talker.SayAsync($"before the restart #{k}");
        }
        for (var i = 0; i < cluster.Count; i++) await cluster.KillNodeAsync(i);
        for (var i = 0; i < cluster.Count; i++) await cluster.StartNodeAsync(i);

        for (var i = 0; i < cluster.Count; i++)
        {
            await using var newcomer = await ClusterMember.JoinAsync(cluster.Node(i).WebSocketUri(), Name("late"), TransportOf(i));
            await newcomer.Changes.UntilAsync(() => newcomer.All<ChatMessage>().Count() >= 5 && newcomer.Joins.Count == 1, "the history");
            Assert.Equal(Enumerable.Range(1, 5).Select(k => $"before the restart #{k}"), newcomer.All<ChatMessage>().Select(m => m.Text).Take(5));
            Assert.Null(newcomer.Joins.Single().Recovered);
        }
    }

    [Fact]
    public async Task A_redis_restart_closes_connections_with_1012_and_clients_come_back_told_the_history_was_lost()
    {
        await using var cluster = await ChatCluster.StartAsync();
        var members = new List<ClusterMember>();
        try
        {
            for (var i = 0; i < 3; i++)
                members.Add(await ClusterMember.JoinAsync(cluster.Node(i).WebSocketUri(), Name($"r{i}"), TransportOf(i)));
            var talker = members[0];
            for (var k = 1; k <= 3; k++) await talker.SayAsync($"before #{k}");
            foreach (var m in members)
                await m.Changes.UntilAsync(() => m.TextsFrom(talker.Name).Count == 3, $"{m.Name} gets the first messages");

            await cluster.Redis.StopAsync();
            // Every node closes its connections with 1012 (Service Restart): they may miss messages now.
            foreach (var m in members)
                await m.Changes.UntilAsync(() => m.States.Any(s => s.Current == ConnectionState.Reconnecting && s.CloseStatus == CloseCode.ServiceRestart),
                    () => $"{m.Name} closed with 1012; states: {string.Join(", ", m.States.Select(s => $"{s.Current}/{s.CloseStatus}"))}");

            await cluster.Redis.StartAsync();
            // Back once Redis is: the history went with Redis's data, which each client is told (recovered false).
            foreach (var m in members)
                await m.Changes.UntilAsync(() => m.Joins.Count == 2 && m.All<Roster>().Count() == 2,
                    () => $"{m.Name} back in the room; joins: {string.Join(", ", m.Joins.Select(j => j.Recovered))}\n{cluster.Output}", TimeSpan.FromSeconds(90));
            foreach (var m in members) Assert.False(m.Joins[^1].Recovered);

            // Nothing silently lost: every message its sender saw come back is with every member, or the member was
            // told the history was lost; and what is sent now reaches everyone once.
            for (var k = 1; k <= 3; k++) await talker.SayAsync($"after #{k}");
            foreach (var m in members)
            {
                await m.Changes.UntilAsync(() => m.TextsFrom(talker.Name).Contains("after #3"), $"{m.Name} gets the later messages");
                var texts = m.TextsFrom(talker.Name);
                Assert.Equal(["after #1", "after #2", "after #3"], texts.Where(t => t.StartsWith("after", StringComparison.Ordinal)));
                Assert.True(texts.Take(3).SequenceEqual(["before #1", "before #2", "before #3"]), string.Join(", ", texts));
            }
        }
        finally
        {
            foreach (var member in members) await member.DisposeAsync();
        }
    }
}
