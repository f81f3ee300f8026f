using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Switchboard.Client;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// The server with <see cref="WebSocketServerOptions.Tls"/> set: wss:// and https:// on one port, for .NET's clients
/// and the project's own, and what happens to peers that do not speak TLS.
/// </summary>
public sealed class TlsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static TestServer StartServer(LogRecorder? logs = null, TimeSpan? handshakeTimeout = null)
    {
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog).On<Route>((context, route) => context.SendAsync(new Note(route.Target, route.Seq)));
        var options = new WebSocketServerOptions
        {
            Tls = TlsCertificate.ServerOptions(),
            HandshakeTimeout = handshakeTimeout ?? TimeSpan.FromSeconds(10),
        };
        return new TestServer(options, logs, server => server
            .Map("/echo", new RecordingEchoHandler())
            .Map("/typed", endpoint)
            .MapGet("/hello", (_, response) =>
            {
                response.WriteText("hello over tls");
                return ValueTask.CompletedTask;
            }));
    }

    private static Uri Wss(TestServer server, string path) => new($"wss://127.0.0.1:{server.Server.LocalEndPoint.Port}{path}");

    private static SwitchboardClientOptions ClientOptions(SwitchboardTransport transport) => new()
    {
        Transport = transport,
        Connection = new WebSocketClientOptions { RemoteCertificateValidation = TlsCertificate.Pinned },
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(50),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task ClientWebSocket_echoes_over_wss_with_a_pinned_certificate()
    {
        await using var server = StartServer();
        using var client = new ClientWebSocket();
        client.Options.RemoteCertificateValidationCallback = TlsCertificate.Pinned;
        using var timeout = new CancellationTokenSource(Bound);

        await client.ConnectAsync(Wss(server, "/echo"), timeout.Token);
        await client.SendAsync("over tls"u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[64];
        var received = await client.ReceiveAsync(buffer, timeout.Token);

        Assert.Equal("over tls", Encoding.UTF8.GetString(buffer, 0, received.Count));
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
    }

    [Fact]
    public async Task ClientWebSocket_refuses_the_certificate_without_the_pin()
    {
        await using var server = StartServer();
        using var client = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(Bound);

        await Assert.ThrowsAsync<WebSocketException>(() => client.ConnectAsync(Wss(server, "/echo"), timeout.Token));

        // The failed handshake cost the server nothing: the next client is served.
        using var pinned = new ClientWebSocket();
        pinned.Options.RemoteCertificateValidationCallback = TlsCertificate.Pinned;
        await pinned.ConnectAsync(Wss(server, "/echo"), timeout.Token);
        Assert.Equal(WebSocketState.Open, pinned.State);
    }

    [Theory]
    [InlineData(SwitchboardTransport.WebSocket)]
    [InlineData(SwitchboardTransport.LongPolling)]
    public async Task SwitchboardClient_round_trips_over_tls(SwitchboardTransport transport)
    {
        await using var server = StartServer();
        var notes = new System.Collections.Concurrent.ConcurrentQueue<Note>();
        await using var client = new SwitchboardClient(Wss(server, "/typed"), SwitchboardMessages.Catalog, ClientOptions(transport));
        var arrived = new Changes();
        client.On<Note>(note =>
        {
            notes.Enqueue(note);
            arrived.Pulse();
        });

        await client.ConnectAsync().WaitAsync(Bound);
        Assert.Equal(transport, client.Transport);
        await client.SendAsync(new Route("secure", null, 1));
        await arrived.UntilAsync(() => !notes.IsEmpty, "the note came back", Bound);

        Assert.Equal([new Note("secure", 1)], notes);
        if (transport == SwitchboardTransport.LongPolling) Assert.Equal(1, server.Server.LongPollingSessionCount);
        else Assert.Equal(1, server.Server.ConnectionCount);
    }

    [Fact]
    public async Task HttpClient_gets_a_route_over_https()
    {
        await using var server = StartServer();
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = TlsCertificate.Pinned;
        using var client = new HttpClient(handler) { Timeout = Bound };

        using var response = await client.GetAsync(new Uri($"https://127.0.0.1:{server.Server.LocalEndPoint.Port}/hello"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("hello over tls", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Plain_text_client_on_the_tls_port_is_dropped_and_the_failure_logged()
    {
        using var logs = new LogRecorder();
        await using var server = StartServer(logs);
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendAsync("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        Assert.True(await raw.ClosedByServerAsync(Bound));
        await logs.WaitForAsync(20, "Switchboard.Server");
        Assert.Equal(0, server.Server.ConnectionCount);
    }

    [Fact]
    public async Task Client_that_never_starts_tls_is_dropped_after_the_handshake_timeout()
    {
        var timeout = TimeSpan.FromMilliseconds(500);
        using var logs = new LogRecorder();
        await using var server = StartServer(logs, timeout);
        // Taken before the connect: the server's clock starts at accept, which the client's connect may see only later.
        var started = Stopwatch.GetTimestamp();
        using var raw = await RawClient.ConnectAsync(server);

        Assert.True(await raw.ClosedByServerAsync(Bound));

        Assert.True(Stopwatch.GetElapsedTime(started) >= timeout - TimeSpan.FromMilliseconds(50));
        await logs.WaitForAsync(21, "Switchboard.Server");
    }

    [Theory]
    [InlineData("https", true)]
    [InlineData("http", false)]
    public async Task The_servers_own_origin_is_https_when_it_speaks_TLS(string scheme, bool allowed)
    {
        await using var server = StartServer();
        var origin = $"{scheme}://127.0.0.1:{server.Server.LocalEndPoint.Port}";

        using var client = new ClientWebSocket();
        client.Options.RemoteCertificateValidationCallback = TlsCertificate.Pinned;
        client.Options.SetRequestHeader("Origin", origin);
        client.Options.CollectHttpResponseDetails = true;
        using var timeout = new CancellationTokenSource(Bound);
        var upgrade = client.ConnectAsync(Wss(server, "/typed"), timeout.Token);
        if (allowed) await upgrade;
        else await Assert.ThrowsAnyAsync<WebSocketException>(() => upgrade);
        Assert.Equal(allowed ? HttpStatusCode.SwitchingProtocols : HttpStatusCode.Forbidden, client.HttpStatusCode);

        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = TlsCertificate.Pinned;
        using var http = new HttpClient(handler);
        using var open = new HttpRequestMessage(HttpMethod.Post, $"https://127.0.0.1:{server.Server.LocalEndPoint.Port}/typed?transport=longpolling");
        open.Headers.Add("Origin", origin);
        using var response = await http.SendAsync(open, timeout.Token);
        Assert.Equal(allowed ? HttpStatusCode.OK : HttpStatusCode.Forbidden, response.StatusCode);
    }
}
