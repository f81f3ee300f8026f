using System.Collections.Concurrent;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Client;
using Switchboard.Protocol.Framing;
using Switchboard.Server;
using Switchboard.Server.Configuration;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.AspNetCore.Tests;

/// <summary>Options from the app's configuration, and handlers' services from the app's container.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task The_Switchboard_section_sets_the_options_over_what_code_set()
    {
        await using var app = await TestApp.StartAsync(
            b =>
            {
                b.Configuration.AddInMemoryCollection([new("Switchboard:Frames:MaxMessageSize", "1024")]);
                b.Services.AddSwitchboard(o => o.Frames = new FrameReaderOptions { MaxMessageSize = 1 << 20 });
            },
            a => a.MapSwitchboard("/ws/{room}", TestApp.Echo()));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(app.Ws("/ws/big"), CancellationToken.None);
        await socket.SendAsync(new byte[2000], WebSocketMessageType.Text, true, CancellationToken.None);
        var result = await socket.ReceiveAsync(new byte[256], new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, result.CloseStatus);
    }

    [Theory]
    [InlineData("Switchboard:KeepAliveIntreval", "00:00:10", "Switchboard:KeepAliveIntreval")]
    [InlineData("Switchboard:KeepAliveInterval", "10 seconds", "Switchboard:KeepAliveInterval")]
    [InlineData("Switchboard:LongPolling:HoldTime", "-00:00:01", "Switchboard:LongPolling:HoldTime")]
    public async Task An_invalid_key_fails_the_start_with_an_error_naming_it(string key, string value, string named)
    {
        var e = await Assert.ThrowsAsync<SwitchboardConfigurationException>(() => TestApp.StartAsync(
            b =>
            {
                b.Configuration.AddInMemoryCollection([new(key, value)]);
                b.Services.AddSwitchboard();
            },
            a => a.MapSwitchboard("/ws/{room}", TestApp.Echo())));
        Assert.Equal(named, e.Key);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_message_gets_its_own_scope_from_the_app_container()
    {
        var disposed = new ConcurrentQueue<int>();
        var changes = new Changes();
        await using var app = await TestApp.StartAsync(
            b =>
            {
                b.Services.AddSwitchboard();
                b.Services.AddScoped(_ => new ScopedThing(disposed, changes));
            },
            a => a.MapSwitchboard("/ws/{room}", new MessageEndpoint(SwitchboardMessages.Catalog)
                .On<Ask>((context, ask) =>
                    context.SendAsync(new Reply(context.Services.GetRequiredService<ScopedThing>().Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, null)))));
        var replies = new ConcurrentQueue<Reply>();
        await using var client = new SwitchboardClient(app.Ws("/ws/a"), SwitchboardMessages.Catalog,
            new SwitchboardClientOptions { Transport = SwitchboardTransport.WebSocket });
        client.On<Reply>(r => { replies.Enqueue(r); changes.Pulse(); });
        await client.ConnectAsync();

        await client.SendAsync(new Ask("one"));
        await client.SendAsync(new Ask("two"));
        await changes.UntilAsync(() => replies.Count == 2 && disposed.Count == 2, () => $"two replies and two disposed scopes ({replies.Count}, {disposed.Count})");
        var ids = replies.Select(r => int.Parse(r.Text, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.NotEqual(ids[0], ids[1]);
        Assert.Equal(ids.Order(), disposed.Order());
    }

    [Fact]
    public async Task A_minimal_api_pushes_through_the_injected_sender()
    {
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.StartAsync(
            b =>
            {
                b.Services.AddSwitchboard();
                b.Services.AddMessageEndpoint("room", SwitchboardMessages.Catalog, (endpoint, _) => endpoint.OnConnected(async c =>
                {
                    await c.JoinGroupAsync("everyone");
                    joined.TrySetResult();
                }));
            },
            a =>
            {
                a.MapSwitchboard("/ws/{room}", a.Services.GetRequiredKeyedService<MessageEndpoint>("room"));
                a.MapPost("/push/{text}", async (string text, [Microsoft.Extensions.DependencyInjection.FromKeyedServices("room")] IMessageSender sender) =>
                {
                    await sender.Group("everyone").SendAsync(new Reply(text, null, null));
                    return Results.NoContent();
                });
            });
        var replies = new ConcurrentQueue<Reply>();
        var got = new Changes();
        await using var client = new SwitchboardClient(app.Ws("/ws/a"), SwitchboardMessages.Catalog,
            new SwitchboardClientOptions { Transport = SwitchboardTransport.LongPolling });
        client.On<Reply>(r => { replies.Enqueue(r); got.Pulse(); });
        await client.ConnectAsync();
        await joined.Task.WaitAsync(TimeSpan.FromSeconds(20));

        using var http = new HttpClient();
        using var response = await http.PostAsync(app.Http("/push/hello"), null);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
        await got.UntilAsync(() => !replies.IsEmpty, "the pushed message");
        Assert.Equal("hello", Assert.Single(replies).Text);
    }

    [Theory]
    [InlineData(true, 101)]
    [InlineData(false, 403)]
    public async Task The_origin_rule_sees_the_scheme_and_host_the_forwarded_headers_middleware_set(bool middleware, int status)
    {
        // A proxy on loopback (trusted by ASP.NET Core's defaults) terminated HTTPS for https://chat.example.
        await using var app = await TestApp.StartAsync(
            b =>
            {
                b.Services.AddSwitchboard();
                b.Services.Configure<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost);
            },
            a =>
            {
                if (middleware) a.UseForwardedHeaders();
                a.MapSwitchboard("/ws/{room}", TestApp.Echo());
            });
        var response = await RawHttp.SendAsync(app.Address, "GET", "/ws/x",
            RawHttp.Upgrade + "Origin: https://chat.example\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: chat.example\r\n");
        Assert.Equal(status, response.Status);
    }

    private sealed class ScopedThing(ConcurrentQueue<int> disposed, Changes changes) : IDisposable
    {
        private static int s_next;

        public int Id { get; } = Interlocked.Increment(ref s_next);

        public void Dispose()
        {
            disposed.Enqueue(Id);
            changes.Pulse();
        }
    }
}
