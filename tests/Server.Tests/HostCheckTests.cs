using System.Globalization;
using System.Net;
using Switchboard.Server.Admission;
using Switchboard.Server.Diagnostics;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// <see cref="WebSocketServerOptions.AllowedHosts"/> (docs/security.md, "Who may connect"): a request naming a host the
/// server does not answer for gets 421 before any route or origin rule, on every kind of request; this is what stops a
/// DNS-rebinding page from passing for the server's own origin.
/// </summary>
public sealed class HostCheckTests : IAsyncLifetime
{
    private readonly RecordingEchoHandler _raw = new();
    private readonly string _files = Directory.CreateTempSubdirectory("hostcheck-").FullName;
    private TestServer _server = null!;

    private int Port => _server.Server.LocalEndPoint.Port;

    public Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_files, "index.html"), "<!doctype html><title>chat</title>");
        _server = Start(null);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_files, recursive: true);
    }

    private TestServer Start(WebSocketServerOptions? options) => new(options, server => server
        .Map("/ws", _raw)
        .Map("/room/{name}", new MessageEndpoint(SwitchboardMessages.Catalog))
        .MapGet("/hello", (_, response) =>
        {
            response.WriteText("hello");
            return ValueTask.CompletedTask;
        })
        .MapStaticFiles("/static", _files));

    [Fact]
    public async Task Dns_rebinding_upgrade_with_a_foreign_host_and_its_own_origin_gets_421()
    {
        using var metrics = new LimitMetrics(_server.Server);
        // The page at http://evil.example:PORT, whose name now resolves to 127.0.0.1: to the origin rule it looks like the
        // server's own origin, since Host and Origin agree.
        var head = await UpgradeAsync(_server, "/ws", $"evil.example:{Port}", $"Origin: http://evil.example:{Port}\r\n");

        Assert.StartsWith("HTTP/1.1 421 Misdirected Request", head, StringComparison.Ordinal);
        Assert.False(_raw.Connected.Task.IsCompleted);
        Assert.Equal(1, metrics[ServerLimit.Host]);

        // The same page under the server's own name still connects.
        var own = await UpgradeAsync(_server, "/ws", $"127.0.0.1:{Port}", $"Origin: http://127.0.0.1:{Port}\r\n");
        Assert.StartsWith("HTTP/1.1 101", own, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET /hello HTTP/1.1")] // an HTTP route
    [InlineData("GET /static/index.html HTTP/1.1")] // a static file
    [InlineData("GET /nowhere HTTP/1.1")] // before the 404: the host is judged first
    [InlineData("POST /room/x?transport=longpolling HTTP/1.1")] // a long-polling open
    [InlineData("GET /room/x?transport=longpolling&sid=whatever HTTP/1.1")] // a poll
    public async Task Every_kind_of_request_with_a_foreign_host_gets_421_and_the_connection_is_closed(string requestLine)
    {
        using var metrics = new LimitMetrics(_server.Server);
        using var raw = await RawClient.ConnectAsync(_server);
        await raw.SendAsync($"{requestLine}\r\nHost: evil.example:{Port}\r\nOrigin: http://evil.example:{Port}\r\nContent-Length: 0\r\n\r\n");

        var response = await raw.ReadResponseAsync();
        Assert.Equal(421, response.Status);
        Assert.Equal("close", response["Connection"]);
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, metrics[ServerLimit.Host]);
    }

    [Fact]
    public async Task A_foreign_host_later_on_a_keep_alive_connection_is_refused_too()
    {
        using var raw = await RawClient.ConnectAsync(_server);
        await raw.SendGetAsync("/hello");
        Assert.Equal(200, (await raw.ReadResponseAsync()).Status);
        await raw.SendAsync("GET /hello HTTP/1.1\r\nHost: evil.example\r\n\r\n");
        Assert.Equal(421, (await raw.ReadResponseAsync()).Status);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:PORT")]
    [InlineData("localhost:PORT")]
    [InlineData("LOCALHOST")]
    [InlineData("localhost.:PORT")]
    [InlineData("[::1]:PORT")]
    [InlineData("127.0.0.1:8080")] // a listed name without a port is that name on any port (a proxy in front, say)
    public async Task Loopback_names_are_allowed_by_default(string host)
    {
        Assert.Equal(200, await GetStatusAsync(_server, host.Replace("PORT", Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("evil.example", 421)]
    [InlineData("localhost.evil.example", 421)]
    [InlineData("127.0.0.1.nip.io", 421)]
    [InlineData("10.0.0.1", 421)] // another address: not what a loopback server listens on
    [InlineData("user@127.0.0.1", 400)]
    public async Task Other_hosts_are_refused_by_default(string host, int status)
    {
        Assert.Equal(status, await GetStatusAsync(_server, host));
    }

    [Fact]
    public async Task Http10_request_without_Host_gets_400()
    {
        using var raw = await RawClient.ConnectAsync(_server);
        await raw.SendAsync("GET /hello HTTP/1.0\r\n\r\n");
        Assert.Equal(400, (await raw.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task Configured_hosts_replace_the_default_and_a_star_allows_any()
    {
        await using (var listed = Start(new WebSocketServerOptions { AllowedHosts = ["chat.example", "*.apps.example", "api.example:8443"] }))
        {
            Assert.Equal(200, await GetStatusAsync(listed, "chat.example"));
            Assert.Equal(200, await GetStatusAsync(listed, "CHAT.example:1234"));
            Assert.Equal(200, await GetStatusAsync(listed, "one.apps.example"));
            Assert.Equal(421, await GetStatusAsync(listed, "apps.example"));
            Assert.Equal(200, await GetStatusAsync(listed, "api.example:8443"));
            Assert.Equal(421, await GetStatusAsync(listed, "api.example"));
            Assert.Equal(421, await GetStatusAsync(listed, "127.0.0.1"));
        }

        await using var any = Start(new WebSocketServerOptions { AllowedHosts = ["*"] });
        Assert.Equal(200, await GetStatusAsync(any, "evil.example"));
        var head = await UpgradeAsync(any, "/ws", "evil.example", "Origin: http://evil.example\r\n");
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("http://chat.example")]
    [InlineData("chat.example/")]
    [InlineData("chat.example:http")]
    [InlineData("*.")]
    [InlineData("*.127.0.0.1")]
    [InlineData("ch at.example")]
    public void AllowedHosts_refuses_an_entry_that_is_not_a_host(string entry)
    {
        Assert.Throws<ArgumentException>(() => new WebSocketServerOptions { AllowedHosts = [entry] });
    }

    [Fact]
    public void The_default_follows_the_address_listened_on()
    {
        // Loopback: the loopback names only.
        var loopback = HostFilter.ForDefault(new IPEndPoint(IPAddress.Loopback, 0));
        Assert.Equal(0, loopback.Check("localhost:1"));
        Assert.Equal(421, loopback.Check("192.168.1.5"));

        // Wildcard: any IP address (no DNS answer can rebind a literal) and localhost, but no other name.
        foreach (var wildcard in new[] { IPAddress.Any, IPAddress.IPv6Any })
        {
            var filter = HostFilter.ForDefault(new IPEndPoint(wildcard, 0));
            Assert.Equal(0, filter.Check("192.168.1.5:8001"));
            Assert.Equal(0, filter.Check("[2001:db8::5]:8001"));
            Assert.Equal(0, filter.Check("localhost"));
            Assert.Equal(421, filter.Check("chat.example"));
            Assert.Equal(421, filter.Check("192.168.1.5.evil.example"));
            Assert.Equal(400, filter.Check(""));
        }

        // A specific address: that address.
        var lan = HostFilter.ForDefault(new IPEndPoint(IPAddress.Parse("192.168.1.5"), 0));
        Assert.Equal(0, lan.Check("192.168.1.5:8001"));
        Assert.Equal(421, lan.Check("192.168.1.6"));
        Assert.Equal(421, lan.Check("localhost"));
        Assert.Null(new WebSocketServerOptions().AllowedHosts);
    }

    private static async Task<int> GetStatusAsync(TestServer server, string host)
    {
        using var raw = await RawClient.ConnectAsync(server);
        await raw.SendAsync($"GET /hello HTTP/1.1\r\nHost: {host}\r\n\r\n");
        return (await raw.ReadResponseAsync()).Status;
    }

    private static async Task<string> UpgradeAsync(TestServer server, string path, string host, string extra)
    {
        using var raw = await RawClient.ConnectAsync(server);
        await raw.SendAsync($"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                            $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n");
        return await raw.ReadHeadAsync();
    }
}
