using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.AspNetCore.Hosting;
using Switchboard.Client;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.AspNetCore.Tests;

/// <summary>Long polling on the same pattern as the WebSocket endpoint, served through the standalone server's transport.</summary>
public sealed class LongPollingTests
{
    [Fact]
    public async Task Typed_echo_over_forced_long_polling()
    {
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a => a.MapSwitchboard("/ws/{room}", TestApp.Echo()));
        var host = app.App.Services.GetRequiredService<SwitchboardHost>();
        var replies = new ConcurrentQueue<Reply>();
        var got = new Changes();
        await using var client = new SwitchboardClient(app.Ws("/ws/lobby"), SwitchboardMessages.Catalog,
            new SwitchboardClientOptions { Transport = SwitchboardTransport.LongPolling });
        client.On<Reply>(r => { replies.Enqueue(r); got.Pulse(); });

        await client.ConnectAsync();
        Assert.Equal(SwitchboardTransport.LongPolling, client.Transport);
        Assert.Equal(1, host.LongPollingSessionCount);
        Assert.Equal(0, host.ConnectionCount);
        await client.SendAsync(new Ask("one"));
        await client.SendAsync(new Ask("two"));
        await got.UntilAsync(() => replies.Count == 2, "both replies");
        Assert.Equal([new Reply("one", "lobby", null), new Reply("two", "lobby", null)], replies);

        await client.CloseAsync();
        await Eventually.TrueAsync(() => host.LongPollingSessionCount == 0, "the session ended");
    }

    [Fact]
    public async Task A_long_polling_open_without_the_transport_query_gets_the_standalone_answer()
    {
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a => a.MapSwitchboard("/ws/{room}", TestApp.Echo()));
        var response = await RawHttp.SendAsync(app.Address, "POST", "/ws/x", "Content-Length: 0\r\n");
        Assert.Equal(400, response.Status);
        Assert.Equal("application/json", response["Content-Type"]);
        Assert.Equal("""{"error":"this path takes a WebSocket upgrade, or long polling: POST ?transport=longpolling opens a session"}""", response.Body);
    }
}
