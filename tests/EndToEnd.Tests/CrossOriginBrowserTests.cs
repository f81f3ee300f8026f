using System.Net;
using System.Text;
using Chat;
using Microsoft.Playwright;
using Switchboard.Client;
using Switchboard.Server;
using Switchboard.Testing;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// Cross-site WebSocket hijacking, tried in Chromium: a page served by another server (another origin) opens the chat
/// sample's endpoint, over WebSocket and over a long-polling open, and is refused with 403 before any 101.
/// </summary>
public sealed class CrossOriginBrowserTests(ChatServerFixture server, ChromiumFixture chromium)
    : IClassFixture<ChatServerFixture>, IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    // Resolves with what happened to one `new WebSocket(url)`: "open", or "close:CODE" without an open before it.
    private const string Attempt = """
        url => new Promise(resolve => {
          const events = [];
          const ws = new WebSocket(url);
          ws.onopen = () => { events.push("open"); ws.close(); };
          ws.onclose = e => { events.push("close:" + e.code); resolve(events.join(",")); };
          setTimeout(() => resolve(events.join(",") || "timeout"), 10000);
        })
        """;

    private readonly WebSocketServer _foreign = new(new WebSocketServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) });

    public Task InitializeAsync()
    {
        _foreign.MapStaticFile("/", "text/html", Encoding.UTF8.GetBytes("<!doctype html><title>another site</title>"));
        _foreign.MapStaticFile("/framing", "text/html", Encoding.UTF8.GetBytes(
            $"<!doctype html><title>another site</title><iframe src=\"{server.Chat.HttpUri("/")}\"></iframe>"));
        _foreign.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _foreign.DisposeAsync();

    [Fact]
    public async Task Page_from_another_origin_is_refused_and_its_onopen_never_fires()
    {
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"http://127.0.0.1:{_foreign.LocalEndPoint.Port}/");

        var outcome = await page.EvaluateAsync<string>(Attempt, server.Chat.WebSocketUri("/ws/xsitews").ToString());
        Assert.Equal("close:1006", outcome);

        // A long-polling open from the same page: the browser sends it (a "simple" cross-origin POST), the server refuses it.
        await page.EvaluateAsync("url => fetch(url, { method: 'POST', mode: 'no-cors' }).catch(() => {})",
            server.Chat.HttpUri("/ws/xsitelp?transport=longpolling").ToString());

        // Refusals are logged at Debug only, so the room is asked instead: a member who joins after both attempts were
        // answered (the fetch above resolved with the refusal) sees neither of them in the roster.
        var roster = await RosterAsync();
        Assert.Contains("xsitemark", roster);
        Assert.DoesNotContain("xsitews", roster);
        Assert.DoesNotContain("xsitelp", roster);
    }

    [Fact]
    public async Task Page_from_the_servers_own_origin_connects()
    {
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(server.Chat.HttpUri("/").ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.DOMContentLoaded });

        var outcome = await page.EvaluateAsync<string>(Attempt, server.Chat.WebSocketUri("/ws/sameorigin").ToString());
        Assert.StartsWith("open,close:", outcome, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_from_another_origin_cannot_show_the_chat_in_a_frame()
    {
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var refused = page.WaitForConsoleMessageAsync(new()
        {
            Predicate = m => m.Text.Contains("frame-ancestors 'none'", StringComparison.Ordinal),
            Timeout = 15_000,
        });

        await page.GotoAsync($"http://127.0.0.1:{_foreign.LocalEndPoint.Port}/framing");

        await refused;
        Assert.Equal(0, await page.FrameLocator("iframe").GetByTestId("name-input").CountAsync());
    }

    /// <summary>The roster a new member of the room is given when it joins.</summary>
    private async Task<IReadOnlyList<string>> RosterAsync()
    {
        var roster = new TaskCompletionSource<Roster>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = new SwitchboardClient(server.Chat.WebSocketUri("/ws/xsitemark"), SwitchboardMessages.Catalog);
        client.On<Roster>(r => roster.TrySetResult(r));
        await client.ConnectAsync();
        return (await roster.Task.WaitAsync(TimeSpan.FromSeconds(15))).Users;
    }
}
