using System.Collections.Concurrent;
using Chat;
using Microsoft.Playwright;
using Switchboard.Client;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// The chat sample over HTTP long polling in Debian's headless Chromium: forced with the page's URL flag, mixed with
/// WebSocket users in one room, and chosen on its own when a proxy refuses the WebSocket upgrade.
/// </summary>
public sealed class ChatLongPollingBrowserTests(ChatServerFixture server, ChromiumFixture chromium)
    : IClassFixture<ChatServerFixture>, IClassFixture<ChromiumFixture>
{
    private Uri LongPollingSite => server.Chat.HttpUri("/?transport=longpolling");

    private static string Name(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..12];

    [Fact]
    public async Task Pages_chat_over_long_polling_without_any_WebSocket()
    {
        var alice = Name("alice");
        var bob = Name("bob");
        await using var a = await ChatPage.OpenAsync(chromium.Browser, LongPollingSite, alice);
        await using var b = await ChatPage.OpenAsync(chromium.Browser, LongPollingSite, bob);
        var sockets = 0;
        var polls = 0;
        foreach (var page in new[] { a.Page, b.Page })
        {
            page.WebSocket += (_, _) => Interlocked.Increment(ref sockets);
            page.Request += (_, request) =>
            {
                if (request.Method == "GET" && request.Url.Contains("session=", StringComparison.Ordinal)) Interlocked.Increment(ref polls);
            };
        }
        await a.ExpectRosterAsync(alice, bob);
        await b.ExpectRosterAsync(alice, bob);

        await a.SendAsync("hello over long polling");
        await b.ExpectMessageAsync(alice, "hello over long polling");
        await b.SendAsync("and back again");
        await a.ExpectMessageAsync(bob, "and back again");
        await b.SendDirectAsync(alice, "just for you");
        await a.ExpectMessageAsync(bob, "just for you", kind: "direct");

        // Bob leaves the page: his session ends and alice sees him go.
        await b.Page.GotoAsync("about:blank");
        await a.ExpectLeftAsync(bob);
        await a.ExpectRosterAsync(alice);
        Assert.Equal(0, Volatile.Read(ref sockets));
        Assert.True(Volatile.Read(ref polls) > 0, "the pages never polled");
    }

    [Fact]
    public async Task WebSocket_and_long_polling_users_share_one_room()
    {
        var polling = Name("poll");
        var socket = Name("sock");
        var dotnet = Name("net");
        await using var p = await ChatPage.OpenAsync(chromium.Browser, LongPollingSite, polling);
        await using var s = await ChatPage.OpenAsync(chromium.Browser, server.Chat.HttpUri("/?transport=websocket"), socket);
        var received = new ConcurrentQueue<ChatMessage>();
        var arrived = new Changes();
        await using var client = new SwitchboardClient(server.Chat.WebSocketUri($"/ws/{dotnet}"), SwitchboardMessages.Catalog,
            new SwitchboardClientOptions { Transport = SwitchboardTransport.LongPolling });
        client.On<ChatMessage>(message =>
        {
            received.Enqueue(message);
            arrived.Pulse();
        });
        await client.ConnectAsync();
        Assert.Equal(SwitchboardTransport.LongPolling, client.Transport);
        await p.ExpectRosterAsync(dotnet, polling, socket);
        await s.ExpectRosterAsync(dotnet, polling, socket);

        await p.SendAsync("from the polling page");
        await s.ExpectMessageAsync(polling, "from the polling page");
        await s.SendAsync("from the socket page");
        await p.ExpectMessageAsync(socket, "from the socket page");
        await client.SendAsync(new SendChat("from dotnet over long polling"));
        await p.ExpectMessageAsync(dotnet, "from dotnet over long polling");
        await s.ExpectMessageAsync(dotnet, "from dotnet over long polling");

        // The room replays its history to newcomers: only this test's pages count.
        bool Ours(ChatMessage m) => m.Sender == polling || m.Sender == socket;
        await arrived.UntilAsync(() => received.Count(Ours) >= 2, "both pages' messages reached the .NET client");
        Assert.Equal(["from the polling page", "from the socket page"], received.Where(Ours).Select(m => m.Text));
    }

    [Fact]
    public async Task A_page_behind_a_proxy_that_refuses_WebSocket_falls_back_to_long_polling()
    {
        await using var front = new TcpFront(server.Chat.Port);
        var behind = Name("behind");
        var direct = Name("direct");
        await using var d = await ChatPage.OpenAsync(chromium.Browser, server.Chat.HttpUri("/"), direct);
        await using var b = await ChatPage.OpenAsync(chromium.Browser, front.HttpUri("/"), behind);
        await b.ExpectRosterAsync(behind, direct);
        Assert.True(front.UpgradesRefused > 0, "the page never tried WebSocket");

        await b.SendAsync("through the proxy");
        await d.ExpectMessageAsync(behind, "through the proxy");
        await d.SendAsync("and back through it");
        await b.ExpectMessageAsync(direct, "and back through it");
    }

    [Fact]
    public async Task A_taken_name_is_refused_over_long_polling_too()
    {
        var name = Name("dup");
        await using var first = await ChatPage.OpenAsync(chromium.Browser, LongPollingSite, name);
        await using var second = await ChatPage.OpenAsync(chromium.Browser, LongPollingSite, name, expectJoined: false);
        await Expect(second.Error).ToContainTextAsync("taken");
        await first.ExpectRosterAsync(name);
    }
}
