using System.Net;
using Switchboard.Protocol.Http;
using Switchboard.Testing;
using Switchboard.Server.Diagnostics;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>Every HTTP limit of the server, hit over a real socket: the status it answers with, and the close that follows.</summary>
public class HttpLimitsTests
{
    private static TestServer StartServer(WebSocketServerOptions? options = null) => new(options, server => server
        .MapPost("/upload", (request, response) =>
        {
            response.WriteText($"got {request.Body.Length}");
            return ValueTask.CompletedTask;
        })
        .Map("/ws", new RecordingEchoHandler()));

    [Fact]
    public async Task Body_at_MaxRequestBodySize_is_accepted()
    {
        await using var server = StartServer(new WebSocketServerOptions { MaxRequestBodySize = 16 });
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendAsync("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 16\r\n\r\n0123456789abcdef");
        var response = await raw.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        Assert.Equal("got 16", response.Text);
    }

    [Fact]
    public async Task Body_over_MaxRequestBodySize_gets_413_before_it_is_read()
    {
        await using var server = StartServer(new WebSocketServerOptions { MaxRequestBodySize = 16 });
        using var metrics = new LimitMetrics(server.Server);
        using var raw = await RawClient.ConnectAsync(server);

        // Only the head is sent: the verdict must not wait for a body the server will never accept.
        await raw.SendAsync("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 17\r\n\r\n");
        var response = await raw.ReadResponseAsync();

        Assert.Equal(413, response.Status);
        Assert.Equal(1, metrics[ServerLimit.RequestBodySize]);
        Assert.Equal("close", response["Connection"]);
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Oversized_body_from_HttpClient_gets_413()
    {
        await using var server = StartServer(new WebSocketServerOptions { MaxRequestBodySize = 1024 });
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using var response = await client.PostAsync(new Uri($"http://127.0.0.1:{server.Server.LocalEndPoint.Port}/upload"), new ByteArrayContent(new byte[1025]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400)]
    [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", 400)]
    [InlineData("Transfer-Encoding: chunked\r\n", 501)]
    [InlineData("Content-Length: 5\r\nContent-Length: 6\r\n", 400)]
    [InlineData("Content-Length: 5, 5\r\n", 400)]
    [InlineData("Content-Length: -5\r\n", 400)]
    public async Task Ambiguous_body_framing_is_refused_and_the_connection_closed(string fields, int status)
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        // A smuggled second request rides in the body; it must never be answered.
        await raw.SendAsync($"POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\n{fields}\r\n0\r\n\r\nGET /upload HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        var response = await raw.ReadResponseAsync();

        Assert.Equal(status, response.Status);
        Assert.Equal("close", response["Connection"]);
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Head_over_MaxHeaderBytes_gets_431()
    {
        await using var server = StartServer();
        using var metrics = new LimitMetrics(server.Server);
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendAsync($"GET /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: {new string('a', 9000)}\r\n\r\n");
        var response = await raw.ReadResponseAsync();

        Assert.Equal(431, response.Status);
        Assert.Equal(1, metrics[ServerLimit.RequestHeadSize]);
        Assert.Equal(0, metrics[ServerLimit.RequestHeadFields]);
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Head_over_MaxHeaderCount_gets_431()
    {
        var options = new WebSocketServerOptions { RequestHead = new HttpHeadLimits { MaxHeaderCount = 4 } };
        await using var server = StartServer(options);
        using var metrics = new LimitMetrics(server.Server);
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendAsync("GET /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n");

        Assert.Equal(431, (await raw.ReadResponseAsync()).Status);
        Assert.Equal(1, metrics[ServerLimit.RequestHeadFields]);
    }

    [Fact]
    public async Task Malformed_head_gets_400()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendAsync("GET /upload HTTP/1.1\r\nHost : a\r\n\r\n");

        Assert.Equal(400, (await raw.ReadResponseAsync()).Status);
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Unsupported_http_version_gets_505()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendAsync("GET /upload HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n");

        Assert.Equal(505, (await raw.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task Body_not_received_within_RequestBodyTimeout_gets_408()
    {
        await using var server = StartServer(new WebSocketServerOptions { RequestBodyTimeout = TimeSpan.FromMilliseconds(300) });
        using var metrics = new LimitMetrics(server.Server);
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendAsync("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n01234");
        var response = await raw.ReadResponseAsync();

        Assert.Equal(408, response.Status);
        Assert.Equal(1, metrics[ServerLimit.RequestBodyTimeout]);
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Plain_request_head_not_received_within_HandshakeTimeout_is_dropped()
    {
        await using var server = StartServer(new WebSocketServerOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(300) });
        using var metrics = new LimitMetrics(server.Server);
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendAsync("GET /upload HTTP/1.1\r\nHost: 127.0.0.1\r\n");

        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, metrics[ServerLimit.HandshakeTimeout]);
    }

    [Fact]
    public void Invalid_limit_values_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebSocketServerOptions { MaxRequestBodySize = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebSocketServerOptions { MaxRequestBodySize = long.MaxValue });
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebSocketServerOptions { HttpIdleTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebSocketServerOptions { RequestBodyTimeout = TimeSpan.FromSeconds(-1) });
    }

    [Fact]
    public async Task A_client_that_stops_reading_a_file_is_dropped_after_HttpSendTimeout_and_one_that_reads_gets_it_all()
    {
        var directory = Directory.CreateTempSubdirectory("switchboard-send-timeout-");
        try
        {
            const int FileLength = 8 * 1024 * 1024; // far more than the send queue and the sockets' buffers hold
            var content = new byte[FileLength];
            for (var i = 0; i < content.Length; i++) content[i] = (byte)('a' + i % 26);
            await File.WriteAllBytesAsync(Path.Combine(directory.FullName, "big.txt"), content);
            var options = new WebSocketServerOptions { SendQueueLimit = 64 * 1024, HttpSendTimeout = TimeSpan.FromMilliseconds(500) };
            using var logs = new RecordingLoggerFactory();
            await using var server = new TestServer(options, logs, s => s.MapStaticFiles("/files", directory.FullName));
            using var metrics = new LimitMetrics(server.Server);
            var request = "GET /files/big.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"u8.ToArray();

            // Asks, then never reads: the server gives up on it and lets the socket go.
            using (var stalled = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { ReceiveBufferSize = 4096 })
            {
                await stalled.ConnectAsync(IPAddress.Loopback, server.Server.LocalEndPoint.Port);
                await stalled.SendAsync(request);
                await Eventually.TrueAsync(() => server.Server.OpenSocketCount == 0, () => $"{server.Server.OpenSocketCount} sockets open; " + string.Join(" | ", logs.Events.Select(e => e.Id.Id + " " + e.Message)), TimeSpan.FromSeconds(15));
            }
            Assert.Contains(logs.Events, e => e.Id.Id == 304);
            Assert.Equal(1, metrics[ServerLimit.HttpSendTimeout]);

            // A client that reads gets every byte, however long the whole transfer takes.
            using var http = new HttpClient();
            var body = await http.GetByteArrayAsync(new Uri($"http://127.0.0.1:{server.Server.LocalEndPoint.Port}/files/big.txt"));
            Assert.Equal(content, body);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Defaults_are_documented_values()
    {
        var options = new WebSocketServerOptions();

        Assert.Equal(1024 * 1024, options.MaxRequestBodySize);
        Assert.Equal(TimeSpan.FromSeconds(30), options.HttpIdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.HttpSendTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), options.RequestBodyTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), options.HandshakeTimeout);
        Assert.Equal(8192, options.RequestHead.MaxHeaderBytes);
        Assert.Equal(64, options.RequestHead.MaxHeaderCount);
    }
}
