using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>Plain HTTP/1.1 on the WebSocket server's port: routes, static content, persistent connections, HEAD, 404 and 405.</summary>
public class HttpServingTests
{
    private static readonly byte[] Script = Encoding.UTF8.GetBytes("export const hello = () => 'h\u00e9llo';\n");

    private static TestServer StartServer(WebSocketServerOptions? options = null) => new(options, server => server
        .MapStaticFile("/switchboard.js", "text/javascript; charset=utf-8", Script)
        .MapGet("/api/rooms/{room}", (request, response) =>
        {
            response.ContentType = "application/json";
            response.WriteText($"{{\"room\":\"{request.RouteValues["room"]}\",\"q\":\"{request.GetQueryValue("q")}\"}}");
            return ValueTask.CompletedTask;
        })
        .MapPost("/echo-body", (request, response) =>
        {
            response.ContentType = "application/octet-stream";
            response.SetHeader("Cache-Control", "no-store");
            response.Write(request.Body.Span);
            return ValueTask.CompletedTask;
        })
        .MapGet("/boom", (_, _) => throw new InvalidOperationException("handler failure on purpose"))
        .Map("/ws", new RecordingEchoHandler()));

    private static HttpClient Client(TestServer server) => new()
    {
        BaseAddress = new Uri($"http://127.0.0.1:{server.Server.LocalEndPoint.Port}"),
        Timeout = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task Static_file_is_served_to_HttpClient_with_its_type_and_bytes()
    {
        await using var server = StartServer();
        using var client = Client(server);

        using var response = await client.GetAsync(new Uri("/switchboard.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new MediaTypeHeaderValue("text/javascript") { CharSet = "utf-8" }, response.Content.Headers.ContentType);
        Assert.Equal(Script.Length, response.Content.Headers.ContentLength);
        Assert.True(response.Headers.CacheControl!.NoCache);
        Assert.Equal(Script, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Static_file_over_a_raw_socket_is_byte_exact()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendGetAsync("/switchboard.js");
        var response = await raw.ReadResponseAsync();

        Assert.Equal(
            "HTTP/1.1 200 OK\r\n" +
            "Content-Type: text/javascript; charset=utf-8\r\n" +
            $"Content-Length: {Script.Length}\r\n" +
            "Connection: keep-alive\r\n" +
            "Cache-Control: no-cache\r\n" +
            "X-Content-Type-Options: nosniff\r\n" +
            "\r\n",
            response.Head);
        Assert.Equal(Script, response.Body);
    }

    [Fact]
    public async Task Keep_alive_serves_two_requests_on_one_socket()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendGetAsync("/switchboard.js");
        var first = await raw.ReadResponseAsync();
        await raw.SendGetAsync("/api/rooms/lobby?q=a+b%21");
        var second = await raw.ReadResponseAsync();

        Assert.Equal(200, first.Status);
        Assert.Equal(Script, first.Body);
        Assert.Equal(200, second.Status);
        Assert.Equal("{\"room\":\"lobby\",\"q\":\"a b!\"}", second.Text);
        Assert.Equal("keep-alive", second["Connection"]);
        Assert.False(await raw.ClosedByServerAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_order()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendAsync(
            "GET /api/rooms/one HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" +
            "POST /echo-body HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello" +
            "GET /api/rooms/two HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        Assert.Contains("\"one\"", (await raw.ReadResponseAsync()).Text, StringComparison.Ordinal);
        Assert.Equal("hello", (await raw.ReadResponseAsync()).Text);
        Assert.Contains("\"two\"", (await raw.ReadResponseAsync()).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpClient_posts_a_body_and_gets_it_back()
    {
        await using var server = StartServer();
        using var client = Client(server);
        var payload = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();

        using var response = await client.PostAsync(new Uri("/echo-body", UriKind.Relative), new ByteArrayContent(payload));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl!.NoStore);
        Assert.Equal(payload, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Expect_100_continue_gets_the_interim_response_before_the_body_is_sent()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendAsync("POST /echo-body HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", await raw.ReadHeadAsync());
        await raw.SendAsync("ping");

        var response = await raw.ReadResponseAsync();
        Assert.Equal(200, response.Status);
        Assert.Equal("ping", response.Text);
    }

    [Fact]
    public async Task Connection_close_is_honoured()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendGetAsync("/switchboard.js", "Connection: close\r\n");
        var response = await raw.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        Assert.Equal("close", response["Connection"]);
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Http10_without_keep_alive_is_closed_after_the_response()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendAsync("GET /switchboard.js HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
        var response = await raw.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        Assert.Equal("close", response["Connection"]);
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Head_gets_the_GET_head_without_a_body()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendAsync("HEAD /switchboard.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        var head = await raw.ReadResponseAsync(toHead: true);
        // Had a body followed the head, this second response would not parse.
        await raw.SendGetAsync("/api/rooms/after-head");
        var next = await raw.ReadResponseAsync();

        Assert.Equal(200, head.Status);
        Assert.Equal(Script.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), head["Content-Length"]);
        Assert.Equal("text/javascript; charset=utf-8", head["Content-Type"]);
        Assert.Empty(head.Body);
        Assert.Contains("after-head", next.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_via_HttpClient_has_content_length_and_no_body()
    {
        await using var server = StartServer();
        using var client = Client(server);

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/switchboard.js"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Script.Length, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Unknown_path_gets_404_and_the_connection_stays_open()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendGetAsync("/nothing-here");
        var missing = await raw.ReadResponseAsync();
        await raw.SendGetAsync("/switchboard.js");
        var found = await raw.ReadResponseAsync();

        Assert.Equal(404, missing.Status);
        Assert.Equal("keep-alive", missing["Connection"]);
        Assert.Equal(200, found.Status);
    }

    [Fact]
    public async Task Other_method_on_a_mapped_path_gets_405_with_Allow()
    {
        await using var server = StartServer();
        using var client = Client(server);

        using var post = await client.PostAsync(new Uri("/switchboard.js", UriKind.Relative), new StringContent("x"));
        using var delete = await client.DeleteAsync(new Uri("/echo-body", UriKind.Relative));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(new[] { "GET", "HEAD" }, post.Content.Headers.Allow);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        Assert.Equal(new[] { "POST" }, delete.Content.Headers.Allow);
    }

    [Fact]
    public async Task Methods_are_case_sensitive()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendAsync("get /switchboard.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        Assert.Equal(405, (await raw.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task Handler_exception_is_a_500_and_the_connection_lives_on()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendGetAsync("/boom");
        var failed = await raw.ReadResponseAsync();
        await raw.SendGetAsync("/switchboard.js");

        Assert.Equal(500, failed.Status);
        Assert.DoesNotContain("on purpose", failed.Text, StringComparison.Ordinal);
        Assert.Equal(200, (await raw.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task Upgrade_and_plain_GET_share_the_port()
    {
        await using var server = StartServer();
        using var client = Client(server);
        using var socket = await server.ConnectAsync("/ws");

        var page = await client.GetByteArrayAsync(new Uri("/switchboard.js", UriKind.Relative));
        await socket.SendAsync("over ws"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[32];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var echoed = await socket.ReceiveAsync(buffer, timeout.Token);

        Assert.Equal(Script, page);
        Assert.Equal("over ws", Encoding.UTF8.GetString(buffer, 0, echoed.Count));
    }

    [Fact]
    public async Task Upgrade_after_a_plain_request_on_the_same_connection()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendGetAsync("/switchboard.js");
        Assert.Equal(200, (await raw.ReadResponseAsync()).Status);
        Assert.StartsWith("HTTP/1.1 101 ", await raw.UpgradeAsync("/ws"), StringComparison.Ordinal);

        await raw.SendAsync([0x81, 0x82, 1, 2, 3, 4, (byte)'h' ^ 1, (byte)'i' ^ 2]); // masked "hi"
        Assert.Equal(new byte[] { 0x81, 0x02, (byte)'h', (byte)'i' }, await raw.ReadAsync(4, TimeSpan.FromSeconds(5)));
        await server.WaitForConnectionCountAsync(1);
    }

    [Fact]
    public async Task Upgrade_on_a_path_only_mapped_for_HTTP_gets_404()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        var head = await raw.UpgradeAsync("/switchboard.js");

        Assert.StartsWith("HTTP/1.1 404 ", head, StringComparison.Ordinal);
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Plain_GET_on_a_WebSocket_only_path_still_gets_the_handshake_refusal()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendGetAsync("/ws");
        var head = await raw.ReadHeadAsync();

        Assert.StartsWith("HTTP/1.1 400 ", head, StringComparison.Ordinal);
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Idle_persistent_connection_is_closed_after_the_idle_timeout()
    {
        await using var server = StartServer(new WebSocketServerOptions { HttpIdleTimeout = TimeSpan.FromMilliseconds(300) });
        using var metrics = new LimitMetrics(server.Server);
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendGetAsync("/switchboard.js");
        Assert.Equal(200, (await raw.ReadResponseAsync()).Status);

        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, metrics[Switchboard.Server.Diagnostics.ServerLimit.HttpIdleTimeout]);
    }

    [Fact]
    public async Task Stopping_the_server_closes_idle_HTTP_connections()
    {
        var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);
        await raw.SendGetAsync("/switchboard.js");
        Assert.Equal(200, (await raw.ReadResponseAsync()).Status);

        await server.Server.StopAsync().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(5)));
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Mapping_after_start_or_with_a_bad_method_throws()
    {
        await using var server = new WebSocketServer();
        Assert.Throws<ArgumentException>(() => server.MapMethod("G T", "/", (_, _) => ValueTask.CompletedTask));
        Assert.Throws<ArgumentException>(() => server.MapStaticFile("/x", "text/plain\r\nX: y", Script));
        Assert.Throws<DirectoryNotFoundException>(() => server.MapStaticFiles("/", Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))));
        server.Start();
        Assert.Throws<InvalidOperationException>(() => server.MapGet("/late", (_, _) => ValueTask.CompletedTask));
    }
}
