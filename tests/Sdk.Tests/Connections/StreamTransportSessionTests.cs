using System.Buffers;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Protocol.Connection;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Connections;

/// <summary>
/// A <see cref="WebSocketSession"/> over a <see cref="StreamTransport"/>: the session runs over any duplex stream (here a
/// <see cref="NetworkStream"/> over a loopback socket pair), as it runs over a <see cref="SocketTransport"/>.
/// </summary>
public sealed class StreamTransportSessionTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly LoopbackSockets _sockets = new();

    public void Dispose() => _sockets.Dispose();

    [Fact]
    public async Task A_server_session_over_a_stream_echoes_a_client_session_and_completes_the_closing_handshake()
    {
        var (client, server) = await _sockets.ConnectAsync();
        var serverSession = new WebSocketSession(1, new StreamTransport(new NetworkStream(server, ownsSocket: true)), WebSocketRole.Server);
        var clientSession = new WebSocketSession(2, new SocketTransport(client), WebSocketRole.Client);
        var received = Channel.CreateUnbounded<(Opcode, byte[])>();

        var serverRun = serverSession.RunAsync(message => serverSession.SendAsync(message.Opcode, message.Payload));
        var clientRun = clientSession.RunAsync(message =>
        {
            received.Writer.TryWrite((message.Opcode, message.Payload.ToArray()));
            return ValueTask.CompletedTask;
        });
        await clientSession.SendAsync(Opcode.Text, new ReadOnlySequence<byte>("hello"u8.ToArray()));
        var large = new byte[100_000];
        Random.Shared.NextBytes(large);
        await clientSession.SendAsync(Opcode.Binary, new ReadOnlySequence<byte>(large));

        using var timeout = new CancellationTokenSource(Timeout);
        var (opcode, bytes) = await received.Reader.ReadAsync(timeout.Token);
        Assert.Equal(Opcode.Text, opcode);
        Assert.Equal("hello", Encoding.UTF8.GetString(bytes));
        (opcode, bytes) = await received.Reader.ReadAsync(timeout.Token);
        Assert.Equal(Opcode.Binary, opcode);
        Assert.Equal(large, bytes);

        await clientSession.CloseAsync(CloseCode.NormalClosure, "done");
        Assert.Equal(CloseCode.NormalClosure, await serverRun.WaitAsync(Timeout));
        Assert.Equal(CloseCode.NormalClosure, await clientRun.WaitAsync(Timeout));
        Assert.Equal(ProtocolState.Closed, serverSession.State);
        Assert.Equal(ProtocolState.Closed, clientSession.State);
    }

    [Fact]
    public async Task Over_a_stream_pings_are_answered_and_fragments_arrive_as_one_message()
    {
        var (client, server) = await _sockets.ConnectAsync();
        var session = new WebSocketSession(1, new StreamTransport(new NetworkStream(server, ownsSocket: true)), WebSocketRole.Server);
        var received = Channel.CreateUnbounded<string>();
        var run = session.RunAsync(message =>
        {
            received.Writer.TryWrite(Encoding.UTF8.GetString(message.Payload));
            return ValueTask.CompletedTask;
        });

        var frames = new ArrayBufferWriter<byte>();
        FrameWriter.WriteFrame(frames, Opcode.Text, "Hel"u8, fin: false, maskKey: 0x12345678);
        FrameWriter.WriteFrame(frames, Opcode.Ping, "p"u8, fin: true, maskKey: 0x01020304);
        FrameWriter.WriteFrame(frames, Opcode.Continuation, "lo"u8, fin: true, maskKey: 0x0A0B0C0D);
        await client.SendAsync(frames.WrittenMemory);

        Assert.Equal([0x8A, 0x01, (byte)'p'], await ReadExactlyAsync(client, 3)); // the pong, unmasked from a server
        using var timeout = new CancellationTokenSource(Timeout);
        Assert.Equal("Hello", await received.Reader.ReadAsync(timeout.Token));

        frames.Clear();
        FrameWriter.WriteClose(frames, CloseCode.GoingAway, maskKey: 0x11223344);
        await client.SendAsync(frames.WrittenMemory);
        Assert.Equal([0x88, 0x02, 0x03, 0xE9], await ReadExactlyAsync(client, 4)); // the answer carries the peer's code
        Assert.Equal(CloseCode.GoingAway, await run.WaitAsync(Timeout));
        client.Dispose();
    }

    [Fact]
    public async Task Over_a_stream_a_silent_peer_is_pinged_then_dropped_by_the_keepalive()
    {
        var (client, server) = await _sockets.ConnectAsync();
        var options = new WebSocketSessionOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(100), KeepAliveTimeout = TimeSpan.FromMilliseconds(200) };
        var session = new WebSocketSession(1, new StreamTransport(new NetworkStream(server, ownsSocket: true)), WebSocketRole.Server, options);

        var run = session.RunAsync(static _ => ValueTask.CompletedTask);

        Assert.Equal([0x89, 0x00], await ReadExactlyAsync(client, 2)); // the keepalive ping, never answered
        Assert.Null(await run.WaitAsync(Timeout)); // dropped without a closing handshake
        Assert.Equal(ProtocolState.Closed, session.State);
        client.Dispose();
    }

    [Fact]
    public async Task Over_a_stream_a_server_closes_a_peer_that_does_not_read_with_1013()
    {
        var (client, server) = await _sockets.ConnectAsync();
        client.ReceiveBufferSize = 4096;
        var transport = new StreamTransport(new NetworkStream(server, ownsSocket: true), sendQueueLimit: 64 * 1024);
        var session = new WebSocketSession(1, transport, WebSocketRole.Server,
            new WebSocketSessionOptions { KeepAliveInterval = TimeSpan.Zero, CloseTimeout = TimeSpan.FromMilliseconds(200) });
        var run = session.RunAsync(static _ => ValueTask.CompletedTask);

        var chunk = new ReadOnlySequence<byte>(new byte[16 * 1024]);
        using var timeout = new CancellationTokenSource(Timeout);
        while (!session.ClosedAsSlowConsumer)
        {
            timeout.Token.ThrowIfCancellationRequested();
            await session.SendAsync(Opcode.Binary, chunk);
        }

        Assert.NotEqual(ProtocolState.Open, session.State);
        Assert.Null(await run.WaitAsync(Timeout)); // the close timeout drops the peer that never reads our close
        client.Dispose();
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        using var timeout = new CancellationTokenSource(Timeout);
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, timeout.Token);
            if (n == 0) throw new EndOfStreamException($"the connection ended after {read} of {count} bytes");
            read += n;
        }
        return buffer;
    }
}
