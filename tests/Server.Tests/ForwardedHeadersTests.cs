using System.Net;
using Switchboard.Server.Diagnostics;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// <see cref="WebSocketServerOptions.ForwardedHeaders"/> (docs/deployment.md): behind a proxy that terminates HTTPS the
/// origin rule, the Host check and the client address follow what a known proxy forwarded; from any other peer, or with
/// the option unset, the forwarded fields are ignored; a known proxy's malformed fields get 400.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private const string ServerCategory = "Switchboard.Server";
    private static readonly IPAddress Untrusted = IPAddress.Parse("127.0.0.2");

    private static readonly TrustedProxyOptions TrustLoopback = new() { KnownProxies = [IPAddress.Loopback] };

    private static TestServer Start(TrustedProxyOptions? forwarded, LogRecorder? log = null, IReadOnlyList<string>? hosts = null) =>
        new(new WebSocketServerOptions { ForwardedHeaders = forwarded, AllowedHosts = hosts }, log, server => server
            .Map("/ws", new RecordingEchoHandler())
            .Map("/room/{name}", new MessageEndpoint(SwitchboardMessages.Catalog))
            .MapGet("/who", (request, response) =>
            {
                response.WriteText(request.RemoteEndPoint is IPEndPoint ip ? ip.Address.ToString() : "?");
                return ValueTask.CompletedTask;
            }));

    /// <summary>An upgrade as nginx sends it for a page at https://chat.example: Host and Origin name the public site.</summary>
    private static async Task<string> UpgradeAsync(TestServer server, string fields, IPAddress? from = null)
    {
        using var raw = await RawClient.ConnectAsync(server.Server.LocalEndPoint.Port, from);
        await raw.SendAsync("GET /ws HTTP/1.1\r\nHost: chat.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: https://chat.example\r\n" + fields + "\r\n");
        return await raw.ReadHeadAsync();
    }

    private static async Task<RawHttpResponse> GetAsync(TestServer server, string target, string fields, IPAddress? from = null)
    {
        using var raw = await RawClient.ConnectAsync(server.Server.LocalEndPoint.Port, from);
        await raw.SendAsync($"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{fields}\r\n");
        return await raw.ReadResponseAsync();
    }

    [Fact]
    public async Task Https_page_behind_a_trusted_proxy_passes_the_origin_rule()
    {
        await using var server = Start(TrustLoopback, hosts: ["chat.example"]);

        var head = await UpgradeAsync(server, "X-Forwarded-Proto: https\r\nX-Forwarded-For: 203.0.113.9\r\n");

        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_trust_the_same_request_is_refused_as_another_origin()
    {
        await using var off = Start(null, hosts: ["chat.example"]);
        Assert.StartsWith("HTTP/1.1 403", await UpgradeAsync(off, "X-Forwarded-Proto: https\r\n"), StringComparison.Ordinal);

        // Trusted proxies configured, but this peer is not one of them: its fields are ignored.
        await using var other = Start(TrustLoopback, hosts: ["chat.example"]);
        var head = await UpgradeAsync(other, "X-Forwarded-Proto: https\r\n", Untrusted);
        Assert.StartsWith("HTTP/1.1 403", head, StringComparison.Ordinal);
        await using var plain = Start(TrustLoopback);
        Assert.Equal("127.0.0.2", (await GetAsync(plain, "/who", "X-Forwarded-For: 203.0.113.9\r\n", Untrusted)).Text);
    }

    [Fact]
    public async Task Forwarded_host_is_the_host_the_origin_and_the_Host_check_judge()
    {
        // nginx with Host $proxy_host: the upstream's name in Host, the public one in X-Forwarded-Host.
        await using var server = Start(TrustLoopback);
        using var raw = await RawClient.ConnectAsync(server);
        await raw.SendAsync("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: https://localhost:8443\r\n" +
            "X-Forwarded-Proto: https\r\nX-Forwarded-Host: localhost:8443\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 101", await raw.ReadHeadAsync(), StringComparison.Ordinal);

        // A forwarded host the server does not answer for is misdirected, as a Host would be.
        var misdirected = await GetAsync(server, "/who", "X-Forwarded-Host: evil.example\r\n");
        Assert.Equal(421, misdirected.Status);
    }

    [Fact]
    public async Task The_client_is_the_right_most_address_that_is_not_a_known_proxy()
    {
        await using var server = Start(new TrustedProxyOptions
        {
            KnownProxies = [IPAddress.Loopback],
            KnownNetworks = [IPNetwork.Parse("10.0.0.0/8")],
        });

        // The left-most entry is whatever the client claimed; only the hops known proxies added are believed.
        var response = await GetAsync(server, "/who", "X-Forwarded-For: 203.0.113.9, 198.51.100.7, 10.1.2.3\r\n");
        Assert.Equal("198.51.100.7", response.Text);
        // Several fields are one list.
        response = await GetAsync(server, "/who", "X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-For: 10.1.2.3\r\n");
        Assert.Equal("203.0.113.9", response.Text);
        // A port and IPv6 are taken as nginx and others write them.
        Assert.Equal("2001:db8::1", (await GetAsync(server, "/who", "X-Forwarded-For: [2001:db8::1]:4711\r\n")).Text);
        Assert.Equal("192.0.2.1", (await GetAsync(server, "/who", "X-Forwarded-For: 192.0.2.1:80\r\n")).Text);
    }

    [Fact]
    public async Task Rfc7239_Forwarded_is_read_when_enabled()
    {
        await using var server = Start(new TrustedProxyOptions { KnownProxies = [IPAddress.Loopback], Headers = ForwardedHeaderKinds.All },
            hosts: ["chat.example"]);

        var head = await UpgradeAsync(server, "Forwarded: for=\"[2001:db8::7]:4711\";proto=https;host=chat.example\r\n");
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);

        using var raw = await RawClient.ConnectAsync(server);
        await raw.SendAsync("GET /who HTTP/1.1\r\nHost: chat.example\r\n" +
            "Forwarded: for=192.0.2.43, for=198.51.100.17;by=203.0.113.60;proto=http;host=chat.example\r\nX-Forwarded-For: 10.9.9.9\r\n\r\n");
        Assert.Equal("198.51.100.17", (await raw.ReadResponseAsync()).Text);

        // Only the kinds enabled are read: with the default, Forwarded is ignored.
        await using var xOnly = Start(TrustLoopback, hosts: ["chat.example"]);
        Assert.StartsWith("HTTP/1.1 403", await UpgradeAsync(xOnly, "Forwarded: proto=https\r\n"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("X-Forwarded-For: not-an-address", "X-Forwarded-For entry 'not-an-address' is not an IP address")]
    [InlineData("X-Forwarded-For: 1", "X-Forwarded-For entry '1' is not an IP address")]
    [InlineData("X-Forwarded-Proto: ftp", "X-Forwarded-Proto entry 'ftp' is malformed")]
    [InlineData("X-Forwarded-Host: a b", "X-Forwarded-Host entry 'a b' is malformed")]
    [InlineData("Forwarded: for", "Forwarded element is not name=value pairs")]
    [InlineData("Forwarded: for=\"unterminated", "Forwarded parameter 'for' has a malformed value")]
    [InlineData("Forwarded: proto=gopher", "Forwarded proto='gopher' is not http or https")]
    public async Task Malformed_fields_from_a_known_proxy_get_400_with_the_reason(string field, string reason)
    {
        using var log = new LogRecorder();
        await using var server = Start(new TrustedProxyOptions { KnownProxies = [IPAddress.Loopback], Headers = ForwardedHeaderKinds.All }, log);
        using var metrics = new LimitMetrics(server.Server);

        var response = await GetAsync(server, "/who", field + "\r\n");

        Assert.Equal(400, response.Status);
        Assert.Contains(reason, response.Text, StringComparison.Ordinal);
        Assert.Equal("close", response["Connection"]);
        Assert.Equal(1, metrics[ServerLimit.ForwardedHeaders]);
        var entry = await log.WaitForAsync(601, ServerCategory);
        Assert.Contains(reason, entry.Message, StringComparison.Ordinal);

        // From a peer that is not a known proxy the same field is ignored.
        Assert.Equal(200, (await GetAsync(server, "/who", field + "\r\n", Untrusted)).Status);
    }

    [Fact]
    public async Task Long_polling_sessions_count_against_the_forwarded_client()
    {
        await using var server = new TestServer(new WebSocketServerOptions
        {
            ForwardedHeaders = TrustLoopback,
            LongPolling = new LongPollingOptions { MaxSessionsPerAddress = 1 },
        }, server => server.Map("/room/{name}", new MessageEndpoint(SwitchboardMessages.Catalog)));

        async Task<int> OpenAsync(string client)
        {
            using var raw = await RawClient.ConnectAsync(server);
            await raw.SendAsync($"POST /room/a?transport=longpolling HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: {client}\r\nContent-Length: 0\r\n\r\n");
            return (await raw.ReadResponseAsync()).Status;
        }

        Assert.Equal(200, await OpenAsync("203.0.113.1"));
        Assert.Equal(200, await OpenAsync("203.0.113.2"));
        Assert.Equal(503, await OpenAsync("203.0.113.1"));
    }
}
