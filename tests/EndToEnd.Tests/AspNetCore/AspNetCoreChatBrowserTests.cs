using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Playwright;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests.AspNetCore;

/// <summary>
/// samples/Chat.AspNetCore in Debian's headless Chromium: the sign-in cookie names the user, the "chatter" policy
/// keeps everyone else off /ws, and POST /announce reaches every page, over WebSocket and over long polling.
/// </summary>
public sealed class AspNetCoreChatBrowserTests(AspNetCoreChatFixture server, ChromiumFixture chromium)
    : IClassFixture<AspNetCoreChatFixture>, IClassFixture<ChromiumFixture>
{
    private Uri Site => server.Chat.HttpUri("/");

    // Each test uses its own names: the class shares one server.
    private static string Name(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..12];

    [Fact]
    public async Task Alice_and_bob_sign_in_see_the_roster_and_chat_over_WebSocket()
    {
        var alice = Name("alice");
        var bob = Name("bob");
        var site = server.Chat.HttpUri("/?transport=websocket");
        await using var a = await SignedInChatPage.SignInAsync(chromium.Browser, site, alice);
        await using var b = await SignedInChatPage.SignInAsync(chromium.Browser, site, bob);
        await a.ExpectRosterAsync(alice, bob);
        await b.ExpectRosterAsync(alice, bob);
        await Expect(a.Status).ToHaveAttributeAsync("data-transport", "websocket");
        await Expect(a.Page.GetByTestId("me")).ToContainTextAsync(alice);

        await a.SendAsync("hello from alice");
        await b.ExpectMessageAsync(alice, "hello from alice");
        await b.SendAsync("hi alice, bob here");
        await a.ExpectMessageAsync(bob, "hi alice, bob here");
    }

    [Fact]
    public async Task Without_the_cookie_the_chat_endpoint_refuses_the_browser_with_401()
    {
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(Site.ToString());
        await Expect(page.GetByTestId("signin-form")).ToBeVisibleAsync();

        // The browser's own WebSocket, from the site's page but with no cookie: the upgrade is refused, so it never
        // opens (a browser reports any refused upgrade as 1006).
        var outcome = await page.EvaluateAsync<int[]>("""
            () => new Promise(resolve => {
              const socket = new WebSocket(`ws://${location.host}/ws`);
              let opened = 0;
              socket.onopen = () => { opened = 1; };
              socket.onclose = (event) => resolve([opened, event.code]);
            })
            """);
        Assert.Equal([0, 1006], outcome);

        // What the browser cannot show: the answer is the policy's 401, on both transports, and not a redirect.
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(server.Chat.WebSocketUri("/ws"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var open = await http.PostAsync(server.Chat.HttpUri("/ws?transport=longpolling"), new StringContent(""));
        Assert.Equal(HttpStatusCode.Unauthorized, open.StatusCode);
        using var me = await http.GetAsync(server.Chat.HttpUri("/me"));
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task An_announcement_reaches_every_page_and_needs_the_token()
    {
        var alice = Name("alice");
        var bob = Name("bob");
        await using var a = await SignedInChatPage.SignInAsync(chromium.Browser, Site, alice);
        await using var b = await SignedInChatPage.SignInAsync(chromium.Browser, Site, bob);
        await a.ExpectRosterAsync(alice, bob);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using (var refused = await AnnounceAsync(http, "from a stranger", token: "wrong"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        using (var empty = await AnnounceAsync(http, "  ", AspNetCoreChatFixture.AnnounceToken))
        {
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
            Assert.Contains("'text': a message cannot be empty", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var sent = await AnnounceAsync(http, "the room closes at six", AspNetCoreChatFixture.AnnounceToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, sent.StatusCode);
        }

        await a.ExpectAnnouncementAsync("the room closes at six");
        await b.ExpectAnnouncementAsync("the room closes at six");
        // The refused one never arrived: it was sent first, and the pages show messages in order.
        await Expect(b.Page.Locator("li[data-kind=announcement]")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Pages_forced_to_long_polling_chat_and_hear_announcements_without_any_WebSocket()
    {
        var alice = Name("alice");
        var bob = Name("bob");
        var site = server.Chat.HttpUri("/?transport=longpolling");
        await using var a = await SignedInChatPage.SignInAsync(chromium.Browser, site, alice);
        await using var b = await SignedInChatPage.SignInAsync(chromium.Browser, site, bob);
        var sockets = 0;
        foreach (var page in new[] { a.Page, b.Page }) page.WebSocket += (_, _) => Interlocked.Increment(ref sockets);
        await a.ExpectRosterAsync(alice, bob);
        await b.ExpectRosterAsync(alice, bob);
        await Expect(a.Status).ToHaveAttributeAsync("data-transport", "longpolling");
        await Expect(b.Status).ToHaveAttributeAsync("data-transport", "longpolling");

        await a.SendAsync("hello over long polling");
        await b.ExpectMessageAsync(alice, "hello over long polling");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var sent = await AnnounceAsync(http, "polled announcement", AspNetCoreChatFixture.AnnounceToken);
        Assert.Equal(HttpStatusCode.NoContent, sent.StatusCode);
        await a.ExpectAnnouncementAsync("polled announcement");
        await b.ExpectAnnouncementAsync("polled announcement");
        Assert.Equal(0, Volatile.Read(ref sockets));
    }

    [Fact]
    public async Task A_second_tab_of_a_signed_in_user_could_not_join_and_the_first_keeps_its_place()
    {
        var carol = Name("carol");
        await using var first = await SignedInChatPage.SignInAsync(chromium.Browser, Site, carol);

        // The same browser context shares the cookie: the second tab is carol too.
        var second = await first.Context.NewPageAsync();
        second.SetDefaultTimeout(15_000);
        await second.GotoAsync(Site.ToString());
        await Expect(second.GetByTestId("error")).ToContainTextAsync("Could not join: ");
        await Expect(second.GetByTestId("error")).ToContainTextAsync("taken");
        await Expect(second.GetByTestId("composer-input")).ToBeDisabledAsync();

        await first.SendAsync("still mine");
        await first.ExpectMessageAsync(carol, "still mine");
        await first.ExpectRosterAsync(carol);
    }

    [Fact]
    public async Task An_invalid_name_is_refused_at_sign_in()
    {
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(Site.ToString());
        var chat = new SignedInChatPage(context, page);
        await chat.SubmitSignInAsync("no spaces allowed");

        await Expect(chat.Error).ToContainTextAsync("Could not sign in: 'name' must be 1-32 ASCII letters");
        await Expect(page.GetByTestId("signin-form")).ToBeVisibleAsync();
        Assert.Empty(await context.CookiesAsync());
    }

    [Fact]
    public async Task Signing_out_leaves_the_room_and_shows_the_sign_in_form()
    {
        var dave = Name("dave");
        var erin = Name("erin");
        await using var d = await SignedInChatPage.SignInAsync(chromium.Browser, Site, dave);
        await using var e = await SignedInChatPage.SignInAsync(chromium.Browser, Site, erin);
        await e.ExpectRosterAsync(dave, erin);

        await d.Page.GetByTestId("signout").ClickAsync();
        await Expect(d.Page.GetByTestId("signin-form")).ToBeVisibleAsync();
        await e.ExpectLeftAsync(dave);
        await e.ExpectRosterAsync(erin);
        Assert.DoesNotContain(await d.Context.CookiesAsync(), cookie => cookie.Name == "chat");
    }

    [Fact]
    public async Task Serves_the_page_the_client_module_and_the_protocol()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var page = await http.GetAsync(Site);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("form-action 'none'", Assert.Single(page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(page.Headers.GetValues("X-Content-Type-Options")));
        var module = await http.GetStringAsync(server.Chat.HttpUri("/switchboard.js"));
        Assert.Contains("class SwitchboardClient", module, StringComparison.Ordinal);
        var protocol = await http.GetStringAsync(server.Chat.HttpUri("/protocol.json"));
        Assert.Contains("chat.announcement", protocol, StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> AnnounceAsync(HttpClient http, string text, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, server.Chat.HttpUri("/announce"))
        {
            Content = new StringContent($$"""{"text":"{{text}}"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Announce-Token", token);
        return http.SendAsync(request);
    }
}
