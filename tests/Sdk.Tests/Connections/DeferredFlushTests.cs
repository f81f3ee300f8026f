using System.Buffers;
using System.Net.Sockets;
using Switchboard.Connections;
using Switchboard.Protocol;
using Xunit;

namespace Switchboard.Tests.Connections;

/// <summary>
/// A server session's writes outside its own reads (a broadcast, a send from another connection's handler) leave their
/// flush to the writing thread's flush queue, which thread-pool work items empty a chunk at a time.
/// </summary>
public sealed class DeferredFlushTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly LoopbackSockets _sockets = new();

    public void Dispose() => _sockets.Dispose();

    [Fact]
    public async Task Frames_written_to_more_sessions_than_one_flush_takes_all_arrive_in_order()
    {
        // More sessions than a flush run takes: the queue is emptied by several runs.
        const int Sessions = 150;
        var pairs = new List<(Socket Client, WebSocketSession Session, Task<CloseCode?> Run)>();
        for (var i = 0; i < Sessions; i++)
        {
            var (client, server) = await _sockets.ConnectAsync();
            var session = new WebSocketSession(i + 1, new SocketTransport(server), WebSocketRole.Server);
            pairs.Add((client, session, session.RunAsync(_ => ValueTask.CompletedTask)));
        }

        // From the test's thread, outside any read: every write completes at once and leaves its flush for later.
        foreach (var round in new[] { "a"u8.ToArray(), "b"u8.ToArray() })
        {
            foreach (var (_, session, _) in pairs)
            {
                var send = session.SendAsync(Opcode.Text, new ReadOnlySequence<byte>(round));
                Assert.True(send.IsCompletedSuccessfully);
                await send;
            }
        }

        var received = await Task.WhenAll(pairs.Select(p => ReadExactlyAsync(p.Client, 6))).WaitAsync(Timeout);
        Assert.All(received, bytes => Assert.Equal(new byte[] { 0x81, 1, (byte)'a', 0x81, 1, (byte)'b' }, bytes));

        foreach (var (_, session, _) in pairs) session.Abort();
        await Task.WhenAll(pairs.Select(p => p.Run)).WaitAsync(Timeout);
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            if (n == 0) throw new IOException($"the connection ended after {read} of {count} bytes");
            read += n;
        }
        return buffer;
    }
}
