using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Protocol.Connection;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// <see cref="WebSocketSession.RunAsync{TState}(Func{TState, WebSocketMessage, ValueTask}, Func{TState, CloseCode?, ValueTask}, TState)"/>
/// and <see cref="WebSocketSession.Start"/>: the owner's work at the session's end runs in the session, once, after the
/// socket is closed.
/// </summary>
public sealed class SessionEndedHookTests
{
    [Fact]
    public async Task The_ended_hook_runs_once_with_the_peer_close_code_after_the_socket_is_closed()
    {
        var (server, client) = await ConnectedPairAsync();
        using var _ = client;
        var session = new WebSocketSession(1, new SocketTransport(server), WebSocketRole.Server);
        var calls = new List<(string State, CloseCode? Status, bool SocketClosed)>();

        var run = session.RunAsync(static (_, _) => ValueTask.CompletedTask, (state, status) =>
        {
            calls.Add((state, status, IsClosed(server)));
            return ValueTask.CompletedTask;
        }, "state");
        client.Send(RawFrames.Close());
        await ReadToEndAsync(client);

        Assert.Equal(CloseCode.NormalClosure, await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([("state", (CloseCode?)CloseCode.NormalClosure, true)], calls);
    }

    [Fact]
    public async Task The_ended_hook_runs_when_the_peer_drops_the_connection()
    {
        var (server, client) = await ConnectedPairAsync();
        var session = new WebSocketSession(1, new SocketTransport(server), WebSocketRole.Server);
        var ended = 0;
        CloseCode? seen = CloseCode.NormalClosure;

        var run = session.RunAsync(static (_, _) => ValueTask.CompletedTask, (_, status) =>
        {
            ended++;
            seen = status;
            return ValueTask.CompletedTask;
        }, 0);
        client.Dispose(); // FIN without a close frame

        Assert.Null(await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, ended);
        Assert.Null(seen);
    }

    [Fact]
    public async Task What_the_ended_hook_throws_faults_the_run()
    {
        var (server, client) = await ConnectedPairAsync();
        var session = new WebSocketSession(1, new SocketTransport(server), WebSocketRole.Server);

        var run = session.RunAsync(static (_, _) => ValueTask.CompletedTask, static (_, _) => throw new InvalidProgramException("hook"), 0);
        client.Dispose();

        var error = await Assert.ThrowsAsync<InvalidProgramException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("hook", error.Message);
    }

    [Fact]
    public async Task A_started_session_handles_messages_in_order_through_handlers_that_wait_then_runs_its_hook_once()
    {
        var (server, client) = await ConnectedPairAsync();
        using var _ = client;
        var session = new WebSocketSession(1, new SocketTransport(server), WebSocketRole.Server);
        var received = new List<string>();
        var ended = new TaskCompletionSource<(CloseCode? Status, bool SocketClosed, int Calls)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;

        session.Start(async (list, message) =>
        {
            await Task.Yield(); // every message's handling waits, so the loop goes on from its completion
            list.Add(System.Text.Encoding.UTF8.GetString(message.Payload.ToArray()));
        }, (list, status) =>
        {
            ended.TrySetResult((status, IsClosed(server), Interlocked.Increment(ref calls)));
            return ValueTask.CompletedTask;
        }, received);
        client.Send([.. RawFrames.Text("one"), .. RawFrames.Text("two")]);
        client.Send(RawFrames.Text("three"));
        client.Send(RawFrames.Close());
        await ReadToEndAsync(client);

        var (status, socketClosed, count) = await ended.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(CloseCode.NormalClosure, status);
        Assert.True(socketClosed);
        Assert.Equal(1, count);
        Assert.Equal(["one", "two", "three"], received);
        Assert.Equal(ProtocolState.Closed, session.State);
    }

    [Fact]
    public async Task What_the_hook_of_a_started_session_throws_is_logged()
    {
        var (server, client) = await ConnectedPairAsync();
        using var recorder = new LogRecorder();
        var session = new WebSocketSession(7, new SocketTransport(server), WebSocketRole.Server, logger: recorder.CreateLogger("session"));

        session.Start(static (_, _) => ValueTask.CompletedTask, static (_, _) => throw new InvalidProgramException("hook"), 0);
        client.Dispose();

        var entry = await recorder.WaitForAsync(102, "session");
        Assert.Equal("hook", Assert.IsType<InvalidProgramException>(entry.Exception).Message);
    }

    private static bool IsClosed(Socket socket)
    {
        try
        {
            _ = socket.Available;
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    private static async Task ReadToEndAsync(Socket client)
    {
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
        {
        }
    }

    private static async Task<(Socket Server, Socket Client)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        return (await listener.AcceptAsync(), client);
    }
}
