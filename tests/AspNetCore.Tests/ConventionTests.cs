using System.Net.WebSockets;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server;
using Xunit;

namespace Switchboard.AspNetCore.Tests;

/// <summary>ASP.NET Core's endpoint conventions on what MapSwitchboard maps: authorization, rate limiting, CORS.</summary>
public sealed class ConventionTests
{
    [Fact]
    public async Task RequireAuthorization_refuses_an_anonymous_upgrade_with_401_and_names_the_user_of_an_authorized_one()
    {
        await using var app = await StartAuthorizedAsync();

        var anonymous = await RawHttp.SendAsync(app.Address, "GET", "/ws/x", RawHttp.Upgrade);
        Assert.Equal(401, anonymous.Status);

        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Test-User", "alice");
        await socket.ConnectAsync(app.Ws("/ws/x"), CancellationToken.None);
        await socket.SendAsync("""{"type":"test.ask","data":{"text":"hi"}}"""u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal("""{"type":"test.reply","data":{"text":"hi","room":"x","user":"alice"}}""", await WebSocketTests.ReceiveTextAsync(socket));
    }

    [Fact]
    public async Task RequireAuthorization_names_the_user_of_an_authorized_long_polling_client()
    {
        await using var app = await StartAuthorizedAsync();
        var replies = new System.Collections.Concurrent.ConcurrentQueue<Reply>();
        var got = new Switchboard.Testing.Changes();
        await using var client = new Switchboard.Client.SwitchboardClient(app.Ws("/ws/y"), SwitchboardMessages.Catalog, new Switchboard.Client.SwitchboardClientOptions
        {
            Transport = Switchboard.Client.SwitchboardTransport.LongPolling,
            Connection = new() { Headers = [new("X-Test-User", "bob")] },
        });
        client.On<Reply>(r => { replies.Enqueue(r); got.Pulse(); });
        await client.ConnectAsync();
        await client.SendAsync(new Ask("hi"));
        await got.UntilAsync(() => !replies.IsEmpty, "the reply");
        Assert.Equal(new Reply("hi", "y", "bob"), Assert.Single(replies));
    }

    [Fact]
    public async Task RequireRateLimiting_refuses_past_the_limit_with_429()
    {
        await using var app = await TestApp.StartAsync(
            b =>
            {
                b.Services.AddRateLimiter(o =>
                {
                    o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                    // One connection at a time: an open WebSocket keeps its request, and with it the permit.
                    o.AddConcurrencyLimiter("one", c => (c.PermitLimit, c.QueueLimit) = (1, 0));
                });
                b.Services.AddSwitchboard();
            },
            a =>
            {
                a.UseRateLimiter();
                a.MapSwitchboard("/ws/{room}", TestApp.Echo()).RequireRateLimiting("one");
            });

        using var first = new ClientWebSocket();
        await first.ConnectAsync(app.Ws("/ws/x"), CancellationToken.None);
        var second = await RawHttp.SendAsync(app.Address, "GET", "/ws/x", RawHttp.Upgrade);
        Assert.Equal(429, second.Status);
    }

    [Fact]
    public async Task RequireCors_answers_the_preflight_of_a_long_polling_post_from_another_origin()
    {
        const string Page = "http://pages.example";
        await using var app = await TestApp.StartAsync(
            b =>
            {
                b.Services.AddCors(o => o.AddPolicy("pages", p => p.WithOrigins(Page).AllowAnyHeader().AllowAnyMethod()));
                b.Services.AddSwitchboard();
            },
            a =>
            {
                a.UseCors();
                a.MapSwitchboard("/ws/{room}", TestApp.Echo(), new EndpointOptions { AllowedOrigins = [Page] }).RequireCors("pages");
            });

        var preflight = await RawHttp.SendAsync(app.Address, "OPTIONS", "/ws/x?transport=longpolling",
            $"Origin: {Page}\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\n");
        Assert.Equal(204, preflight.Status);
        Assert.Equal(Page, preflight["Access-Control-Allow-Origin"]);

        var open = await RawHttp.SendAsync(app.Address, "POST", "/ws/x?transport=longpolling", $"Origin: {Page}\r\nContent-Length: 0\r\n");
        Assert.Equal(200, open.Status);
        Assert.Equal(Page, open["Access-Control-Allow-Origin"]);
        Assert.Contains("\"session\":", open.Body, StringComparison.Ordinal);
    }

    /// <summary>The test endpoint behind <c>RequireAuthorization()</c>, with <see cref="TestAuthentication"/> naming the user.</summary>
    private static Task<TestApp> StartAuthorizedAsync() => TestApp.StartAsync(
        b =>
        {
            b.Services.AddAuthentication(TestAuthentication.Name).AddScheme<AuthenticationSchemeOptions, TestAuthentication>(TestAuthentication.Name, null);
            b.Services.AddAuthorization();
            b.Services.AddSwitchboard();
        },
        a =>
        {
            a.UseAuthentication();
            a.UseAuthorization();
            a.MapSwitchboard("/ws/{room}", TestApp.Echo()).RequireAuthorization();
        });
}
