using Chat;
using Microsoft.Playwright;
using Switchboard.Client;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests.Cluster;

/// <summary>
/// The chat page in Debian's headless Chromium on three nodes sharing one redis-server, over WebSocket and long
/// polling, with a .NET client among them.
/// </summary>
public sealed class ClusterBrowserTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private static string Name(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..12];

    [Fact]
    public async Task Pages_on_three_nodes_share_messages_direct_messages_the_roster_and_names_and_reload_after_a_redis_restart()
    {
        await using var cluster = await ChatCluster.StartAsync();
        var names = new[] { Name("p0"), Name("p1"), Name("p2") };
        // Node 1's page over long polling, the others over WebSocket.
        Uri Site(int node) => cluster.Node(node).HttpUri(node == 1 ? "/?transport=longpolling" : "/");
        await using var p0 = await ChatPage.OpenAsync(chromium.Browser, Site(0), names[0]);
        await using var p1 = await ChatPage.OpenAsync(chromium.Browser, Site(1), names[1]);
        await using var p2 = await ChatPage.OpenAsync(chromium.Browser, Site(2), names[2]);
        var pages = new[] { p0, p1, p2 };
        await using var dotnet = await ClusterMember.JoinAsync(cluster.Node(2).WebSocketUri(), Name("net"), SwitchboardTransport.LongPolling);
        string[] everyone = [.. names, dotnet.Name];

        foreach (var page in pages) await page.ExpectOnlyRosterAsync(everyone);

        for (var i = 0; i < pages.Length; i++) await pages[i].SendAsync($"hello from node {i}");
        await dotnet.SayAsync("hello from .NET");
        foreach (var page in pages)
        {
            for (var i = 0; i < pages.Length; i++) await page.ExpectMessageAsync(names[i], $"hello from node {i}");
            await page.ExpectMessageAsync(dotnet.Name, "hello from .NET");
            // Once each.
            await Expect(page.Messages).ToHaveCountAsync(4);
        }
        for (var i = 0; i < pages.Length; i++)
            await dotnet.UntilAsync<ChatMessage>(m => m.Sender == names[i] && m.Text == $"hello from node {i}", $"page {i}'s message");

        // A direct message from node 0's page to node 2's page.
        await p0.SendDirectAsync(names[2], "just for you");
        await p2.ExpectMessageAsync(names[0], "just for you", kind: "direct");
        await p0.ExpectMessageAsync(names[0], "just for you", kind: "direct");
        await dotnet.SayAsync("after the direct message");
        await p1.ExpectMessageAsync(dotnet.Name, "after the direct message");
        await Expect(p1.Page.Locator("li[data-kind=direct]")).ToHaveCountAsync(0);
        Assert.Empty(dotnet.All<DirectMessage>());

        // Node 0's name, in another case, on node 1: refused there.
        await using var copy = await ChatPage.OpenAsync(chromium.Browser, Site(1), names[0].ToUpperInvariant(), expectJoined: false);
        await Expect(copy.Error).ToContainTextAsync("taken");

        // Redis restarts without its data: the pages come back and, told the history was lost, clear the room's
        // messages before its latest.
        await cluster.Redis.StopAsync();
        await cluster.Redis.StartAsync();
        // Refused while its node resubscribes, a page backs off with jitter up to the client's 30 s cap, so coming
        // back can take a few such waits.
        foreach (var page in pages)
        {
            await Expect(page.Page.GetByTestId("notice").Filter(new() { HasTextString = "Messages were missed" }))
                .ToHaveCountAsync(1, new() { Timeout = 90_000 });
            await Expect(page.Page.GetByTestId("status")).ToHaveAttributeAsync("data-state", "open", new() { Timeout = 90_000 });
        }
        await dotnet.Changes.UntilAsync(() => dotnet.Joins.Count == 2, "the .NET client back in the room", TimeSpan.FromSeconds(90));
        await dotnet.SayAsync("after the restart");
        foreach (var page in pages)
        {
            await page.ExpectMessageAsync(dotnet.Name, "after the restart");
            // The room's messages from before are gone (the direct ones stay): only the one after the restart.
            await Expect(page.Page.Locator("li[data-testid=message][data-kind=message]")).ToHaveCountAsync(1);
        }
    }

    [Fact]
    public async Task A_page_whose_node_dies_comes_back_through_the_front_and_shows_what_it_missed_once()
    {
        await using var cluster = await ChatCluster.StartAsync(nodes: 2);
        // The front plays the load balancer: the page is served through it, and so are its connections.
        await using var front = new TcpFront(cluster.Node(0).Port, refuseWebSocket: false);
        var name = Name("page");
        await using var page = await ChatPage.OpenAsync(chromium.Browser, front.HttpUri("/"), name);
        await using var talker = await ClusterMember.JoinAsync(cluster.Node(1).WebSocketUri(), Name("talk"), SwitchboardTransport.WebSocket);
        await talker.SayAsync("before #1");
        await page.ExpectMessageAsync(talker.Name, "before #1");

        front.BackendPort = cluster.Node(1).Port;
        await cluster.KillNodeAsync(0);
        // Sent while the page is away; the page's name is held by the dead node until its lease runs out.
        await talker.SayAsync("while away #1");
        await talker.SayAsync("while away #2");
        // The room's history gave the talker the page's first arrival; the second comes after the dead node's lease.
        await talker.UntilAsync<UserLeft>(m => m.User == name, "the page's connection on the dead node reaped", TimeSpan.FromSeconds(40));
        await talker.Changes.UntilAsync(() => talker.All<UserJoined>().Count(m => m.User == name) == 2, "the page back in the room", TimeSpan.FromSeconds(40));
        await talker.SayAsync("after #1");

        await page.ExpectMessageAsync(talker.Name, "after #1");
        await page.ExpectOnlyRosterAsync([.. new[] { name, talker.Name }.Order(StringComparer.Ordinal)]);
        // Recovered: what was shown stays, the missed ones follow, nothing twice.
        await Expect(page.Page.Locator("li[data-testid=message] [data-testid=message-text]"))
            .ToHaveTextAsync(["before #1", "while away #1", "while away #2", "after #1"]);
        await Expect(page.Page.GetByTestId("notice").Filter(new() { HasTextString = "Messages were missed" })).ToHaveCountAsync(0);
    }
}
