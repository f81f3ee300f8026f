using System.Net;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// A stopping server still reads requests on the keep-alive connections it holds until they go: an open that arrives
/// there is refused with 503, so a long-polling client that reconnects at once retries until the next server instead
/// of getting a session that ends with this one (and reconnecting twice for one restart).
/// </summary>
public sealed class LongPollingStopTests
{
    [Fact]
    public async Task An_open_that_reaches_a_stopping_server_on_a_kept_alive_connection_is_refused_with_503()
    {
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog);
        var server = new WebSocketServer(new WebSocketServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        server.Map("/chat", endpoint);
        server.Start();
        Task? stopping = null;
        try
        {
            using var raw = await RawClient.ConnectAsync(server.LocalEndPoint.Port);
            Assert.Equal(200, (await raw.RequestAsync("POST", "/chat?transport=longpolling")).Status);

            // Stopping closes every long-polling session before its first wait; the connection above stays open for now.
            stopping = server.StopAsync();
            var late = await raw.RequestAsync("POST", "/chat?transport=longpolling");

            Assert.Equal(503, late.Status);
            Assert.Contains("shutting down", late.Text, StringComparison.Ordinal);
            Assert.NotNull(late["Retry-After"]);
            Assert.Equal(1, server.LongPollingSessionCount); // the first, closed but not ended: no poll fetched its close yet
        }
        finally
        {
            await (stopping ?? server.StopAsync()).WaitAsync(TimeSpan.FromSeconds(20));
        }
    }
}
