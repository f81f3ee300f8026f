using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;

namespace Switchboard.Connections;

/// <summary>
/// The output of a transport (<see cref="System.IO.Pipelines.IDuplexPipe.Output"/>): bytes are written into one pooled buffer, and a
/// flush hands it to the connection at once when nothing waits before it (on a plain socket, with a non-blocking
/// send). Only what the connection cannot take is queued, for a pump that exists while the queue does: an idle
/// connection, or one whose peer keeps up, holds no buffer, no queue and no pump. It keeps the transport's count of
/// queued bytes and its writers' waits for room.
/// </summary>
/// <remarks>
/// One writer at a time (the session's write lock, or the HTTP loop before it); the pump runs beside it. The queue and
/// its pump are guarded by a lock; the buffer being written belongs to the writer alone, so a disposal never takes it.
/// Over a stream, every flushed buffer goes through the pump, which awaits the stream's write.
/// </remarks>
/// <param name="owner">The transport, aborted when a send fails.</param>
/// <param name="socket">The plain socket written without a stream; null when <paramref name="stream"/> is given.</param>
/// <param name="onLoop">Whether <paramref name="socket"/> waits on an I/O loop and is written with <see cref="LoopSocket"/>'s calls.</param>
/// <param name="stream">The stream written instead of a socket (TLS, an upgraded HTTP connection); null for a plain socket.</param>
/// <param name="limit">The transport's send queue limit.</param>
internal sealed class SendQueue(IDuplexTransport owner, Socket? socket, bool onLoop, Stream? stream, long limit) : PipeWriter
{
    private const int MinimumBufferSize = 4096;

    // Where flushed bytes go: the stream when there is one, else the plain socket. One field, as a connection writes
    // through only one of them.
    private readonly object _target = (object?)stream ?? socket ?? throw new ArgumentNullException(nameof(socket));

    private byte[]? _buffer; // the writer's
    private int _written;
    private Backlog? _backlog; // non-null while the pump runs
    private long _queued;
    private bool _completed;
    private bool _failed;

    /// <summary>The stream written instead of a socket (TLS, an upgraded HTTP connection); null for a plain socket.</summary>
    public Stream? Stream => _target as Stream;

    /// <summary>Bytes written and not taken by the connection yet.</summary>
    public long QueuedBytes => Volatile.Read(ref _queued);

    /// <summary>The bound the writers keep the queue to.</summary>
    public long Limit => limit;

    /// <summary>
    /// The lock that guards the queue, its pump and the waiters for room: the queue's own monitor, so a
    /// connection holds no lock object of its own.
    /// </summary>
    public object SyncRoot => this;

    /// <summary>Whether the queue is gone for good: the socket failed or the transport was disposed.</summary>
    public bool IsBroken => Volatile.Read(ref _failed);

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _written;

    public override void Advance(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (_buffer is null ? bytes != 0 : _written + bytes > _buffer.Length) throw new InvalidOperationException("advanced past the buffer");
        _written += bytes;
        Interlocked.Add(ref _queued, bytes);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint).AsMemory(_written);

