using Switchboard.Server.Diagnostics;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary><see cref="WebSocketServerOptions.MaxConnections"/> over real sockets: the 503, and the slot freed by a close.</summary>
public sealed class ConnectionLimitTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static TestServer StartServer(WebSocketServerOptions options) => new(options, server => server
        .Map("/ws", new RecordingEchoHandler())
        .MapGet("/hello", (_, response) =>
        {
            response.WriteText("hello");
            return ValueTask.CompletedTask;
        }));

    [Fact]
    public async Task Connection_over_the_limit_gets_503_with_Retry_After_and_a_freed_slot_is_taken_again()
    {
        await using var server = StartServer(new WebSocketServerOptions { MaxConnections = 2, ConnectionLimitRetryAfter = TimeSpan.FromSeconds(7) });
        using var metrics = new LimitMetrics(server.Server);
        // One WebSocket and one HTTP connection yet to send its request: both kinds count. (A keep-alive connection idle
        // between requests would give its slot up instead: ConnectionSlotTests.)
        using var webSocket = await RawClient.ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 101", await webSocket.UpgradeAsync("/ws"), StringComparison.Ordinal);
        using var http = await RawClient.ConnectAsync(server);
        await Eventually.TrueAsync(() => server.Server.OpenSocketCount == 2, () => $"{server.Server.OpenSocketCount} sockets open");

        using (var third = await RawClient.ConnectAsync(server))
        {
            await third.SendGetAsync("/hello");
            var refused = await third.ReadResponseAsync();
            Assert.Equal(503, refused.Status);
            Assert.Equal("7", refused["Retry-After"]);
            Assert.Equal("close", refused["Connection"]);
            Assert.True(await third.ClosedByServerAsync(Bound));
            Assert.Equal(1, metrics[ServerLimit.Connections]);
        }

        http.Dispose();
        // The server notices the close on its own time; the freed slot is handed out once it has.
        await Eventually.TrueAsync(() => server.Server.OpenSocketCount == 1, () => $"{server.Server.OpenSocketCount} sockets open");
        using (var next = await RawClient.ConnectAsync(server))
        {
            await next.SendGetAsync("/hello");
            Assert.Equal(200, (await next.ReadResponseAsync()).Status);
        }

        // The WebSocket connection was never disturbed.
        await webSocket.SendAsync([0x81, 0x82, 1, 2, 3, 4, (byte)'h' ^ 1, (byte)'i' ^ 2]);
        Assert.Equal([0x81, 0x02, (byte)'h', (byte)'i'], await webSocket.ReadAsync(4, Bound));
    }

    [Fact]
    public async Task Over_the_limit_with_tls_is_dropped_without_a_handshake()
    {
        await using var server = StartServer(new WebSocketServerOptions { MaxConnections = 1, Tls = TlsCertificate.ServerOptions(), HandshakeTimeout = TimeSpan.FromSeconds(30) });
        using var first = await RawClient.ConnectAsync(server); // holds the only slot while it never starts TLS
        using var second = await RawClient.ConnectAsync(server);

        Assert.True(await second.ClosedByServerAsync(Bound));
        Assert.False(await first.ClosedByServerAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public void MaxConnections_must_be_positive()
    {
        Assert.Equal(10_000, new WebSocketServerOptions().MaxConnections);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebSocketServerOptions { MaxConnections = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new WebSocketServerOptions { ConnectionLimitRetryAfter = TimeSpan.FromMilliseconds(999) });
    }

    [Fact]
    public void Tls_options_without_a_certificate_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new WebSocketServerOptions { Tls = new System.Net.Security.SslServerAuthenticationOptions() });
        Assert.Null(new WebSocketServerOptions().Tls);
    }
}
