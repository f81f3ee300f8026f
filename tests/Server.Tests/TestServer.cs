using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Switchboard.Server.WebSockets;
using Xunit;
using Switchboard.Testing;

namespace Switchboard.Server.Tests;

/// <summary>An in-process server on 127.0.0.1 with an OS-chosen port, stopped on dispose.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    public TestServer(WebSocketServerOptions? options = null, params (string Template, WebSocketHandler Handler)[] routes)
        : this(options, server =>
        {
            foreach (var (template, handler) in routes) server.Map(template, handler);
        })
    {
    }

    public TestServer(WebSocketServerOptions? options, params (string Template, MessageEndpoint Endpoint)[] routes)
        : this(options, server =>
        {
            foreach (var (template, endpoint) in routes) server.Map(template, endpoint);
        })
    {
    }

    /// <summary>A server whose routes (WebSocket or HTTP) <paramref name="configure"/> maps before it starts.</summary>
    public TestServer(WebSocketServerOptions? options, Action<WebSocketServer> configure)
        : this(options, null, configure)
    {
    }

    /// <summary>Same, logging to <paramref name="loggerFactory"/>.</summary>
    public TestServer(WebSocketServerOptions? options, ILoggerFactory? loggerFactory, Action<WebSocketServer> configure)
    {
        Server = new WebSocketServer(options, loggerFactory);
        configure(Server);
        Server.Start();
    }

    public WebSocketServer Server { get; }

    public Uri Uri(string path) => new($"ws://127.0.0.1:{Server.LocalEndPoint.Port}{path}");

    public async Task<ClientWebSocket> ConnectAsync(string path, Action<ClientWebSocketOptions>? configure = null)
    {
        var client = new ClientWebSocket();
        configure?.Invoke(client.Options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(Uri(path), timeout.Token);
        return client;
    }

    /// <summary>Waits, bounded, until the server holds <paramref name="count"/> connections.</summary>
    public Task WaitForConnectionCountAsync(int count) =>
        Eventually.TrueAsync(() => Server.ConnectionCount == count, () => $"{count} connections; the server holds {Server.ConnectionCount}");

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

