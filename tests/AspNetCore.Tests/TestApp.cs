using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Server;

namespace Switchboard.AspNetCore.Tests;

/// <summary>A real <see cref="WebApplication"/> on Kestrel at 127.0.0.1 with an OS-chosen port.</summary>
internal sealed class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
    }

    public WebApplication App { get; }

    /// <summary>The bound address, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Address { get; }

    public Uri Http(string path) => new(Address, path);

    public Uri Ws(string path) => new(new Uri("ws://" + Address.Authority), path);

    /// <summary>The endpoint the tests use: it answers an <see cref="Ask"/> with a <see cref="Reply"/>.</summary>
    public static MessageEndpoint Echo() => new MessageEndpoint(SwitchboardMessages.Catalog)
        .On<Ask>((context, ask) => context.SendAsync(new Reply(ask.Text, context.RouteValues.GetValueOrDefault("room"), context.User)));

    public static Task<TestApp> StartAsync(Action<WebApplicationBuilder> services, Action<WebApplication> map) => StartAsync(services, map, http2Only: false);

    /// <summary>With <paramref name="http2Only"/>, the port speaks HTTP/2 alone, without TLS (h2c with prior knowledge).</summary>
    public static async Task<TestApp> StartAsync(Action<WebApplicationBuilder> services, Action<WebApplication> map, bool http2Only)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (http2Only) builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        else builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        services(builder);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new TestApp(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
