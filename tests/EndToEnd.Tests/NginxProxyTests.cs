using System.Net;
using System.Text;
using Chat;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using Switchboard.Client;
using Switchboard.Server;
using Switchboard.Testing;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// Two chat samples, each behind its own nginx terminating HTTPS with the configuration of docs/nginx/switchboard.conf:
/// one started with <c>--trust-proxy 127.0.0.1</c>, one without. Stopped, nginx first, when the class is done.
/// </summary>
public sealed class ProxiedChatFixture : IAsyncLifetime
{
    private SampleProcess? _trustingChat;
    private SampleProcess? _plainChat;
    private NginxProxy? _trusted;
    private NginxProxy? _untrusted;

    /// <summary>nginx in front of the chat that believes its forwarded fields.</summary>
    internal NginxProxy Trusted => _trusted ?? throw new InvalidOperationException("not started");

    /// <summary>nginx in front of the chat that trusts no proxy.</summary>
    internal NginxProxy Untrusted => _untrusted ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        try
        {
            _trustingChat = await SampleProcess.StartAsync("Chat", "--trust-proxy", "127.0.0.1");
            _plainChat = await SampleProcess.StartAsync("Chat");
            _trusted = await NginxProxy.StartAsync(_trustingChat.Port);
            _untrusted = await NginxProxy.StartAsync(_plainChat.Port);
        }
        catch
        {
            // Whatever did start is stopped here, so nothing outlives a failed start.
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_trusted is not null) await _trusted.DisposeAsync();
        if (_untrusted is not null) await _untrusted.DisposeAsync();
        if (_trustingChat is not null) await _trustingChat.DisposeAsync();
        if (_plainChat is not null) await _plainChat.DisposeAsync();
    }
}

