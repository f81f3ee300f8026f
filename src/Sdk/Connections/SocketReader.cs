using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Switchboard.Connections;

/// <summary>
/// <see cref="SocketTransport.Input"/> over a plain non-blocking socket: a read takes what the socket holds at once,
/// and when it holds nothing waits, holding no buffer, so an idle connection holds no buffer, and no pipe, timer
/// or cancellation state either. It waits on a server's I/O loop (an <see cref="IReadinessSource"/>) when it has one
/// (its listener, woken on the loop's thread, takes the bytes there and completes the read on the thread pool, or there
/// too when the loop prefers inline scheduling), otherwise with the runtime's zero-byte receive. What is read sits in one pooled buffer, returned to
/// the pool as soon as everything in it is consumed; a message larger than the buffer grows it.
/// </summary>
/// <remarks>
/// The reader is its own wait (an <see cref="IValueTaskSource{TResult}"/>), so a read that waits allocates nothing.
/// One reader at a time, as for any <see cref="PipeReader"/>. <see cref="CancelPendingRead"/> is seen by the next read,
/// or by a waiting one when bytes arrive: cancellation tokens are the way to give up on a wait. On a loop, the
/// transport tells the reader with <see cref="OnSocketClosed"/> when it closes the socket, which removes it from the
/// loop's set without a word.
/// </remarks>
internal sealed class SocketReader : PipeReader, IValueTaskSource<ReadResult>, IReadinessListener
{
    private const int MinimumBufferSize = 4096;
    private const int MinimumReadSize = 1024;
    // A loop reader's readiness: it has not found the socket empty since the last wake-up, it waits for one, or a
    // wake-up came while it did not wait.
    private const int Idle = 0;
    private const int Waiting = 1;
    private const int Woken = 2;
    // Reads in a row that complete at once on a loop's thread before one is left to the loop's next turn.
    private const int MaxReadsAtOnce = 16;
    // What a wait a loop's thread ended has left for the thread pool to complete: nothing, a result, or a canceled read.
    private const int NotPosted = 0;
    private const int PostedResult = 1;
    private const int PostedCanceled = 2;

    private readonly Socket _socket;
    private readonly IReadinessSource? _loop;
    private readonly ulong _registration;
    private readonly bool _preferInline; // the loop's PreferInlineScheduling, fixed for its life: one interface call less per wait
    private int _readiness;
    private bool _drained; // the last receive took less than it had room for: the socket had nothing more then
    private bool _hungUp; // an event said the peer ended its side or the socket broke
    private byte _readsAtOnce; // up to MaxReadsAtOnce + 1
    private WaitExtras? _extras; // made by the first wait that needs more than a loop's plain wait
    // The outcome of a wait a loop's thread ended, until the thread pool completes it (see Post): kept here, as the
    // reader is its own work item, rather than in an object of its own that every connection would keep.
    private int _posted; // Posted* while an outcome waits for Execute
    private Exception? _postedFailure;

    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _examinedAll = true;
    private bool _ended;
    private bool _completed;
    private bool _cancelPending;
    // A waiting read's outcome is whether it was canceled: the rest of its result is what the buffer holds when it is
    // taken, which nothing changes between the two (see GetResult), so the wait holds no ReadResult of its own.
    private ManualResetValueTaskSourceCore<bool> _wait;

    /// <summary>Reads <paramref name="socket"/>, waiting on <paramref name="loop"/> when one is given.</summary>
    public SocketReader(Socket socket, IReadinessSource? loop = null)
    {
        _socket = socket;
        if (loop is null) return;
        _registration = loop.Register(socket, this);
        _loop = loop;
        _preferInline = loop.PreferInlineScheduling;
    }

