using System.Buffers;
using System.Text;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Server.WebSockets;
using Switchboard.Testing;
using Xunit;
using D = Switchboard.Server.SwitchboardServerDiagnostics;

namespace Switchboard.Server.Tests;

/// <summary>
/// A raw <see cref="WebSocketHandler"/> whose <c>OnMessageAsync</c> throws (at once, with a faulted task, or after it
/// waited) is counted on <c>switchboard.server.handler.failures</c> (transport websocket, handler message, no message
/// type), still logged by its session (event 102), and the connection lives on.
/// </summary>
public sealed class RawHandlerFailureTests
{
    [Theory]
    [InlineData("throw-now")]
    [InlineData("faulted")]
    [InlineData("throw-after-wait")]
    public async Task A_raw_handler_that_throws_is_counted_and_logged_and_the_connection_lives_on(string how)
    {
        using var logs = new RecordingLoggerFactory();
        await using var server = new TestServer(null, logs, s => s.Map("/raw", new FailingHandler()));
        using var instruments = new ServerInstruments(server.Server);
        using var client = await server.ConnectAsync("/raw");

        await client.SendTextAsync(how);
        await client.SendTextAsync("after");
        Assert.Equal("after", await client.ReceiveTextAsync());

        // One message of a connection at a time: the failure was counted and logged before the next one was handled.
        var failures = instruments.Matching(D.HandlerFailures, (D.TransportTag, D.WebSocketTransport), (D.HandlerTag, "message")).ToList();
        Assert.Single(failures);
        Assert.Equal(1, failures[0].Value);
        Assert.False(failures[0].Tags.ContainsKey(D.MessageTypeTag));
        Assert.Equal(1, instruments.Sum(D.HandlerFailures));
        Assert.Single(logs.Events, e => e.Id.Id == 102);
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task Handled_messages_count_no_failure()
    {
        await using var server = new TestServer(null, s => s.Map("/raw", new FailingHandler()));
        using var instruments = new ServerInstruments(server.Server);
        using var client = await server.ConnectAsync("/raw");

        await client.SendTextAsync("one");
        await client.SendTextAsync("wait");
        await client.SendTextAsync("marker");
        Assert.Equal("one", await client.ReceiveTextAsync());
        Assert.Equal("wait", await client.ReceiveTextAsync());
        Assert.Equal("marker", await client.ReceiveTextAsync());

        Assert.Equal(0, instruments.Sum(D.HandlerFailures));
    }

    /// <summary>Fails as its message says; echoes anything else ("wait" after yielding).</summary>
    private sealed class FailingHandler : WebSocketHandler
    {
        public override ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message)
        {
            var text = Encoding.UTF8.GetString(message.Payload);
            return text switch
            {
                "throw-now" => throw new InvalidOperationException("a synchronous failure on purpose"),
                "faulted" => ValueTask.FromException(new InvalidOperationException("a faulted task on purpose")),
                "throw-after-wait" => ThrowAfterWaitAsync(),
                "wait" => EchoAfterWaitAsync(connection, message),
                _ => connection.SendAsync(message.Opcode, message.Payload),
            };
        }

        private static async ValueTask ThrowAfterWaitAsync()
        {
            await Task.Yield();
            throw new InvalidOperationException("a failure after a wait on purpose");
        }

        private static async ValueTask EchoAfterWaitAsync(WebSocketConnection connection, WebSocketMessage message)
        {
            var payload = message.Payload.ToArray(); // the message's memory is the session's only until the handler returns
            await Task.Yield();
            await connection.SendAsync(Opcode.Text, payload);
        }
    }
}
