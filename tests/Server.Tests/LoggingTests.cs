using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol.Framing;
using Switchboard.Server.WebSockets;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// Every limit or failure the server acts on leaves one log event with a stable id, name and level (design
/// principle 5), recorded here through the public <see cref="ILoggerFactory"/> hooks of the server and the endpoint.
/// </summary>
public sealed class LoggingTests
{
    private const string ServerCategory = "Switchboard.Server";
    private const string MessagingCategory = "Switchboard.Server.Messaging";

    private readonly LogRecorder _log = new();

    [Fact]
    public async Task Protocol_error_close_is_logged_with_the_close_code_and_the_frame_error()
    {
        await using var server = Start(null, ("/", new RecordingEchoHandler()));
        using var raw = await RawClient.ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 101 ", await raw.UpgradeAsync("/"), StringComparison.Ordinal);

        await raw.SendAsync([0x81, 0x02, (byte)'h', (byte)'i']); // unmasked text frame from a client (section 5.1)
        var close = await raw.ReadAsync(4, TimeSpan.FromSeconds(5));
        Assert.Equal(new byte[] { 0x03, 0xEA }, close[2..]); // 1002

        var entry = await _log.WaitForAsync(101, ServerCategory);
        AssertEvent(entry, "ProtocolError", LogLevel.Information);
        Assert.Contains(nameof(CloseCode.ProtocolError), entry.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(FrameError.UnmaskedClientFrame), entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dead_peer_dropped_by_keepalive_is_logged()
    {
        var options = new WebSocketServerOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(200), KeepAliveTimeout = TimeSpan.FromMilliseconds(300) };
        await using var server = Start(options, ("/", new RecordingEchoHandler()));
        using var raw = await RawClient.ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 101 ", await raw.UpgradeAsync("/"), StringComparison.Ordinal);

        Assert.Equal(new byte[] { 0x89, 0x00 }, await raw.ReadAsync(2, TimeSpan.FromSeconds(5)));
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(5)));

