using System.Threading.Channels;
using Switchboard.Connections;
using Switchboard.Server;
using Switchboard.Server.WebSockets;

namespace Switchboard.Tests.Client;

/// <summary>
/// A real server on loopback whose raw handler plays the server side of a test by hand: each accepted WebSocket
/// connection, with the query of its upgrade request, is handed to the test, which sends chosen envelopes and notices
/// and closes it to make the client reconnect.
/// </summary>
internal sealed class ScriptedServer : WebSocketHandler, IAsyncDisposable
{
    private readonly Channel<WebSocketConnection> _accepted = Channel.CreateUnbounded<WebSocketConnection>();
    private readonly WebSocketServer _server;

    public ScriptedServer()
    {
        _server = new WebSocketServer();
        _server.Map("/script", this);
        _server.Start();
    }

    public Uri Uri => new($"ws://127.0.0.1:{_server.LocalEndPoint.Port}/script");

    /// <summary>The next connection the client makes.</summary>
    public async Task<WebSocketConnection> NextAsync() => await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

    public override ValueTask OnConnectedAsync(WebSocketConnection connection)
    {
        _accepted.Writer.TryWrite(connection);
        return ValueTask.CompletedTask;
    }

    public override ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message) => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