    public override Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).AsSpan(_written);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Commit();
        return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: IsBroken));
    }

    /// <summary>Nothing to cancel: a flush never waits.</summary>
    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
        if (Volatile.Read(ref _completed)) return;
        Commit();
        lock (SyncRoot) _completed = true;
    }

    /// <summary>Completes when the queue is empty (at once when there is none), or the pump has given up.</summary>
    public Task WaitForDrainAsync()
    {
        lock (SyncRoot)
        {
            if (_backlog is null) return Task.CompletedTask;
            return (_backlog.Drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>
    /// Completes when the queue holds at most <see cref="Limit"/> bytes: at once when it does, otherwise once the peer
    /// has taken enough for it to fall to half the limit (or the connection is gone).
    /// </summary>
    public Task WaitForRoomAsync(CancellationToken cancellationToken)
    {
        if (QueuedBytes <= limit) return Task.CompletedTask;
        Task room;
        lock (SyncRoot)
        {
            // Room comes only from a pump; without one (nothing flushed waits, or the connection is gone) none will come.
            if (QueuedBytes <= limit || _backlog is null) return Task.CompletedTask;
            room = (_backlog.Room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
        return room.WaitAsync(cancellationToken);
    }

    /// <summary>No more writes: what is still queued is dropped with the connection, which the owner has closed.</summary>
    public void Break()
    {
        lock (SyncRoot)
        {
            _completed = true;
            _failed = true;
        }
    }

    private byte[] Reserve(int sizeHint)
    {
        if (Volatile.Read(ref _completed)) throw new InvalidOperationException("the output is complete");
        var needed = Math.Max(sizeHint, 1);
        if (_buffer is { } current && current.Length - _written >= needed) return current;
        // A full buffer goes to the socket as it is, so nothing is ever copied; the frame goes on in a fresh one.
        Commit();
        return _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(sizeHint, MinimumBufferSize));
    }

    /// <summary>Hands the written bytes on: to the socket when nothing is queued before them, else to the queue.</summary>
    private void Commit()
    {
        var buffer = _buffer;
        var count = _written;
        if (buffer is null) return;
        _buffer = null;
        _written = 0;
        if (count == 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        lock (SyncRoot)
        {
            if (_failed)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return;
            }
            if (_backlog is not null)
            {
                _backlog.Enqueue(new Chunk(buffer, 0, count));
                return;
            }
        }

        // No queue: only this writer sends now, so the try needs no lock.
        var offset = 0;
        if (_target is Socket)
        {
            var sent = SendNow(buffer.AsSpan(0, count), out var error);
            if (error is not (SocketError.Success or SocketError.WouldBlock))
            {
                ArrayPool<byte>.Shared.Return(buffer);
                Fail();
                return;
            }
            _ = SentQueued(sent); // no one waits for room while there is no pump
            if (sent == count)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return;
            }
            offset = sent;
        }

        Backlog backlog;
        lock (SyncRoot)
        {
            if (_failed)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return;
            }
            backlog = _backlog = new Backlog();
            backlog.Enqueue(new Chunk(buffer, offset, count - offset));
        }
        _ = PumpAsync(backlog);
    }

    /// <summary>Hands the queue to the socket in order until it is empty, then lets it go.</summary>
    private async Task PumpAsync(Backlog backlog)
    {
        TaskCompletionSource? drained;
        try
        {
            while (true)
            {
                Chunk chunk;
                lock (SyncRoot)
                {
                    if (!backlog.TryDequeue(out chunk))
                    {
                        // In the same lock as the queue goes: a wait that comes later is for a later queue.
                        _backlog = null;
                        drained = backlog.Drained;
                        break;
                    }
                }
                await SendAsync(chunk.Buffer.AsMemory(chunk.Offset, chunk.Count)).ConfigureAwait(false);
                if (_target is SslStream tls) await tls.FlushAsync().ConfigureAwait(false);
                ArrayPool<byte>.Shared.Return(chunk.Buffer);
                if (SentQueued(chunk.Count)) ReleaseRoom(backlog);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
        {
            // The socket is gone: nothing more can be sent. Writers learn it from their next flush.
            Fail();
            lock (SyncRoot)
            {
                // Failed for good, and the queue is gone: no one joins its waiters any more.
                drained = backlog.Drained;
            }
        }
        drained?.TrySetResult();
        ReleaseRoom(backlog); // drained or broken: no one may wait for more
    }

    private async ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        if (_target is Stream stream)
        {
            await stream.WriteAsync(bytes).ConfigureAwait(false);
            return;
        }
        while (!bytes.IsEmpty)
        {
            var sent = SendNow(bytes.Span, out var error);
            if (error is not (SocketError.Success or SocketError.WouldBlock)) throw new SocketException((int)error);
            // What the socket cannot take now waits in the socket for room.
            if (sent < bytes.Length) sent += await ((Socket)_target).SendAsync(bytes[sent..], SocketFlags.None).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }

    private void Fail()
    {
        Backlog? backlog;
        lock (SyncRoot)
        {
            _failed = true;
            backlog = _backlog;
            _backlog = null;
            if (backlog is not null)
            {
                while (backlog.TryDequeue(out var chunk)) ArrayPool<byte>.Shared.Return(chunk.Buffer);
            }
        }
        owner.Abort();
        if (backlog is not null) ReleaseRoom(backlog);
    }

    /// <summary>Hands the socket what it takes of <paramref name="bytes"/> now, without waiting; fewer, with <see cref="SocketError.WouldBlock"/>, when it is full.</summary>
    private int SendNow(ReadOnlySpan<byte> bytes, out SocketError error)
        => onLoop ? LoopSocket.Send(((Socket)_target).SafeHandle, bytes, out error) : ((Socket)_target).Send(bytes, SocketFlags.None, out error);

    /// <summary>Counts bytes the connection took; true when the queue has fallen to half the limit, so writers waiting for room may go on.</summary>
    private bool SentQueued(int bytes) => Interlocked.Add(ref _queued, -bytes) <= limit / 2;

    /// <summary>Lets the writers waiting for room in <paramref name="backlog"/> go on.</summary>
    private void ReleaseRoom(Backlog backlog)
    {
        TaskCompletionSource? room;
        lock (SyncRoot)
        {
            room = backlog.Room;
            backlog.Room = null;
        }
        room?.TrySetResult();
    }

    private readonly record struct Chunk(byte[] Buffer, int Offset, int Count);

    /// <summary>
    /// The bytes waiting for the peer and the waits for them to go, made with the pump and gone with it: an idle
    /// connection, which has no pump, keeps no fields for waiters.
    /// </summary>
    private sealed class Backlog : Queue<Chunk>
    {
        public TaskCompletionSource? Drained; // completed once the queue is empty, or broken
        public TaskCompletionSource? Room; // completed once the queue falls to half the limit, or is gone
    }
}
