using System.Text;
using System.Threading.Channels;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Connections;

/// <summary>
/// A session's ping on demand and its fragmented send (RFC 6455 sections 5.5.2 and 5.4), between a client and a server
/// session over loopback, each frame as the peer's reader took it.
/// </summary>
public sealed class PingAndFragmentsTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly LoopbackSockets _sockets = new();

    public void Dispose() => _sockets.Dispose();

    private sealed record Seen(Opcode Opcode, bool Fin, bool Masked, long Length, string Unmasked);

    /// <summary>Passes each frame the reader takes on to the test, which waits for the ones it needs.</summary>
    private sealed class FrameChannel : IFrameTraceObserver
    {
        private readonly Channel<Seen> _seen = Channel.CreateUnbounded<Seen>();

        public void OnFrame(in FrameTrace frame)
        {
            Span<byte> masked = stackalloc byte[125];
            Span<byte> unmasked = stackalloc byte[125];
            int count = frame.CopyFirstBytes(masked, unmasked);
            FrameHeader h = frame.Header;
            _seen.Writer.TryWrite(new Seen(h.Opcode, h.Fin, h.Masked, h.PayloadLength, Encoding.UTF8.GetString(unmasked[..count])));
        }

        public async Task<Seen> NextAsync()
        {
            using var timeout = new CancellationTokenSource(Timeout);
            return await _seen.Reader.ReadAsync(timeout.Token);
        }
    }

    private async Task<(WebSocketSession Client, WebSocketSession Server)> PairAsync()
    {
        var (client, server) = await _sockets.ConnectAsync();
        return (new WebSocketSession(1, new SocketTransport(client), WebSocketRole.Client), new WebSocketSession(2, new SocketTransport(server), WebSocketRole.Server));
    }

    [Fact]
    public async Task A_fragmented_send_is_read_as_a_text_frame_then_continuations_with_FIN_on_the_last_and_arrives_as_one_message()
    {
        var (client, server) = await PairAsync();
        var frames = new FrameChannel();
        server.FrameObserver = frames;
        var received = Channel.CreateUnbounded<(Opcode, string)>();
        var serverRun = server.RunAsync(message =>
        {
            received.Writer.TryWrite((message.Opcode, Encoding.UTF8.GetString(message.Payload)));
            return ValueTask.CompletedTask;
        });
        var clientRun = client.RunAsync(_ => ValueTask.CompletedTask);

        await client.SendFragmentedAsync(Opcode.Text, "Hello, fragments"u8.ToArray(), fragmentSize: 5);

        Assert.Equal(new Seen(Opcode.Text, false, true, 5, "Hello"), await frames.NextAsync());
        Assert.Equal(new Seen(Opcode.Continuation, false, true, 5, ", fra"), await frames.NextAsync());
        Assert.Equal(new Seen(Opcode.Continuation, false, true, 5, "gment"), await frames.NextAsync());
        Assert.Equal(new Seen(Opcode.Continuation, true, true, 1, "s"), await frames.NextAsync());
        using var timeout = new CancellationTokenSource(Timeout);
        Assert.Equal((Opcode.Text, "Hello, fragments"), await received.Reader.ReadAsync(timeout.Token));

        await client.CloseAsync(CloseCode.NormalClosure);
        Assert.Equal(CloseCode.NormalClosure, await serverRun.WaitAsync(Timeout));
        await clientRun.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_message_no_longer_than_a_fragment_goes_as_one_final_frame()
    {
        var (client, server) = await PairAsync();
        var frames = new FrameChannel();
        server.FrameObserver = frames;
        var serverRun = server.RunAsync(_ => ValueTask.CompletedTask);
        var clientRun = client.RunAsync(_ => ValueTask.CompletedTask);

        await client.SendFragmentedAsync(Opcode.Binary, "abc"u8.ToArray(), fragmentSize: 3);

        Assert.Equal(new Seen(Opcode.Binary, true, true, 3, "abc"), await frames.NextAsync());
        await client.CloseAsync(CloseCode.NormalClosure);
        await serverRun.WaitAsync(Timeout);
        await clientRun.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_server_ping_is_answered_by_the_client_with_a_masked_pong_carrying_the_same_data()
    {
        var (client, server) = await PairAsync();
        var frames = new FrameChannel();
        server.FrameObserver = frames;
        var serverRun = server.RunAsync(_ => ValueTask.CompletedTask);
        var clientRun = client.RunAsync(_ => ValueTask.CompletedTask);

        Assert.True(await server.PingAsync("inspect"u8.ToArray()));

        Assert.Equal(new Seen(Opcode.Pong, true, true, 7, "inspect"), await frames.NextAsync());
        await client.CloseAsync(CloseCode.NormalClosure);
        await serverRun.WaitAsync(Timeout);
        await clientRun.WaitAsync(Timeout);
        Assert.False(await server.PingAsync());
    }

    [Fact]
    public async Task Bad_arguments_name_the_parameter()
    {
        var (client, _) = await PairAsync();
        Assert.Equal("fragmentSize", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => client.SendFragmentedAsync(Opcode.Text, "abc"u8.ToArray(), 0).AsTask())).ParamName);
        Assert.Equal("opcode", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => client.SendFragmentedAsync(Opcode.Ping, "abc"u8.ToArray(), 1).AsTask())).ParamName);
        Assert.Equal("payload", (await Assert.ThrowsAsync<ArgumentException>(
            () => client.PingAsync(new byte[126]).AsTask())).ParamName);
    }
}
