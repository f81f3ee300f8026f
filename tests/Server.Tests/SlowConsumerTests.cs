using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Switchboard.Client;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Server.Diagnostics;
using Switchboard.Server.WebSockets;
using Switchboard.Testing;
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
        using var metrics = new LimitMetrics(server.Server);

        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync("127.0.0.1", server.Server.LocalEndPoint.Port);
        await stalled.SendAsync("GET /room/stalled HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"u8.ToArray()
            .Concat("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"u8.ToArray()).ToArray());

        var received = 0;
        var lastSeq = -1;
        var outOfOrder = 0;
        var allReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readerProgress = new Changes();
        await using var reader = new SwitchboardClient(server.Uri("/room/reader"), SwitchboardMessages.Catalog);
        reader.On<Note>(note =>
        {
            if (note.Seq != lastSeq + 1) outOfOrder++;
            lastSeq = note.Seq;
            if (++received == Messages) allReceived.TrySetResult();
            readerProgress.Pulse();
        });
        await reader.ConnectAsync();
        await using var sender = new SwitchboardClient(server.Uri("/room/sender"), SwitchboardMessages.Catalog);
        sender.On<Note>(_ => { });
        await sender.ConnectAsync();
        await Eventually.TrueAsync(() => endpoint.ConnectionCount == 3, () => $"3 connections; the endpoint has {endpoint.ConnectionCount}");

        // In batches that the reader keeps up with, so only the stalled peer falls behind by the whole queue.
        for (var seq = 0; seq < Messages; seq++)
        {
            await sender.SendAsync(new Route(Padding, null, seq));
            if (seq % Batch == Batch - 1)
                await readerProgress.UntilAsync(() => Volatile.Read(ref received) > seq - Batch, () => $"the reader kept up: {Volatile.Read(ref received)} of {seq + 1} received");
        }

        await allReceived.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(Messages, received);
        Assert.Equal(0, outOfOrder);
        Assert.Equal(Volatile.Read(ref stalledId), await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, endpoint.ConnectionCount);
        Assert.Equal(1, metrics[ServerLimit.SendQueue]);
    }

    [Fact]
    public async Task A_slow_reader_is_closed_with_1013_behind_what_was_queued_and_counted_once_it_has_ended()
    {
        const int DataMessages = 16;
        const int DataLength = 1024 * 1024;
        // A long close timeout: the peer reads everything up to the close frame before it answers.
        var options = new WebSocketServerOptions { SendQueueLimit = 64 * 1024, KeepAliveInterval = TimeSpan.Zero, CloseTimeout = TimeSpan.FromSeconds(30) };
        var handler = new FloodHandler(DataMessages, DataLength);
        await using var server = new TestServer(options, ("/", handler));
        using var metrics = new LimitMetrics(server.Server);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync("127.0.0.1", server.Server.LocalEndPoint.Port);
        using var stream = new NetworkStream(socket);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await stream.WriteAsync(RawFrames.UpgradeRequest("/"), timeout.Token);
        await ReadHeadAsync(stream, timeout.Token);

        // 16 MiB for a peer that does not read yet: the sends never wait, so once they are done the server has judged it.
        await stream.WriteAsync(RawFrames.Text("flood"), timeout.Token);
        await handler.Flooded.Task.WaitAsync(timeout.Token);
        Assert.Equal(0, metrics[ServerLimit.SendQueue]); // counted when the connection has ended, not before

        // The reader catches up: the data queued before the verdict, then the close frame.
        var buffer = new byte[64 * 1024];
        var dataBytes = 0L;
        while (true)
        {
            var (opcode, length) = await ReadFrameHeaderAsync(stream, timeout.Token);
            await stream.ReadExactlyAsync(buffer.AsMemory(0, (int)Math.Min(length, buffer.Length)), timeout.Token);
            for (var left = length - Math.Min(length, buffer.Length); left > 0; left -= Math.Min(left, buffer.Length))
                await stream.ReadExactlyAsync(buffer.AsMemory(0, (int)Math.Min(left, buffer.Length)), timeout.Token);
            if (opcode == 0x8)
            {
                Assert.Equal((ushort)CloseCode.TryAgainLater, BinaryPrimitives.ReadUInt16BigEndian(buffer));
                Assert.Equal("send queue full: the peer does not read", Encoding.UTF8.GetString(buffer, 2, (int)length - 2));
                break;
            }
            Assert.Equal(0x2, opcode);
            dataBytes += length;
        }
        Assert.InRange(dataBytes, 1, (long)(DataMessages - 1) * DataLength);

        // The closing handshake, then the TCP close: the server has nothing more to read.
        await stream.WriteAsync(RawFrames.Close(), timeout.Token);
        socket.Shutdown(SocketShutdown.Send);
        while (await stream.ReadAsync(buffer, timeout.Token) > 0)
        {
        }
        await Eventually.TrueAsync(() => metrics[ServerLimit.SendQueue] != 0, "the slow reader's end counted", TimeSpan.FromSeconds(10));
        Assert.Equal(1, metrics[ServerLimit.SendQueue]);
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

        // Then a text message, read by the server after every ping: its echo follows whatever pongs were queued, so
        // reading up to it reads them all, and shows the connection still echoes.
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await stream.WriteAsync(new byte[] { 0x81, 0x82, 0, 0, 0, 0, (byte)'o', (byte)'k' }, reading.Token);
        var pongs = 0;
        var echoed = false;
        var buffer = new byte[64 * 1024];
        var pending = new List<byte>();
        var headDone = false;
        while (!echoed)
        {
            var count = await stream.ReadAsync(buffer, reading.Token);
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

    [Fact]
    public async Task A_peer_that_pings_behind_a_backlog_gets_only_the_latest_pong_after_it()
    {
        const int Pings = 1000;
        const int DataMessages = 16;
        const int DataLength = 1024 * 1024;
        // Room for the whole backlog, so the peer is not closed as a slow consumer; keepalive off, so no ping of ours.
        var options = new WebSocketServerOptions { SendQueueLimit = 64 * 1024 * 1024, KeepAliveInterval = TimeSpan.Zero };
        var handler = new FloodHandler(DataMessages, DataLength);
        await using var server = new TestServer(options, ("/", handler));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync("127.0.0.1", server.Server.LocalEndPoint.Port);
        using var stream = new NetworkStream(socket);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await stream.WriteAsync(RawFrames.UpgradeRequest("/"), timeout.Token);
        await ReadHeadAsync(stream, timeout.Token);

        // 16 MiB for a peer that does not read: far more than the sockets hold, so most of it waits in the send queue.
        // The sends never wait (the queue has room for all of it): once they are done the backlog is queued.
        await stream.WriteAsync(RawFrames.Text("flood"), timeout.Token);
        await handler.Flooded.Task.WaitAsync(timeout.Token);
        var pings = new List<byte>();
        for (var i = 0; i < Pings; i++)
        {
            var payload = Encoding.ASCII.GetBytes($"ping-{i:D5}");
            pings.AddRange([0x89, (byte)(0x80 | payload.Length), 0, 0, 0, 0, .. payload]);
        }
        await stream.WriteAsync(pings.ToArray(), timeout.Token);

        // Now read: every data byte first, then the answer to the last ping alone.
        var dataBytes = 0L;
        var pongs = new List<string>();
        var pongAfterData = false;
        var buffer = new byte[64 * 1024];
        while (pongs.Count == 0 || dataBytes < (long)DataMessages * DataLength)
        {
            var (opcode, length) = await ReadFrameHeaderAsync(stream, timeout.Token);
            await stream.ReadExactlyAsync(buffer.AsMemory(0, (int)Math.Min(length, buffer.Length)), timeout.Token);
            for (var left = length - Math.Min(length, buffer.Length); left > 0; left -= Math.Min(left, buffer.Length))
                await stream.ReadExactlyAsync(buffer.AsMemory(0, (int)Math.Min(left, buffer.Length)), timeout.Token);
            if (opcode == 0xA)
            {
                pongs.Add(Encoding.ASCII.GetString(buffer, 0, (int)length));
                pongAfterData = dataBytes == (long)DataMessages * DataLength;
            }
            else
            {
                Assert.Equal(0x2, opcode);
                dataBytes += length;
            }
        }

        // Nothing more comes: the server kept one pong, not one per ping.
        await stream.WriteAsync(RawFrames.Text("ok"), timeout.Token);
        var (next, nextLength) = await ReadFrameHeaderAsync(stream, timeout.Token);
        Assert.Equal(0x1, next);
        Assert.Equal(2, nextLength);
        Assert.Equal(["ping-00999"], pongs);
        Assert.True(pongAfterData);
    }

    private static async Task ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
        {
            await stream.ReadExactlyAsync(one, cancellationToken);
            head.Add(one[0]);
        }
        Assert.StartsWith("HTTP/1.1 101", Encoding.ASCII.GetString(head.ToArray()), StringComparison.Ordinal);
    }

    /// <summary>Reads an unmasked server frame's header: its opcode and payload length.</summary>
    private static async Task<(int Opcode, long Length)> ReadFrameHeaderAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var header = new byte[8];
        await stream.ReadExactlyAsync(header.AsMemory(0, 2), cancellationToken);
        var opcode = header[0] & 0x0F;
        long length = header[1] & 0x7F;
        if (length == 126)
        {
            await stream.ReadExactlyAsync(header.AsMemory(0, 2), cancellationToken);
            length = (header[0] << 8) | header[1];
        }
        else if (length == 127)
        {
            await stream.ReadExactlyAsync(header, cancellationToken);
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(header);
        }
        return (opcode, length);
    }

    /// <summary>Answers "flood" with <c>count</c> binary messages of <c>length</c> bytes, and echoes anything else.</summary>
    private sealed class FloodHandler(int count, int length) : WebSocketHandler
    {
        private readonly byte[] _data = new byte[length];

        /// <summary>Completes once the handler has sent (or dropped) every message of a flood.</summary>
        public TaskCompletionSource Flooded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message)
        {
            if (!message.Payload.FirstSpan.SequenceEqual("flood"u8))
            {
                await connection.SendAsync(message.Opcode, message.Payload);
                return;
            }
            for (var i = 0; i < count; i++) await connection.SendAsync(Opcode.Binary, new ReadOnlySequence<byte>(_data));
            Flooded.TrySetResult();
        }
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