    /// <summary>Whether the socket waits on a loop, and is read and written with <see cref="LoopSocket"/>'s calls.</summary>
    public bool OnLoop => _loop is not null;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_completed) throw new InvalidOperationException("reading is complete");
        cancellationToken.ThrowIfCancellationRequested();
        if (_loop is { } loop && loop.IsOwnThread && ++_readsAtOnce > MaxReadsAtOnce)
        {
            // A peer that sends faster than it is served would keep this thread here, and every other socket of
            // the loop waiting: the read goes on in the loop's next turn, after the events that turn brings.
            _readsAtOnce = 0;
            _wait.Reset();
            SetWaitToken(cancellationToken);
            loop.RunNextTurn(Extras);
            return new ValueTask<ReadResult>(this, _wait.Version);
        }
        if (TryReadCore(out var result)) return new ValueTask<ReadResult>(result);
        _readsAtOnce = 0;
        _wait.Reset();
        SetWaitToken(cancellationToken);
        Wait();
        return new ValueTask<ReadResult>(this, _wait.Version);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (_completed) throw new InvalidOperationException("reading is complete");
        return TryReadCore(out result);
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (_buffer is null)
        {
            _examinedAll = true;
            return;
        }
        var start = consumed.GetInteger();
        var seen = examined.GetInteger();
        if ((consumed.GetObject() is { } c && c != _buffer) || (examined.GetObject() is { } e && e != _buffer))
        {
            throw new InvalidOperationException("the position is not from the last read's buffer");
        }
        if (start < _start || seen < start || seen > _end) throw new ArgumentOutOfRangeException(nameof(consumed), "the positions are out of order or outside the buffer");
        _start = start;
        _examinedAll = seen == _end;
        if (_start == _end) Release();
    }

    public override void CancelPendingRead() => Volatile.Write(ref _cancelPending, true);

    public override void Complete(Exception? exception = null)
    {
        if (!_completed) _loop?.Unregister(_registration);
        _completed = true;
        // Not handed back to the pool: a read that failed with the socket may still hold it.
        _buffer = null;
    }

    // Called once the wait has ended, before the next read: neither the buffer nor the end of input has moved since.
    ReadResult IValueTaskSource<ReadResult>.GetResult(short token) => new(Buffered, isCanceled: _wait.GetResult(token), isCompleted: _ended);

    ValueTaskSourceStatus IValueTaskSource<ReadResult>.GetStatus(short token) => _wait.GetStatus(token);

    void IValueTaskSource<ReadResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _wait.OnCompleted(continuation, state, token, flags);

    /// <summary>
    /// Has <paramref name="continuation"/> called with <paramref name="state"/> once the read <see cref="ReadAsync"/> left
    /// waiting completes, as an awaiter of its task without a captured context would, but with no
    /// <see cref="Action"/> of the caller's: a reader that waits through this keeps none while its connection idles.
    /// </summary>
    public void OnReadCompleted(Action<object?> continuation, object state)
        => _wait.OnCompleted(continuation, state, _wait.Version, ValueTaskSourceOnCompletedFlags.None);

    /// <summary>The outcome of the read left waiting, once <see cref="OnReadCompleted"/> has called back.</summary>
    public ReadResult GetReadResult() => ((IValueTaskSource<ReadResult>)this).GetResult(_wait.Version);

    /// <summary>The transport closed the socket: a read waiting on the loop fails now instead of waiting for ever.</summary>
    public void OnSocketClosed()
    {
        if (_loop is not null) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>The socket may have bytes (called on the loop's thread): a waiting read takes them, or waits again.</summary>
    void IReadinessListener.OnReady(bool hangUp)
    {
        if (hangUp) Volatile.Write(ref _hungUp, true);
        if (Interlocked.Exchange(ref _readiness, Woken) != Waiting) return; // the next wait tries the socket first
        Volatile.Write(ref _readiness, Idle);
        _drained = false; // the wake-up may have brought bytes
        ReadOrWait(); // waits again after a spurious wake-up
    }

    /// <summary>
    /// On the thread pool: the completion of a wait a loop's thread ended (see <see cref="Post"/>), or a wake-up from
    /// elsewhere (the socket closed, the loop stopped). When both are queued, whichever runs first completes the wait
    /// and the other is the wake-up, which then finds no wait and only notes the hang-up.
    /// </summary>
    void IThreadPoolWorkItem.Execute()
    {
        var posted = Interlocked.Exchange(ref _posted, NotPosted);
        if (posted == NotPosted)
        {
            ((IReadinessListener)this).OnReady(hangUp: true);
            return;
        }
        var failure = _postedFailure;
        _postedFailure = null;
        if (failure is null) _wait.SetResult(posted == PostedCanceled);
        else _wait.SetException(failure);
    }

    /// <summary>Waits for bytes without a buffer, then takes them; waits again when a wake-up brought nothing.</summary>
    private void Wait()
    {
        if (_loop is not null)
        {
            WaitOnLoop(_loop);
            return;
        }
        try
        {
            while (true)
            {
#pragma warning disable CA2012 // Consumed once: the awaiter is completed or kept for its one continuation.
                var receive = _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, WaitToken).ConfigureAwait(false).GetAwaiter();
#pragma warning restore CA2012
                if (!receive.IsCompleted)
                {
                    var extras = Extras;
                    extras.Receive = receive;
                    receive.UnsafeOnCompleted(extras.OnReceived ??= OnReceived);
                    return;
                }
                if (Received(receive)) return;
            }
        }
#pragma warning disable CA1031 // Whatever the wait throws is the read's to report.
        catch (Exception e)
        {
            Fail(e);
        }
#pragma warning restore CA1031
    }

    /// <summary>Waits for the loop's wake-up; tries the socket again at once when one came since it was last found empty.</summary>
    private void WaitOnLoop(IReadinessSource loop)
    {
        // Registered before the wait is visible, so the wake-up that ends it always finds the registration to undo.
        if (_extras is { Token.CanBeCanceled: true } extras && extras.Registration == default)
        {
            extras.Registration = extras.Token.UnsafeRegister(static state => ((SocketReader)state!).OnWaitCanceled(), this);
        }
        while (true)
        {
            if (!loop.IsRunning)
            {
                Fail(new ObjectDisposedException(loop.GetType().Name, "the I/O loop has stopped"));
                return;
            }
            if (Interlocked.CompareExchange(ref _readiness, Waiting, Idle) == Idle)
            {
                if (WaitToken.IsCancellationRequested) OnWaitCanceled(); // canceled before its callback could see the wait
                return;
            }
            Volatile.Write(ref _readiness, Idle);
            _drained = false; // a wake-up came: it may have brought bytes
            if (TryEndRead()) return;
        }
    }

    private void OnWaitCanceled()
    {
        if (Interlocked.CompareExchange(ref _readiness, Idle, Waiting) != Waiting) return; // a wake-up won
        // A wait that can be canceled has them; none are left when the callback of an earlier wait's token, running
        // late, finds a later wait (a loop reader drops its extras after a wait with a token).
        var token = default(CancellationToken);
        if (_extras is { } extras)
        {
            token = extras.Token;
            extras.Token = default;
            extras.Registration = default; // this is its callback: nothing left to undo
            DropLoopExtras();
        }
        _wait.SetException(new OperationCanceledException(token));
    }

    private void Succeed(ReadResult result)
    {
        EndWait();
        if (CompletesOnThreadPool) Post(result.IsCanceled ? PostedCanceled : PostedResult, null);
        else _wait.SetResult(result.IsCanceled);
    }

    private void Fail(Exception e)
    {
        EndWait();
        var failure = e is SocketException s ? new IOException(s.Message, s) : e;
        if (CompletesOnThreadPool) Post(PostedResult, failure);
        else _wait.SetException(failure);
    }

    /// <summary>
    /// Whether a wait that ends here is completed on the thread pool: on a loop's thread, unless the loop prefers
    /// inline scheduling, so that what awaited the read (a handler) never runs on the thread that serves every socket
    /// of the loop. Elsewhere (a read that found its wake-up, a canceled wait, a socket closed under the reader) the
    /// thread is no loop's and the wait completes where it ends.
    /// </summary>
    private bool CompletesOnThreadPool => _loop is { } loop && !_preferInline && loop.IsOwnThread;

    /// <summary>
    /// The end of a wait, handed from a loop's thread to the thread pool: the reader queues itself, once per read that
    /// waited, without allocating. The outcome waits in the reader until it runs; nothing else touches the wait
    /// meanwhile, as the next read begins only once this one's continuation has run.
    /// </summary>
    private void Post(int outcome, Exception? failure)
    {
        _postedFailure = failure;
        Volatile.Write(ref _posted, outcome);
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    private void EndWait()
    {
        if (_extras is not { } extras) return;
        var hadToken = extras.Token.CanBeCanceled;
        extras.Token = default;
        extras.Registration.Unregister();
        extras.Registration = default;
        if (hadToken) DropLoopExtras();
    }

    /// <summary>
    /// After a wait with a token on a loop: the extras go, as a connection that read its handshake with a timeout
    /// then waits without one, idle for most of its life (a wait off a loop keeps them for its receive's continuation).
    /// </summary>
    private void DropLoopExtras()
    {
        if (_loop is not null) _extras = null;
    }

    /// <summary>The token of the read that waits: kept only when it can be canceled, so a read without one makes no extras.</summary>
    private void SetWaitToken(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled) Extras.Token = cancellationToken;
        else if (_extras is { } extras) extras.Token = default;
    }

    private CancellationToken WaitToken => _extras?.Token ?? default;

    private WaitExtras Extras => _extras ??= new WaitExtras(this);

    /// <summary>
    /// What only some waits need, kept apart so that an idle reader on a loop whose reads carry no token (a server
    /// session's) does not pay for it: the runtime's receive and its continuation (a wait off a loop), a token and its
    /// registration, and, as a work item, a read left to the loop's next turn.
    /// </summary>
    private sealed class WaitExtras(SocketReader reader) : IThreadPoolWorkItem
    {
        public ConfiguredValueTaskAwaitable<int>.ConfiguredValueTaskAwaiter Receive;
        public Action? OnReceived; // made on the first wait off a loop, then kept
        public CancellationToken Token;
        public CancellationTokenRegistration Registration;

        /// <summary>A read left to the loop's next turn: it takes what the socket holds, or waits.</summary>
        public void Execute() => reader.ReadOrWait();
    }

    /// <summary>Ends the pending read with what the socket holds, or waits when it holds nothing.</summary>
    private void ReadOrWait()
    {
        if (!TryEndRead()) Wait();
    }

    /// <summary>Ends the pending read with what the socket holds, or with the failure to read it; false when it holds nothing yet.</summary>
    private bool TryEndRead()
    {
        try
        {
            if (!TryReadCore(out var result)) return false;
            Succeed(result);
        }
#pragma warning disable CA1031 // Whatever the read throws is the read's to report.
        catch (Exception e)
        {
            Fail(e);
        }
#pragma warning restore CA1031
        return true;
    }

    private void OnReceived()
    {
        var extras = _extras!;
        var receive = extras.Receive;
        extras.Receive = default;
        try
        {
            if (Received(receive)) return;
        }
#pragma warning disable CA1031 // Whatever the wait throws is the read's to report.
        catch (Exception e)
        {
            Fail(e);
            return;
        }
#pragma warning restore CA1031
        Wait();
    }

    /// <summary>Ends the wait with what the socket now holds; false when the wake-up brought nothing.</summary>
    private bool Received(ConfiguredValueTaskAwaitable<int>.ConfiguredValueTaskAwaiter receive)
    {
        receive.GetResult(); // as a NetworkStream would, failures reach the reader as IOException
        if (!TryReadCore(out var result)) return false;
        Succeed(result);
        return true;
    }

    private bool TryReadCore(out ReadResult result)
    {
        if (Volatile.Read(ref _cancelPending))
        {
            Volatile.Write(ref _cancelPending, false);
            result = new ReadResult(Buffered, isCanceled: true, isCompleted: _ended);
            return true;
        }
        if ((_end > _start && !_examinedAll) || _ended || (MayHoldBytes && ReceiveNow()))
        {
            result = new ReadResult(Buffered, isCanceled: false, isCompleted: _ended);
            return true;
        }
        result = default;
        return false;
    }

    private ReadOnlySequence<byte> Buffered => _buffer is null ? ReadOnlySequence<byte>.Empty : new(_buffer, _start, _end - _start);

    /// <summary>
    /// Whether a receive may find bytes. On a loop, not after a receive that took less than it had room for, until a
    /// wake-up has come since: Linux raises an edge-triggered event for every arrival after the loop took the last
    /// one, so bytes that came after that receive have raised one, and a receive that would only find the socket
    /// empty is saved. The peer's FIN or reset may have come with the bytes, under the same event, and shows only to
    /// the receive after them: once an event has said so, every wait tries the socket first.
    /// </summary>
    private bool MayHoldBytes => _loop is null || !_drained || Volatile.Read(ref _readiness) == Woken || Volatile.Read(ref _hungUp);

    /// <summary>Takes what the socket holds without waiting; false when it holds nothing yet.</summary>
    private bool ReceiveNow()
    {
        var buffer = MakeRoom();
        var room = buffer.Length - _end;
        var received = _loop is null
            ? _socket.Receive(buffer.AsSpan(_end), SocketFlags.None, out var error)
            : LoopSocket.Receive(_socket.SafeHandle, buffer.AsSpan(_end), out error);
        _drained = received < room;
        if (error == SocketError.WouldBlock)
        {
            if (_start == _end) Release();
            return false;
        }
        if (error != SocketError.Success)
        {
            if (_start == _end) Release();
            var failure = new SocketException((int)error);
            throw new IOException(failure.Message, failure);
        }
        if (received == 0)
        {
            _ended = true; // the peer sent FIN
            if (_start == _end) Release();
            return true;
        }
        _end += received;
        _examinedAll = false;
        return true;
    }

    /// <summary>The buffer, with at least <see cref="MinimumReadSize"/> bytes free after what it holds.</summary>
    private byte[] MakeRoom()
    {
        if (_buffer is not { } buffer) return _buffer = ArrayPool<byte>.Shared.Rent(MinimumBufferSize);
        if (buffer.Length - _end >= MinimumReadSize) return buffer;
        var held = _end - _start;
        if (buffer.Length - held >= MinimumReadSize)
        {
            buffer.AsSpan(_start, held).CopyTo(buffer);
        }
        else
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, held + MinimumReadSize));
            buffer.AsSpan(_start, held).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer);
            _buffer = buffer = larger;
        }
        _start = 0;
        _end = held;
        return buffer;
    }

    private void Release()
    {
        if (_buffer is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
        _buffer = null;
        _start = _end = 0;
    }
}
