using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
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
    public async Task Stopping_the_app_answers_a_held_poll_with_going_away()
    {
        var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a => a.MapSwitchboard("/ws/{room}", TestApp.Echo()));
        var host = app.App.Services.GetRequiredService<SwitchboardHost>();
        using var http = new HttpClient();
        using var opened = JsonDocument.Parse(await (await http.PostAsync(app.Http("/ws/x?transport=longpolling"), null)).Content.ReadAsStringAsync());
        var session = opened.RootElement.GetProperty("session").GetString();

        // One message out and back, then a poll that acknowledges it: the poll is held once the bytes are released.
        using var send = new StringContent("""[{"type":"test.ask","data":{"text":"a"}}]""", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync(app.Http($"/ws/x?session={session}&seq=1"), send)).StatusCode);
        using var first = JsonDocument.Parse(await http.GetStringAsync(app.Http($"/ws/x?session={session}&ack=0")));
        var last = first.RootElement.GetProperty("seq").GetInt64() + first.RootElement.GetProperty("messages").GetArrayLength() - 1;
        var held = http.GetAsync(app.Http($"/ws/x?session={session}&ack={last}"));
        await Eventually.TrueAsync(() => host.LongPollingQueuedBytes == 0 || held.IsCompleted, "the poll acknowledged the reply");
        Assert.False(held.IsCompleted, "the poll was answered instead of held");

        var stopping = app.App.StopAsync();
        using var poll = await held.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
        using var json = JsonDocument.Parse(await poll.Content.ReadAsStringAsync());
        Assert.Equal(1001, json.RootElement.GetProperty("close").GetProperty("code").GetInt32());
        await stopping.WaitAsync(TimeSpan.FromSeconds(20));
        await app.App.DisposeAsync();
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
