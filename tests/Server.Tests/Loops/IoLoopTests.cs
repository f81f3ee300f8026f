using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Switchboard.Connections;
using Switchboard.Server.Loops;
using Switchboard.Testing;
using Switchboard.Tests.Connections;
using Xunit;

namespace Switchboard.Server.Tests.Loops;

/// <summary>Plain sockets whose reads wait on <see cref="IoLoops"/>, over real loopback connections.</summary>
public sealed class IoLoopTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly LoopbackSockets _sockets = new();

    public IoLoopTests() => Assert.True(IoLoops.IsSupported, "these tests run on Linux, where the loops are");

    [Theory]
    [InlineData(false, "pool")]
    [InlineData(true, "Switchboard I/O 1")]
    public async Task A_waiting_read_completes_on_the_thread_pool_or_inline_on_the_loop_thread_with_the_bytes_that_arrive(bool inline, string expected)
    {
        using var loops = new IoLoops(1, null, unsafePreferInlineScheduling: inline);
        var (client, transport) = await ConnectAsync(loops);
        var read = transport.Input.ReadAsync();
        Assert.False(read.IsCompleted); // nothing sent yet: the read waits on the loop
        var reading = ReadAndNameThreadAsync(read);

        await client.SendAsync("hello"u8.ToArray());
        var (result, thread) = await reading.WaitAsync(Bound);
        Assert.Equal("hello"u8.ToArray(), result.Buffer.ToArray());
        Assert.Equal(expected, thread);
        transport.Input.AdvanceTo(result.Buffer.End);
        await transport.DisposeAsync();
    }

    [Fact]
    public async Task Many_sockets_on_two_loops_each_get_their_own_bytes_in_order()
    {
        using var loops = new IoLoops(2);
        var pairs = new List<(Socket Client, SocketTransport Transport)>();
        for (var i = 0; i < 40; i++) pairs.Add(await ConnectAsync(loops));
        Assert.Equal(40, loops.RegisteredCount);

        var readers = pairs.Select((p, i) => ReadExactlyAsync(p.Transport, 3 * 4)).ToArray();
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < pairs.Count; i++) await pairs[i].Client.SendAsync(BitConverter.GetBytes((i * 10) + round));
        }
        var received = await Task.WhenAll(readers).WaitAsync(Bound);
        for (var i = 0; i < pairs.Count; i++)
        {
            var expected = Enumerable.Range(0, 3).SelectMany(round => BitConverter.GetBytes((i * 10) + round)).ToArray();
            Assert.Equal(expected, received[i]);
        }

        foreach (var (_, transport) in pairs) await transport.DisposeAsync();
        Assert.Equal(0, loops.RegisteredCount); // a transport lets its registration go
    }

    [Fact]
    public async Task A_canceled_wait_fails_and_the_next_read_still_gets_the_bytes()
    {
        using var loops = new IoLoops(1);
        var (client, transport) = await ConnectAsync(loops);
        using var cancel = new CancellationTokenSource();
        var read = transport.Input.ReadAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(Bound));

        await client.SendAsync("after"u8.ToArray());
        var result = await transport.Input.ReadAsync().AsTask().WaitAsync(Bound);
        Assert.Equal("after"u8.ToArray(), result.Buffer.ToArray());
        transport.Input.AdvanceTo(result.Buffer.End);
        await transport.DisposeAsync();
    }

    [Fact]
    public async Task A_token_canceled_before_the_wait_begins_still_ends_it()
    {
        using var loops = new IoLoops(1);
        var (_, transport) = await ConnectAsync(loops);
        for (var i = 0; i < 200; i++)
        {
            using var cancel = new CancellationTokenSource();
            var read = transport.Input.ReadAsync(cancel.Token).AsTask();
            cancel.Cancel(); // races the registration of the wait's callback
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(Bound));
        }
        await transport.DisposeAsync();
    }

    [Fact]
    public async Task Aborting_the_transport_fails_a_waiting_read()
    {
        using var loops = new IoLoops(1);
        var (_, transport) = await ConnectAsync(loops);
        var read = transport.Input.ReadAsync().AsTask();
        transport.Abort(); // the closed socket leaves the loop's set without an event: the transport must say so
        var error = await Assert.ThrowsAnyAsync<Exception>(() => read.WaitAsync(Bound));
        Assert.True(error is ObjectDisposedException or IOException, error.ToString());
        await transport.DisposeAsync();
    }

    [Fact]
    public async Task Bytes_arriving_as_the_transport_is_aborted_end_the_waiting_read_either_way()
    {
        // The loop's thread hands the read's end to the thread pool through the reader itself, which the abort also
        // queues to wake a waiting read: whichever runs first, the read ends once, with the bytes or a failure.
        using var loops = new IoLoops(1);
        for (var round = 0; round < 200; round++)
        {
            var (client, transport) = await ConnectAsync(loops);
            var read = transport.Input.ReadAsync().AsTask();
            var sending = client.SendAsync("x"u8.ToArray());
            transport.Abort();
            try
            {
                var result = await read.WaitAsync(Bound);
                Assert.Equal("x"u8.ToArray(), result.Buffer.ToArray());
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The abort came first.
            }
            try
            {
                await sending;
            }
            catch (SocketException)
            {
                // The abort's reset came first.
            }
            await transport.DisposeAsync();
            client.Dispose();
        }
    }

    [Fact]
    public async Task The_peer_ending_its_side_completes_a_waiting_read_and_a_reset_fails_one()
    {
        using var loops = new IoLoops(1);
        var (client, transport) = await ConnectAsync(loops);
        var read = transport.Input.ReadAsync().AsTask();
        client.Shutdown(SocketShutdown.Send);
        var result = await read.WaitAsync(Bound);
        Assert.True(result.IsCompleted);
        await transport.DisposeAsync();

        var (reset, other) = await ConnectAsync(loops);
        var failing = other.Input.ReadAsync().AsTask();
        reset.LingerState = new LingerOption(true, 0);
        reset.Dispose(); // RST
        await Assert.ThrowsAsync<IOException>(() => failing.WaitAsync(Bound));
        await other.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Bytes_then_the_peer_ending_under_one_event_give_the_bytes_then_the_end(bool reset)
    {
        using var loops = new IoLoops(1, null, unsafePreferInlineScheduling: true); // the reader runs on the loop's thread
        var (client, transport) = await ConnectAsync(loops);
        var (blocker, blocked) = await ConnectAsync(loops);
        var waiting = ReadExactlyAsync(transport, "last words".Length);
        // The loop's thread is held while the bytes and the end arrive, so one event brings both.
        using var release = new ManualResetEventSlim();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = HoldLoopThreadAsync(blocked, held, release);
        await blocker.SendAsync("hold"u8.ToArray());
        await held.Task.WaitAsync(Bound);
        await client.SendAsync("last words"u8.ToArray());
        if (reset) client.LingerState = new LingerOption(true, 0);
        if (reset) client.Dispose();
        else client.Shutdown(SocketShutdown.Send);
        // The end went out after the bytes, and over loopback in order: the thread is let go once the bytes are in.
        await Eventually.TrueAsync(() => transport.Socket.Available >= "last words".Length, "the bytes reached the server's socket");
        release.Set();
        await holding.WaitAsync(Bound);

        Assert.Equal("last words"u8.ToArray(), await waiting.WaitAsync(Bound));
        // That read took less than it had room for; only the event's hang-up says there is more to find.
        if (reset)
        {
            await Assert.ThrowsAsync<IOException>(() => transport.Input.ReadAsync().AsTask().WaitAsync(Bound));
        }
        else
        {
            Assert.True((await transport.Input.ReadAsync().AsTask().WaitAsync(Bound)).IsCompleted);
        }
        await transport.DisposeAsync();
        await blocked.DisposeAsync();
    }

    [Fact]
    public async Task A_reader_whose_reads_all_complete_at_once_does_not_keep_the_loop_from_its_other_sockets()
    {
        using var loops = new IoLoops(1, null, unsafePreferInlineScheduling: true); // the reader runs on the loop's thread
        var (busyClient, busy) = await ConnectAsync(loops);
        var (client, transport) = await ConnectAsync(loops);
        using var stop = new CancellationTokenSource();
        // On the loop's thread, a reader that never takes what it reads: every read completes at once, as they do
        // for a peer that sends faster than it is served.
        var spun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var spinning = ReadWithoutTakingAsync(busy, stop.Token, spun);
        await busyClient.SendAsync("busy"u8.ToArray());
        await spun.Task.WaitAsync(Bound); // its reads complete at once, over and over

        var read = transport.Input.ReadAsync().AsTask();
        await client.SendAsync("me too"u8.ToArray());
        var result = await read.WaitAsync(Bound); // without turns, never
        Assert.Equal("me too"u8.ToArray(), result.Buffer.ToArray());
        transport.Input.AdvanceTo(result.Buffer.End);

        await stop.CancelAsync();
        Assert.True(await spinning.WaitAsync(Bound) > 1000);
        await busy.DisposeAsync();
        await transport.DisposeAsync();
    }

    [Fact]
    public async Task Stopped_loops_fail_a_waiting_read_and_take_no_new_socket()
    {
        var loops = new IoLoops(1);
        var (_, transport) = await ConnectAsync(loops);
        var read = transport.Input.ReadAsync().AsTask();
        loops.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => read.WaitAsync(Bound));
        await transport.DisposeAsync();

        var (_, accepted) = await _sockets.ConnectAsync();
        Assert.Throws<ObjectDisposedException>(() => new SocketTransport(accepted, null, SocketTransport.DefaultSendQueueLimit, loops.Next()));
    }

    [Fact]
    public async Task A_transport_on_a_loop_reads_and_writes_without_the_runtimes_non_blocking_mode()
    {
        using var loops = new IoLoops(1);
        var (client, server) = await _sockets.ConnectAsync();
        var transport = new SocketTransport(server, null, SocketTransport.DefaultSendQueueLimit, loops.Next());
        // The runtime's mode is untouched: had it been set, the runtime would keep its asynchronous state for the socket.
        Assert.True(server.Blocking);
        var read = transport.Input.ReadAsync();
        Assert.False(read.IsCompleted); // the descriptor is non-blocking all the same: the read waits, the thread does not

        client.Send("ping"u8);
        var result = await read.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("ping"u8.ToArray(), result.Buffer.ToArray());
        transport.Input.AdvanceTo(result.Buffer.End);

        await transport.Output.WriteAsync("pong"u8.ToArray());
        var buffer = new byte[4];
        client.ReceiveTimeout = 10_000;
        Assert.Equal(4, client.Receive(buffer));
        Assert.Equal("pong"u8.ToArray(), buffer);
        await transport.DisposeAsync();
    }

    [Fact]
    public async Task A_held_turn_is_reported_once_however_often_it_is_checked()
    {
        var stalls = new ConcurrentQueue<long>();
        var errors = new ConcurrentQueue<Exception>();
        using var loop = new IoLoop("stall check", errors.Enqueue, (_, heldMs) => stalls.Enqueue(heldMs), preferInlineScheduling: true);
        var (client, server) = await _sockets.ConnectAsync();
        var transport = new SocketTransport(server, null, SocketTransport.DefaultSendQueueLimit, loop);
        using var release = new ManualResetEventSlim();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = HoldLoopThreadAsync(transport, held, release);
        await client.SendAsync("hold"u8.ToArray());
        await held.Task.WaitAsync(Bound);

        // Two checks, as the server's timer makes them half a threshold apart, both past the threshold of this turn.
        var late = Environment.TickCount64 + IoLoop.StallThresholdMs;
        loop.CheckStall(late);
        loop.CheckStall(late + (IoLoop.StallThresholdMs / 2));
        Assert.True(stalls.Single() >= IoLoop.StallThresholdMs);

        // The turn ends with a check of its own; a marker read in a later turn shows that one has run too.
        release.Set();
        await holding.WaitAsync(Bound);
        var marker = ReadExactlyAsync(transport, "marker".Length);
        await client.SendAsync("marker"u8.ToArray());
        Assert.Equal("marker"u8.ToArray(), await marker.WaitAsync(Bound));
        Assert.Single(stalls);
        Assert.Empty(errors);
        await transport.DisposeAsync();
    }

    public void Dispose() => _sockets.Dispose();

    /// <summary>
    /// Reads until <paramref name="stop"/>, taking one byte per read and spending 5 µs on it, on whatever thread the
    /// read completed: with a peer that keeps sending, every read finds bytes and completes at once.
    /// </summary>
    /// <summary>Reads until <paramref name="stop"/> without taking or examining anything; the number of reads.</summary>
    private static async Task<int> ReadWithoutTakingAsync(SocketTransport transport, CancellationToken stop, TaskCompletionSource? spun = null)
    {
        var reads = 0;
        while (!stop.IsCancellationRequested)
        {
            var result = await transport.Input.ReadAsync(CancellationToken.None).ConfigureAwait(false);
            if (++reads == 1000) spun?.TrySetResult(); // a thousand reads in a row completed at once: it spins
            transport.Input.AdvanceTo(result.Buffer.Start);
        }
        return reads;
    }

    /// <summary>
    /// Waits for a read, then blocks the thread its continuation runs on (the loop's) until <paramref name="release"/> is
    /// set, having set <paramref name="held"/>; bounded.
    /// </summary>
    private static async Task HoldLoopThreadAsync(SocketTransport transport, TaskCompletionSource held, ManualResetEventSlim release)
    {
        var result = await transport.Input.ReadAsync().ConfigureAwait(false);
        transport.Input.AdvanceTo(result.Buffer.End);
        held.TrySetResult();
        if (!release.Wait(Bound)) throw new TimeoutException("the loop's thread was never let go");
    }

    /// <summary>The read's result, and the thread its continuation ran on: where the wake-up came.</summary>
    private static async Task<(System.IO.Pipelines.ReadResult Result, string? Thread)> ReadAndNameThreadAsync(ValueTask<System.IO.Pipelines.ReadResult> read)
    {
        var result = await read.ConfigureAwait(false);
        return (result, Thread.CurrentThread.IsThreadPoolThread ? "pool" : Thread.CurrentThread.Name);
    }

    private async Task<(Socket Client, SocketTransport Transport)> ConnectAsync(IoLoops loops)
    {
        var (client, server) = await _sockets.ConnectAsync();
        return (client, new SocketTransport(server, null, SocketTransport.DefaultSendQueueLimit, loops.Next()));
    }

    private static async Task<byte[]> ReadExactlyAsync(SocketTransport transport, int count)
    {
        while (true)
        {
            var result = await transport.Input.ReadAsync();
            if (result.Buffer.Length >= count)
            {
                var bytes = result.Buffer.Slice(0, count).ToArray();
                transport.Input.AdvanceTo(result.Buffer.GetPosition(count));
                return bytes;
            }
            if (result.IsCompleted) throw new IOException("ended early");
            transport.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
