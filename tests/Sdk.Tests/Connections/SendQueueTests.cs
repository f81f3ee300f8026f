using System.Net.Sockets;
using Switchboard.Connections;
using Xunit;

namespace Switchboard.Tests.Connections;

/// <summary>
/// The send queue of a <see cref="SocketTransport"/> over a real loopback connection whose peer reads only when told:
/// the waits for room and for the drain belong to the queue that was there when they began, and every queue that comes
/// after ends its own.
/// </summary>
public sealed class SendQueueTests : IDisposable
{
    private const long Limit = 64 * 1024;
    private const int WriteSize = 32 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly LoopbackSockets _sockets = new();

    public void Dispose() => _sockets.Dispose();

    [Fact]
    public async Task Waits_for_room_and_for_the_drain_end_once_the_peer_reads_queue_after_queue_and_every_byte_arrives_in_order()
    {
        var (client, server) = await _sockets.ConnectAsync();
        var transport = new SocketTransport(client, sendQueueLimit: Limit);
        long written = 0;
        long read = 0;
        for (var queue = 0; queue < 3; queue++)
        {
            // The peer does not read: the socket fills, then the queue grows past its limit.
            for (var writes = 0; transport.QueuedBytes <= Limit; writes++)
            {
                Assert.True(writes < 10_000, "the queue never went over its limit");
                written += await WriteAsync(transport, written);
            }
            var room = transport.WaitForRoomAsync(CancellationToken.None);
            var drained = transport.WaitForDrainAsync();

            read += await ReadAsync(server, read, written - read);
            await room.WaitAsync(Timeout);
            await drained.WaitAsync(Timeout);
            Assert.Equal(0, transport.QueuedBytes);
        }
        await transport.DisposeAsync();
    }

    /// <summary>Writes and flushes one chunk of the pattern, from <paramref name="offset"/> on.</summary>
    private static async Task<int> WriteAsync(SocketTransport transport, long offset)
    {
        var span = transport.Output.GetSpan(WriteSize)[..WriteSize];
        for (var i = 0; i < span.Length; i++) span[i] = Pattern(offset + i);
        transport.Output.Advance(WriteSize);
        var flushed = await transport.Output.FlushAsync();
        Assert.False(flushed.IsCompleted);
        return WriteSize;
    }

    /// <summary>Reads <paramref name="count"/> bytes, checking each against the pattern from <paramref name="offset"/> on.</summary>
    private static async Task<long> ReadAsync(Socket socket, long offset, long count)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(Timeout);
        for (long done = 0; done < count;)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count - done)), SocketFlags.None, timeout.Token);
            Assert.True(received > 0, "the connection ended early");
            for (var i = 0; i < received; i++)
            {
                if (buffer[i] != Pattern(offset + done + i)) Assert.Fail($"byte {offset + done + i} is out of order");
            }
            done += received;
        }
        return count;
    }

    private static byte Pattern(long position) => (byte)(position % 251);
}
