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

    [Fact]
    public async Task Pongs_for_a_peer_that_pings_without_reading_do_not_pile_up()
    {
        const int Pings = 60_000;
        var options = new WebSocketServerOptions { SendQueueLimit = 64 * 1024, KeepAliveInterval = TimeSpan.Zero };
        await using var server = new TestServer(options, ("/", new RecordingEchoHandler()));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync("127.0.0.1", server.Server.LocalEndPoint.Port);
        using var stream = new NetworkStream(socket);
        await stream.WriteAsync("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"u8.ToArray());

        // 60000 masked pings of 125 bytes (about 7.9 MB of pongs if every one were queued), sent without reading.
        var ping = new byte[2 + 4 + 125];
        ping[0] = 0x89;
        ping[1] = 0x80 | 125;
        var batch = new byte[ping.Length * 1000];
        for (var i = 0; i < 1000; i++) ping.CopyTo(batch, i * ping.Length);
        using var sending = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        for (var i = 0; i < Pings / 1000; i++) await stream.WriteAsync(batch, sending.Token);

        // Now read what was queued (until the server has been quiet a while), then check the connection still echoes.
        var pongs = 0;
        var echoed = false;
        var buffer = new byte[64 * 1024];
        var pending = new List<byte>();
        var headDone = false;
        var textSent = false;
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!echoed)
        {
            var read = stream.ReadAsync(buffer, reading.Token).AsTask();
            if (!textSent && await Task.WhenAny(read, Task.Delay(500)) != read)
            {
                await stream.WriteAsync(new byte[] { 0x81, 0x82, 0, 0, 0, 0, (byte)'o', (byte)'k' }, reading.Token);
                textSent = true;
            }
            var count = await read;
            Assert.NotEqual(0, count);
            pending.AddRange(buffer.AsSpan(0, count).ToArray());
            if (!headDone)
            {
                var end = IndexOf(pending, "\r\n\r\n"u8.ToArray());
                if (end < 0) continue;
                pending.RemoveRange(0, end + 4);
                headDone = true;
            }
            while (pending.Count >= 2 && pending.Count >= 2 + (pending[1] & 0x7F))
            {
                var length = 2 + (pending[1] & 0x7F);
                if (pending[0] == 0x8A) pongs++;
                else if (pending[0] == 0x81) echoed = true;
                pending.RemoveRange(0, length);
            }
        }

        // The connection lived, and what was queued for it stayed near the limit plus what the sockets hold.
        Assert.True(echoed);
        Assert.InRange(pongs, 1, Pings - 1);
    }

    private static int IndexOf(List<byte> haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Count; i++)
        {
            var match = true;
            for (var j = 0; j < needle.Length && match; j++) match = haystack[i + j] == needle[j];
            if (match) return i;
        }
        return -1;
    }
}
