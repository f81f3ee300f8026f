using System.Net.Sockets;
using Switchboard.Client;
using Switchboard.Server.Messaging;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// A peer that completes the handshake and then never reads must not hold up delivery to anyone else: its send
/// queue fills, it is closed as a slow consumer, and the readers get every message.
/// </summary>
public sealed class SlowConsumerTests
{
    private const int Messages = 6000;
    private const int Batch = 100;
    private static readonly string Padding = new('x', 2000);

    [Fact]
    public async Task Stalled_peer_is_closed_and_the_broadcast_reaches_every_reader()
    {
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog);
        var disconnected = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        long stalledId = 0;
        endpoint
            .OnConnected(context =>
            {
                if (context.RouteValues["name"] == "stalled") Volatile.Write(ref stalledId, context.ConnectionId);
                return ValueTask.CompletedTask;
            })
            .OnDisconnected((context, _) =>
            {
                if (context.ConnectionId == Volatile.Read(ref stalledId)) disconnected.TrySetResult(context.ConnectionId);
                return ValueTask.CompletedTask;
            })
            .On<Route>((context, route) => context.Endpoint.All.SendAsync(new Note(route.Target, route.Seq)));

        // Keepalive is off, so only the send-queue policy (default limit) can free the room from the stalled peer.
        var options = new WebSocketServerOptions
        {
            KeepAliveInterval = TimeSpan.Zero,
            CloseTimeout = TimeSpan.FromSeconds(1),
        };
        await using var server = new TestServer(options, ("/room/{name}", endpoint));

        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync("127.0.0.1", server.Server.LocalEndPoint.Port);
        await stalled.SendAsync("GET /room/stalled HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"u8.ToArray()
            .Concat("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"u8.ToArray()).ToArray());

        var received = 0;
        var lastSeq = -1;
        var outOfOrder = 0;
        var allReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var reader = new SwitchboardClient(server.Uri("/room/reader"), SwitchboardMessages.Catalog);
        reader.On<Note>(note =>
        {
            if (note.Seq != lastSeq + 1) outOfOrder++;
            lastSeq = note.Seq;
            if (++received == Messages) allReceived.TrySetResult();
        });
        await reader.ConnectAsync();
        await using var sender = new SwitchboardClient(server.Uri("/room/sender"), SwitchboardMessages.Catalog);
        sender.On<Note>(_ => { });
        await sender.ConnectAsync();
        for (var i = 0; i < 200 && endpoint.ConnectionCount != 3; i++) await Task.Delay(25);
        Assert.Equal(3, endpoint.ConnectionCount);

        // In batches that the reader keeps up with, so only the stalled peer falls behind by the whole queue.
        for (var seq = 0; seq < Messages; seq++)
        {
            await sender.SendAsync(new Route(Padding, null, seq));
            for (var wait = 0; seq % Batch == Batch - 1 && Volatile.Read(ref received) <= seq - Batch && wait < 1000; wait++) await Task.Delay(10);
        }

        await allReceived.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Messages, received);
        Assert.Equal(0, outOfOrder);
        Assert.Equal(Volatile.Read(ref stalledId), await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, endpoint.ConnectionCount);
    }
}
