using Chat;
using Switchboard.Client;
using Switchboard.Testing;

namespace Switchboard.EndToEnd.Tests.Cluster;

/// <summary>
/// samples/Chat.Client, run as a real process, reaching the cluster through a TCP front that plays the load balancer:
/// when its node dies the front sends it to another node, where its name is still held until the dead node's lease
/// runs out; and after a Redis restart it says the history was reloaded.
/// </summary>
public sealed class ClusterTerminalClientTests
{
    [Fact]
    public async Task The_terminal_client_retries_a_name_held_by_a_dead_node_and_says_when_the_history_was_reloaded()
    {
        await using var cluster = await ChatCluster.StartAsync(nodes: 2);
        await using var front = new TcpFront(cluster.Node(0).Port, refuseWebSocket: false);
        var name = $"term{Guid.NewGuid():N}"[..12];
        using var terminal = ChatTerminal.Start("--url", front.Uri("/").ToString().TrimEnd('/'), "--name", name, "--transport", "websocket");
        await terminal.WaitForAsync("* in the room:");
        await using var observer = await ClusterMember.JoinAsync(cluster.Node(1).WebSocketUri(), "obs" + name[4..], SwitchboardTransport.WebSocket);
        await observer.SayAsync("before the kill");
        await terminal.WaitForAsync("before the kill");

        // The node dies; the front sends new connections to the other, which holds the name until the lease frees it.
        front.BackendPort = cluster.Node(1).Port;
        await cluster.KillNodeAsync(0);
        await terminal.WaitForAsync($"the name {name} is still held by the lost connection", TimeSpan.FromSeconds(30));
        // The room's history gave the observer the first arrival; the second comes after the dead node's lease.
        await observer.UntilAsync<UserLeft>(m => m.User == name, "the connection on the dead node reaped", TimeSpan.FromSeconds(40));
        await observer.Changes.UntilAsync(() => observer.All<UserJoined>().Count(m => m.User == name) == 2, "the terminal client back in the room", TimeSpan.FromSeconds(40));
        await observer.SayAsync("after the kill");
        await terminal.WaitForAsync("after the kill");

        // Redis restarts without its data: the client comes back and says the history was reloaded.
        await cluster.Redis.StopAsync();
        await cluster.Redis.StartAsync();
        await terminal.WaitForAsync("the history was reloaded", TimeSpan.FromSeconds(40));
    }
}
