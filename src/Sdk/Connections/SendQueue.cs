using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;

namespace Switchboard.Connections;

/// <summary>
/// The writer behind <see cref="SocketTransport.Output"/>: bytes are written into one pooled buffer, and a flush hands
/// it to the socket at once when nothing waits before it (on a plain socket, with a non-blocking send). Only what the
/// socket cannot take is queued, for a pump that exists while the queue does: an idle connection, or one whose peer
/// keeps up, holds no buffer, no queue and no pump.
/// </summary>
/// <remarks>
/// One writer at a time (the session's write lock, or the HTTP loop before it); the pump runs beside it. The queue and
/// its pump are guarded by a lock; the buffer being written belongs to the writer alone, so a disposal never takes it.
/// </remarks>
internal sealed class SendQueue(SocketTransport owner, Stream? stream) : PipeWriter
{
    private const int MinimumBufferSize = 4096;

    private byte[]? _buffer; // the writer's
    private int _written;
    private Queue<Chunk>? _queue; // non-null while the pump runs
    private TaskCompletionSource? _drained;
    private bool _completed;
    private bool _failed;

    /// <summary>
    /// The lock that guards the queue, its pump and the owner's waiters for room: the queue's own monitor, so a
    /// connection holds no lock object of its own.
    /// </summary>
    public object SyncRoot => this;

    /// <summary>Whether the queue is gone for good: the socket failed or the transport was disposed.</summary>
    public bool IsBroken => Volatile.Read(ref _failed);

    /// <summary>Whether a pump is draining queued bytes (which will lower <see cref="SocketTransport.QueuedBytes"/>).</summary>
    public bool IsDraining
    {
        get
        {
            lock (SyncRoot) return _queue is not null;
        }
    }

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _written;

    public override void Advance(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (_buffer is null ? bytes != 0 : _written + bytes > _buffer.Length) throw new InvalidOperationException("advanced past the buffer");
        _written += bytes;
        owner.AddQueued(bytes);
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
            if (_queue is null) return Task.CompletedTask;
            return (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>No more writes: what is still queued is dropped with the socket, which the owner has closed.</summary>
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
            if (_queue is not null)
            {
                _queue.Enqueue(new Chunk(buffer, 0, count));
                return;
            }
        }

        // No queue: only this writer sends now, so the try needs no lock.
        var offset = 0;
        if (stream is null)
        {
            var sent = owner.SendNow(buffer.AsSpan(0, count), out var error);
            if (error is not (SocketError.Success or SocketError.WouldBlock))
            {
                ArrayPool<byte>.Shared.Return(buffer);
                Fail();
                return;
            }
            _ = owner.SentQueued(sent); // no one waits for room while there is no pump
            if (sent == count)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return;
            }
            offset = sent;
        }

        lock (SyncRoot)
        {
            if (_failed)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return;
            }
            _queue = new Queue<Chunk>();
            _queue.Enqueue(new Chunk(buffer, offset, count - offset));
        }
        _ = PumpAsync();
    }

    /// <summary>Hands the queue to the socket in order until it is empty, then lets it go.</summary>
    private async Task PumpAsync()
    {
        TaskCompletionSource? drained;
        try
        {
            while (true)
            {
                Chunk chunk;
                lock (SyncRoot)
                {
                    if (!_queue!.TryDequeue(out chunk))
                    {
                        // In the same lock as the queue goes: a wait for a later queue is not this pump's to end.
                        _queue = null;
                        drained = _drained;
                        _drained = null;
                        break;
                    }
                }
                await SendAsync(chunk.Buffer.AsMemory(chunk.Offset, chunk.Count)).ConfigureAwait(false);
                if (stream is SslStream) await stream.FlushAsync().ConfigureAwait(false);
                ArrayPool<byte>.Shared.Return(chunk.Buffer);
                if (owner.SentQueued(chunk.Count)) owner.ReleaseWaiters();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
        {
            // The socket is gone: nothing more can be sent. Writers learn it from their next flush.
            Fail();
            lock (SyncRoot)
            {
                // Failed for good: no queue comes after this one.
                drained = _drained;
                _drained = null;
            }
        }
        drained?.TrySetResult();
        owner.ReleaseWaiters(); // drained or broken: no one may wait for more
    }

    private async ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        if (stream is not null)
        {
            await stream.WriteAsync(bytes).ConfigureAwait(false);
            return;
        }
        while (!bytes.IsEmpty)
        {
            var sent = owner.SendNow(bytes.Span, out var error);
            if (error is not (SocketError.Success or SocketError.WouldBlock)) throw new SocketException((int)error);
            // What the socket cannot take now waits in the socket for room.
            if (sent < bytes.Length) sent += await owner.Socket.SendAsync(bytes[sent..], SocketFlags.None).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }

    private void Fail()
    {
        lock (SyncRoot)
        {
            _failed = true;
            if (_queue is not null)
            {
                while (_queue.TryDequeue(out var chunk)) ArrayPool<byte>.Shared.Return(chunk.Buffer);
                _queue = null;
            }
        }
        owner.CloseSocket();
        owner.ReleaseWaiters();
    }

    private readonly record struct Chunk(byte[] Buffer, int Offset, int Count);
}
