using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Client;
using Switchboard.Protocol.Compression;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.AspNetCore.Tests;

/// <summary>permessage-deflate under Kestrel: on by default, turned off in code or in configuration.</summary>
public sealed class DeflateTests
{
    private static readonly string s_text = string.Concat(Enumerable.Range(0, 30).Select(i => $"a chat line of some length, number {i}; "));

    private static async Task<string?> NegotiatedAsync(TestApp app)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.DangerousDeflateOptions = new WebSocketDeflateOptions { ServerContextTakeover = false, ClientContextTakeover = false };
        await socket.ConnectAsync(app.Ws("/ws/room"), new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        return socket.HttpResponseHeaders?.TryGetValue("Sec-WebSocket-Extensions", out var values) == true ? string.Join(",", values) : null;
    }

    [Fact]
    public async Task The_typed_client_that_offers_deflate_gets_it_by_default_and_its_messages_round_trip()
    {
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a => a.MapSwitchboard("/ws/{room}", TestApp.Echo()));
        Assert.Equal("permessage-deflate; server_no_context_takeover; client_no_context_takeover", await NegotiatedAsync(app));

        var session = await WebSocketConnector.ConnectAsync(app.Ws("/ws/room"), new WebSocketClientOptions { Deflate = DeflateOptions.Default });
        Assert.NotNull(session.Deflate);
        session.Abort();

        var replies = new ConcurrentQueue<Reply>();
        var got = new Changes();
        await using var client = new SwitchboardClient(app.Ws("/ws/lobby"), SwitchboardMessages.Catalog, new SwitchboardClientOptions
        {
            Transport = SwitchboardTransport.WebSocket,
            Connection = new WebSocketClientOptions { Deflate = DeflateOptions.Default },
        });
        client.On<Reply>(r => { replies.Enqueue(r); got.Pulse(); });
        await client.ConnectAsync();
        await client.SendAsync(new Ask(s_text));
        await got.UntilAsync(() => !replies.IsEmpty, "the reply");
        Assert.Equal(new Reply(s_text, "lobby", null), Assert.Single(replies));
    }

    [Fact]
    public async Task Deflate_turned_off_in_code_declines_the_offer()
    {
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(o => o.Deflate = DeflateOptions.Disabled),
            a => a.MapSwitchboard("/ws/{room}", TestApp.Echo()));
        Assert.Null(await NegotiatedAsync(app));
    }

    [Fact]
    public async Task Deflate_is_read_from_configuration()
    {
        await using var app = await TestApp.StartAsync(b =>
        {
            b.Configuration.AddInMemoryCollection([
                KeyValuePair.Create<string, string?>("Switchboard:Deflate:Enabled", "false"),
                KeyValuePair.Create<string, string?>("Switchboard:Deflate:MinimumSize", "64"),
            ]);
            b.Services.AddSwitchboard();
        }, a => a.MapSwitchboard("/ws/{room}", TestApp.Echo()));
        var options = app.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SwitchboardOptions>>().Value;
        Assert.False(options.Deflate.Enabled);
        Assert.Equal(64, options.Deflate.MinimumSize);
        Assert.Null(await NegotiatedAsync(app));
    }
}
