using System.Threading.Channels;
using Chat;
using Microsoft.Playwright;
using Switchboard.Client;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>The chat sample in Debian's headless Chromium, with the .NET client joining in.</summary>
public sealed class ChatBrowserTests(ChatServerFixture server, ChromiumFixture chromium)
    : IClassFixture<ChatServerFixture>, IClassFixture<ChromiumFixture>
{
    private Uri Site => server.Chat.HttpUri("/");

    // Each test uses its own names: the class shares one server.
    private static string Name(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..12];

    [Fact]
    public async Task Serves_the_page_and_the_client_module()
    {
        using var http = new HttpClient();
        var page = await http.GetAsync(Site);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var module = await http.GetAsync(server.Chat.HttpUri("/switchboard.js"));
        Assert.Equal("text/javascript", module.Content.Headers.ContentType?.MediaType);
        Assert.Contains("class SwitchboardClient", await module.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_pages_chat_and_see_the_roster_change_when_one_leaves()
    {
        var alice = Name("alice");
        var bob = Name("bob");
        await using var a = await ChatPage.OpenAsync(chromium.Browser, Site, alice);
        await using var b = await ChatPage.OpenAsync(chromium.Browser, Site, bob);
        await a.ExpectRosterAsync(alice, bob);
        await b.ExpectRosterAsync(alice, bob);

        await a.SendAsync("hello from alice");
        await b.ExpectMessageAsync(alice, "hello from alice");
        await b.SendAsync("hi alice, bob here");
        await a.ExpectMessageAsync(bob, "hi alice, bob here");

        await b.DisposeAsync();
        await a.ExpectRosterAsync(alice);
    }

    [Fact]
    public async Task Html_injection_renders_as_text()
    {
        var mallory = Name("mallory");
        var victim = Name("victim");
        await using var m = await ChatPage.OpenAsync(chromium.Browser, Site, mallory);
        await using var v = await ChatPage.OpenAsync(chromium.Browser, Site, victim);
        const string attack = "<img src=x onerror=\"window.pwned=1\"><b>bold</b>";
        await m.SendAsync(attack);

        await v.ExpectMessageAsync(mallory, attack);
        Assert.Equal(0, await v.Page.Locator("#messages img, #messages b").CountAsync());
        Assert.Null(await v.Page.EvaluateAsync<int?>("() => window.pwned ?? null"));
    }

    [Fact]
    public async Task Duplicate_name_is_refused()
    {
        var name = Name("dup");
        await using var first = await ChatPage.OpenAsync(chromium.Browser, Site, name);
        await using var second = await ChatPage.OpenAsync(chromium.Browser, Site, name, expectJoined: false);
        await Expect(second.Error).ToContainTextAsync("taken");

        // The first page keeps its place and still chats.
        await first.SendAsync("still here");
        await first.ExpectMessageAsync(name, "still here");
        await first.ExpectRosterAsync(name);
    }

    [Fact]
    public async Task Dotnet_client_and_browser_talk_to_each_other()
    {
        var carol = Name("carol");
        var dave = Name("dave");
        await using var page = await ChatPage.OpenAsync(chromium.Browser, Site, carol);

        var inbox = Channel.CreateUnbounded<object>();
        await using var client = new SwitchboardClient(server.Chat.WebSocketUri("/ws/" + dave), SwitchboardMessages.Catalog);
        client.On<ChatMessage>(m => inbox.Writer.TryWrite(m));
        client.On<DirectMessage>(m => inbox.Writer.TryWrite(m));
        await client.ConnectAsync();
        await page.ExpectRosterAsync(carol, dave);

        await client.SendAsync(new SendChat("hello browser"));
        await page.ExpectMessageAsync(dave, "hello browser");

        await page.SendAsync("hello dotnet");
        Assert.Equal("hello dotnet", (await ReadAsync<ChatMessage>(inbox, m => m.Sender == carol)).Text);

        await page.SendDirectAsync(dave, "psst");
        var direct = await ReadAsync<DirectMessage>(inbox, m => m.From == carol);
        Assert.Equal(("psst", dave), (direct.Text, direct.To));
        Assert.NotNull(direct.SentAt);
    }

    private static async Task<T> ReadAsync<T>(Channel<object> inbox, Func<T, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            if (await inbox.Reader.ReadAsync(timeout.Token) is T message && match(message)) return message;
        }
    }
}