/// <summary>
/// The deployment of docs/deployment.md, for real: Chromium opens the chat page at <c>https://</c> through nginx and
/// chats over WebSocket and over long polling, which the server admits only because it believes nginx's
/// <c>X-Forwarded-Proto</c>; the same setup without the trust is refused with 403 and its reason.
/// </summary>
public sealed class NginxProxyTests(ProxiedChatFixture proxies, ChromiumFixture chromium)
    : IClassFixture<ProxiedChatFixture>, IClassFixture<ChromiumFixture>
{
    private static string Name(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..12];

    [Fact]
    public async Task Pages_served_over_https_by_nginx_chat_over_WebSocket_and_long_polling()
    {
        var alice = Name("alice");
        var bob = Name("bob");
        await using var a = await OpenAsync(proxies.Trusted.HttpsUri("/?transport=websocket"), alice);
        await using var b = await OpenAsync(proxies.Trusted.HttpsUri("/?transport=longpolling"), bob);
        var sockets = 0;
        var polls = 0;
        b.Page.WebSocket += (_, _) => Interlocked.Increment(ref sockets);
        b.Page.Request += (_, request) =>
        {
            if (request.Method == "GET" && request.Url.Contains("session=", StringComparison.Ordinal)) Interlocked.Increment(ref polls);
        };
        await a.ExpectRosterAsync(alice, bob);
        await b.ExpectRosterAsync(alice, bob);

        await a.SendAsync("over wss through nginx");
        await b.ExpectMessageAsync(alice, "over wss through nginx");
        await b.SendAsync("over long polling through nginx");
        await a.ExpectMessageAsync(bob, "over long polling through nginx");

        Assert.Equal(0, Volatile.Read(ref sockets));
        Assert.True(Volatile.Read(ref polls) > 0, "the long-polling page never polled");
        // The requests reached the chat through nginx, over TLS.
        Assert.Contains("/ws/" + bob + "?", proxies.Trusted.AccessLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_trusted_proxy_the_same_page_is_refused_as_another_origin()
    {
        await using var context = await chromium.Browser.NewContextAsync(new() { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        // The page itself is served: only the endpoints judge the origin.
        await page.GotoAsync(proxies.Untrusted.HttpsUri("/").ToString(), new() { WaitUntil = WaitUntilState.DOMContentLoaded });

        var longPolling = await page.EvaluateAsync<string[]>("""
            async url => {
              const response = await fetch(url, { method: 'POST' });
              return [String(response.status), await response.text()];
            }
            """, proxies.Untrusted.HttpsUri("/ws/" + Name("lp") + "?transport=longpolling").ToString());
        Assert.Equal("403", longPolling[0]);
        Assert.Contains("origin not allowed", longPolling[1], StringComparison.Ordinal);

        var webSocket = await page.EvaluateAsync<string>("""
            url => new Promise(resolve => {
              const events = [];
              const ws = new WebSocket(url);
              ws.onopen = () => { events.push("open"); ws.close(); };
              ws.onclose = e => { events.push("close:" + e.code); resolve(events.join(",")); };
              setTimeout(() => resolve(events.join(",") || "timeout"), 10000);
            })
            """, $"wss://127.0.0.1:{proxies.Untrusted.Port}/ws/{Name("ws")}");
        Assert.Equal("close:1006", webSocket);
        // nginx passed the server's answer on: a 403 for the upgrade, not a 101.
        Assert.Matches(@"""GET /ws/ws[0-9a-f]+ HTTP/1\.1"" 403 ", proxies.Untrusted.AccessLog);
    }

    /// <summary>The chat page in a context of its own that accepts the throwaway certificate, joined as <paramref name="name"/>.</summary>
    private async Task<ChatPage> OpenAsync(Uri site, string name)
    {
        var context = await chromium.Browser.NewContextAsync(new() { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        var chat = new ChatPage(context, page);
        await page.GotoAsync(site.ToString());
        await page.GetByTestId("name-input").FillAsync(name);
        await page.GetByTestId("join-button").ClickAsync();
        return chat;
    }
}

/// <summary>
/// Long polling from a page of another origin, in Chromium: the browser client (switchboard.js) served by one server
/// chats with an endpoint of another that lists the page's origin, through CORS preflights; an origin not listed is
/// refused by the preflight.
/// </summary>
public sealed class CrossOriginLongPollingTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    private readonly WebSocketServer _site = new(new WebSocketServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
    private readonly WebSocketServer _other = new(new WebSocketServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
    private WebSocketServer? _chat;
    private ChatRoom? _room;

    public Task InitializeAsync()
    {
        var page = Encoding.UTF8.GetBytes("<!doctype html><title>another site</title>");
        foreach (var server in new[] { _site, _other })
        {
            server.MapStaticFile("/", "text/html", page);
            server.MapClientScript("/switchboard.js");
            server.Start();
        }

        _chat = new WebSocketServer(new WebSocketServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        _room = new ChatRoom(new MessageEndpoint(SwitchboardMessages.Catalog, NullLoggerFactory.Instance));
        _chat.Map("/ws/{username}", _room.Endpoint, new EndpointOptions { AllowedOrigins = [$"http://127.0.0.1:{_site.LocalEndPoint.Port}"] });
        _chat.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_chat is not null) await _chat.DisposeAsync();
        _room?.Dispose();
        await _site.DisposeAsync();
        await _other.DisposeAsync();
    }

    [Fact]
    public async Task Client_on_a_listed_origin_chats_over_long_polling()
    {
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"http://127.0.0.1:{_site.LocalEndPoint.Port}/");
        // A member of the room hears the page's user leave when its DELETE (a preflighted keepalive request) arrives.
        var left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var watcher = new SwitchboardClient(new Uri($"ws://127.0.0.1:{_chat!.LocalEndPoint.Port}/ws/corswatcher"), SwitchboardMessages.Catalog);
        watcher.On<UserLeft>(m =>
        {
            if (m.User == "corsuser") left.TrySetResult();
        });
        await watcher.ConnectAsync();

        var outcome = await page.EvaluateAsync<string>("""
            async url => {
              const { SwitchboardClient } = await import('/switchboard.js');
              return await new Promise(resolve => {
                const client = new SwitchboardClient(url, { transport: 'longpolling' });
                client.on('chat.message', m => {
                  if (m.text === 'across origins') { resolve('echoed over ' + client.transport); client.close(); }
                });
                client.onState(state => { if (state === 'open') client.send('chat.send', { text: 'across origins' }); });
                setTimeout(() => resolve('timeout in state ' + client.state), 15000);
              });
            }
            """, $"ws://127.0.0.1:{_chat!.LocalEndPoint.Port}/ws/corsuser");
        // The send carries JSON, which no "simple" request may, so it went through a preflight.
        Assert.Equal("echoed over longpolling", outcome);
        await left.Task.WaitAsync(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Page_of_an_origin_not_listed_cannot_read_or_send()
    {
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"http://127.0.0.1:{_other.LocalEndPoint.Port}/");

        var outcome = await page.EvaluateAsync<string>("""
            async url => {
              try {
                await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '[]' });
                return 'read';
              } catch (e) {
                return e.name;
              }
            }
            """, $"http://127.0.0.1:{_chat!.LocalEndPoint.Port}/ws/intruder?session=x&seq=1");
        Assert.Equal("TypeError", outcome);
    }
}
