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

    [Theory]
    [InlineData("/")]
    [InlineData("/index.html")]
    [InlineData("/chat.js")]
    [InlineData("/chat.css")]
    [InlineData("/switchboard.js")]
    [InlineData("/missing.txt")]
    public async Task The_page_and_its_files_are_served_with_a_strict_content_security_policy(string path)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(server.Chat.HttpUri(path));

        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var directives = policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d[(d.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        Assert.Equal("'self'", directives["default-src"]);
        Assert.Equal("'none'", directives["frame-ancestors"]);
        Assert.Equal("'none'", directives["base-uri"]);
        Assert.Equal("'none'", directives["object-src"]);
        Assert.Equal("'none'", directives["form-action"]);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("data:", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("*", policy, StringComparison.Ordinal);
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task Under_its_policy_the_page_chats_over_WebSocket_without_a_violation_and_an_inline_script_is_blocked()
    {
        var name = Name("csp");
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        var complaints = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal)) lock (complaints) complaints.Add(message.Text);
        };
        await page.AddInitScriptAsync("""
            window.violations = [];
            document.addEventListener('securitypolicyviolation', e => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
            """);
        await page.GotoAsync(server.Chat.HttpUri("/?transport=websocket").ToString());
        await page.GetByTestId("name-input").FillAsync(name);
        await page.GetByTestId("join-button").ClickAsync();
        var chat = new ChatPage(context, page);
        await chat.ExpectRosterAsync(name);
        await Expect(page.GetByTestId("status")).ToHaveAttributeAsync("data-transport", "websocket");
        await chat.SendAsync("under the policy");
        await chat.ExpectMessageAsync(name, "under the policy");
        Assert.Empty(await page.EvaluateAsync<string[]>("() => window.violations"));
        lock (complaints) Assert.Empty(complaints);

        // Script injected into the page (as an HTML injection would put it there) does not run, neither an element nor
        // an event handler attribute, and the policy reports both.
        var blocked = await page.EvaluateAsync<string[]>("""
            () => new Promise(resolve => {
              const seen = [];
              document.addEventListener('securitypolicyviolation', e => seen.push(e.effectiveDirective));
              const script = document.createElement('script');
              script.textContent = 'window.inlineRan = true';
              document.body.append(script);
              const image = document.createElement('img');
              image.setAttribute('onerror', 'window.inlineRan = true');
              image.src = 'missing.png';
              document.body.append(image);
              const started = Date.now();
              const poll = () => seen.length >= 2 || Date.now() - started > 5000 ? resolve(seen) : setTimeout(poll, 20);
              poll();
            })
            """);
        Assert.Equal(["script-src-attr", "script-src-elem"], blocked.Order());
        Assert.Null(await page.EvaluateAsync<bool?>("() => window.inlineRan ?? null"));
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
        await a.ExpectLeftAsync(bob);
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
    public async Task A_second_tab_with_a_taken_name_could_not_join_has_a_disabled_composer_and_never_reconnects()
    {
        var name = Name("taken");
        await using var first = await ChatPage.OpenAsync(chromium.Browser, Site, name);

        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        var sockets = 0;
        var pollingOpens = 0;
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        page.WebSocket += (_, socket) =>
        {
            Interlocked.Increment(ref sockets);
            socket.Close += (_, _) => closed.TrySetResult();
        };
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("transport=longpolling", StringComparison.Ordinal)) Interlocked.Increment(ref pollingOpens);
        };
        await page.GotoAsync(Site.ToString());
        await page.GetByTestId("name-input").FillAsync(name);
        await page.GetByTestId("join-button").ClickAsync();

        // The server closes the upgraded connection with 1008 and its reason; the client decides in that close event.
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(15));
        await Expect(page.GetByTestId("error")).ToContainTextAsync("Could not join: ");
        await Expect(page.GetByTestId("error")).ToContainTextAsync("taken");
        await Expect(page.GetByTestId("composer-input")).ToBeDisabledAsync();
        await Expect(page.GetByTestId("send-button")).ToBeDisabledAsync();
        await Expect(page.GetByTestId("status")).ToHaveAttributeAsync("data-state", "closed");
        await Expect(page.GetByTestId("status")).Not.ToContainTextAsync("Reconnecting");
        Assert.Equal(1, Volatile.Read(ref sockets));
        Assert.Equal(0, Volatile.Read(ref pollingOpens));

        // The first tab keeps its place.
        await first.SendAsync("still mine");
        await first.ExpectMessageAsync(name, "still mine");
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
