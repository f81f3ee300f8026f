using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Connections;

/// <summary>
/// Sessions started with <see cref="WebSocketSession.Start"/> over one options object, as a host starts its own: each
/// calls the hooks and the state it was started with, whether they are the same as the last session's or not.
/// </summary>
public sealed class SessionStartTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly LoopbackSockets _sockets = new();

    public void Dispose() => _sockets.Dispose();

    [Fact]
    public async Task Sessions_on_one_options_object_call_their_own_hooks_with_their_own_state()
    {
        var options = new WebSocketSessionOptions();
        Func<Probe, WebSocketMessage, ValueTask> shared = static (probe, message) => probe.Message(message);
        Func<Probe, CloseCode?, ValueTask> ended = static (probe, status) => probe.Ended(status);
        Func<Probe, WebSocketMessage, ValueTask> other = static (probe, message) => probe.Message(message, "other:");

        // The first two share hooks; the third has a message hook of its own; the fourth is back to the first's.
        var probes = new[] { new Probe(), new Probe(), new Probe(), new Probe() };
        var hooks = new[] { shared, shared, other, shared };
        var clients = new List<Socket>();
        for (var i = 0; i < probes.Length; i++)
        {
            var (client, server) = await _sockets.ConnectAsync();
            clients.Add(client);
            new WebSocketSession(i, new SocketTransport(server), WebSocketRole.Server, options).Start(hooks[i], ended, probes[i]);
        }

        for (var i = 0; i < probes.Length; i++) await clients[i].SendAsync(MaskedText($"m{i}"));
        for (var i = 0; i < probes.Length; i++)
        {
            Assert.Equal(i == 2 ? "other:m2" : $"m{i}", await probes[i].Received.Task.WaitAsync(Timeout));
        }

        for (var i = 0; i < probes.Length; i++) await clients[i].SendAsync(MaskedClose());
        foreach (var probe in probes) Assert.Equal(CloseCode.NormalClosure, await probe.Closed.Task.WaitAsync(Timeout));
        foreach (var client in clients) client.Dispose();
    }

    private static byte[] MaskedText(string text)
    {
        var frames = new ArrayBufferWriter<byte>();
        FrameWriter.WriteFrame(frames, Opcode.Text, Encoding.UTF8.GetBytes(text), fin: true, maskKey: 0x12345678);
        return frames.WrittenSpan.ToArray();
    }

    private static byte[] MaskedClose()
    {
        var frames = new ArrayBufferWriter<byte>();
        FrameWriter.WriteFrame(frames, Opcode.Close, [0x03, 0xE8], fin: true, maskKey: 0x01020304); // 1000
        return frames.WrittenSpan.ToArray();
    }

    /// <summary>One session's state: the first message it heard of, and how it ended.</summary>
    private sealed class Probe
    {
        public TaskCompletionSource<string> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<CloseCode?> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask Message(WebSocketMessage message, string prefix = "")
        {
            Received.TrySetResult(prefix + Encoding.UTF8.GetString(message.Payload));
            return ValueTask.CompletedTask;
        }

        public ValueTask Ended(CloseCode? status)
        {
            Closed.TrySetResult(status);
            return ValueTask.CompletedTask;
        }
    }
}