        AssertEvent(await _log.WaitForAsync(103, ServerCategory), "DeadPeer", LogLevel.Information);
        Assert.Empty(_log.Find(104, ServerCategory)); // dropped for silence, not for an unanswered close
    }

    [Fact]
    public async Task Close_timeout_is_logged()
    {
        var handler = new RecordingEchoHandler();
        var options = new WebSocketServerOptions { CloseTimeout = TimeSpan.FromMilliseconds(300) };
        await using var server = Start(options, ("/", handler));
        using var raw = await RawClient.ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 101 ", await raw.UpgradeAsync("/"), StringComparison.Ordinal);
        var connection = await handler.Connected.Task.WaitAsync(TimeSpan.FromSeconds(5));

        await connection.CloseAsync(CloseCode.NormalClosure);
        Assert.Equal(new byte[] { 0x88, 0x02, 0x03, 0xE8 }, await raw.ReadAsync(4, TimeSpan.FromSeconds(5)));
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(5))); // we never answer the close

        AssertEvent(await _log.WaitForAsync(104, ServerCategory), "CloseTimedOut", LogLevel.Information);
        Assert.Empty(_log.Find(103, ServerCategory));
    }

    [Fact]
    public async Task Typed_handler_that_throws_is_logged_once_as_an_error_with_its_exception()
    {
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog, _log).On<Route>(async (context, route) =>
        {
            if (route.Target == "throw") throw new InvalidOperationException("handler failure on purpose");
            await context.SendAsync(new Note(route.Target, route.Seq));
        });
        await using var server = Start(null, ("/typed", endpoint));
        using var client = await server.ConnectAsync("/typed");

        await client.SendTextAsync("""{"type":"test.route","data":{"target":"throw","name":null,"seq":1}}""");
        await client.SendTextAsync("""{"type":"test.route","data":{"target":"after","name":null,"seq":2}}""");
        Assert.Contains("\"after\"", await client.ReceiveTextAsync(), StringComparison.Ordinal); // the throw was handled first

        var entry = Assert.Single(_log.Find(201, MessagingCategory));
        AssertEvent(entry, "HandlerFailed", LogLevel.Error);
        Assert.Contains("test.route", entry.Message, StringComparison.Ordinal);
        var exception = Assert.IsType<InvalidOperationException>(entry.Exception);
        Assert.Equal("handler failure on purpose", exception.Message);
        // The endpoint caught it, so the session below it has nothing to report.
        Assert.DoesNotContain(_log.Entries, e => e.EventId.Name == "HandlerFailed" && e.Category == ServerCategory);
    }

    [Fact]
    public async Task Malformed_envelope_is_logged_with_its_error()
    {
        await using var server = Start(null, ("/typed", new MessageEndpoint(SwitchboardMessages.Catalog, _log).On<Route>((_, _) => ValueTask.CompletedTask)));
        using var client = await server.ConnectAsync("/typed");

        await client.SendTextAsync("""{"data":{}}""");
        var result = await client.ReceiveAsync(new byte[256], Timeout());
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, client.CloseStatus);

        var entry = await _log.WaitForAsync(202, MessagingCategory);
        AssertEvent(entry, "MalformedEnvelope", LogLevel.Information);
        Assert.Contains("1007", entry.Message, StringComparison.Ordinal);
        Assert.Empty(_log.Find(201, MessagingCategory));
    }

    [Theory]
    [InlineData("/nowhere", "13", "404")]
    [InlineData("/", "8", "426")]
    public async Task Rejected_handshake_is_logged_with_its_status(string path, string version, string status)
    {
        await using var server = Start(null, ("/", new RecordingEchoHandler()));
        using var raw = await RawClient.ConnectAsync(server);
        await raw.SendAsync($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                            $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: {version}\r\n\r\n");
        Assert.StartsWith($"HTTP/1.1 {status} ", await raw.ReadHeadAsync(), StringComparison.Ordinal);

        var entry = await _log.WaitForAsync(4, ServerCategory);
        AssertEvent(entry, "HandshakeRejected", LogLevel.Debug);
        Assert.Contains($"rejected with {status}", entry.Message, StringComparison.Ordinal);
        Assert.Empty(_log.Find(2, ServerCategory)); // never counted as connected
    }

    [Fact]
    public async Task Handshake_timeout_is_logged()
    {
        var options = new WebSocketServerOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(300) };
        await using var server = Start(options, ("/", new RecordingEchoHandler()));
        using var raw = await RawClient.ConnectAsync(server);
        await raw.SendAsync("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"); // the head never ends
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(5)));

        AssertEvent(await _log.WaitForAsync(5, ServerCategory), "HandshakeTimedOut", LogLevel.Debug);
        Assert.Empty(_log.Find(4, ServerCategory));
    }

    [Fact]
    public async Task Refusals_are_logged_at_debug_and_a_limit_warns_once_per_address()
    {
        // What one client can make the server refuse, many times over: a foreign origin, a malformed head, a foreign host.
        await using var server = new TestServer(null, _log, s => s
            .Map("/ws", new RecordingEchoHandler())
            .MapGet("/hello", (_, response) =>
            {
                response.WriteText("hello");
                return ValueTask.CompletedTask;
            }));
        for (var i = 0; i < 3; i++)
        {
            using (var foreignOrigin = await RawClient.ConnectAsync(server))
            {
                await foreignOrigin.SendAsync("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\n\r\n");
                Assert.StartsWith("HTTP/1.1 403 ", await foreignOrigin.ReadHeadAsync(), StringComparison.Ordinal);
            }
            using (var malformed = await RawClient.ConnectAsync(server))
            {
                await malformed.SendAsync("GET /hello HTTP/1.1\nHost: 127.0.0.1\n\n");
                Assert.Equal(400, (await malformed.ReadResponseAsync()).Status);
            }
            using (var foreignHost = await RawClient.ConnectAsync(server))
            {
                await foreignHost.SendAsync("GET /hello HTTP/1.1\r\nHost: evil.example\r\n\r\n");
                Assert.Equal(421, (await foreignHost.ReadResponseAsync()).Status);
            }
        }

        // The marker: a request served after every refusal, so their events have all been written.
        using (var marker = await RawClient.ConnectAsync(server))
        {
            await marker.SendGetAsync("/hello?marker");
            Assert.Equal(200, (await marker.ReadResponseAsync()).Status);
        }
        await _log.WaitForAsync(300, ServerCategory);

        Assert.Equal(3, _log.Find(4, ServerCategory).Length);
        Assert.All(_log.Find(4, ServerCategory), e => Assert.Equal(LogLevel.Debug, e.Level));
        Assert.All(_log.Find(501, ServerCategory), e => Assert.Equal(LogLevel.Debug, e.Level));
        Assert.Equal(3, _log.Find(301, ServerCategory).Length);
        Assert.All(_log.Find(301, ServerCategory), e => Assert.Equal(LogLevel.Debug, e.Level));
        // The host limit: one warning for the address, then Debug.
        var warning = Assert.Single(_log.Find(601, ServerCategory));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("Host", warning.Message, StringComparison.Ordinal);
        Assert.Equal(2, _log.Find(600, ServerCategory).Length);
        // Nothing else above Debug but the line that says where the server listens.
        Assert.DoesNotContain(_log.Entries, e => e.Level >= LogLevel.Information && e.EventId.Id is not (1 or 601));
    }

    private TestServer Start(WebSocketServerOptions? options, params (string Template, WebSocketHandler Handler)[] routes) =>
        new(options, _log, server =>
        {
            foreach (var (template, handler) in routes) server.Map(template, handler);
        });

    private TestServer Start(WebSocketServerOptions? options, (string Template, MessageEndpoint Endpoint) route) =>
        new(options, _log, server => server.Map(route.Template, route.Endpoint));

    private static void AssertEvent(LogEntry entry, string name, LogLevel level)
    {
        Assert.Equal(name, entry.EventId.Name);
        Assert.Equal(level, entry.Level);
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

}
