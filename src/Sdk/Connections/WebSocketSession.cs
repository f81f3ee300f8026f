using Switchboard.Protocol.Compression;
using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Switchboard.Protocol.Connection;

namespace Switchboard.Connections;

/// <summary>
/// An open WebSocket connection after the opening handshake, for either role: a pump between a
/// <see cref="IDuplexTransport"/> and the protocol's state machine (<see cref="ProtocolConnection"/>), which does the
/// closing handshake, pings and pongs, fragments, UTF-8 and limits. Every frame available in one read is parsed before
/// the next read, and what the handlers send meanwhile is flushed once, after the last of them; the keepalive and the
/// close timeout run on a timer of the options' <see cref="WebSocketSessionOptions.TimeProvider"/>, one for all the
/// sessions that share the options.
/// </summary>
/// <remarks>
/// Thread safety: any number of tasks may send at once and each frame goes out whole and in order;
/// <see cref="RunAsync(Func{WebSocketMessage, ValueTask})"/> (or <see cref="Start"/>) is called once; the message
/// callback is never called concurrently for one session.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The run disposes what the session owns when the session ends.")]
public sealed partial class WebSocketSession
{
    private readonly IDuplexTransport _transport;
    private readonly ProtocolConnection _protocol;
    private readonly WebSocketSessionOptions _options;
    private readonly ILogger _logger;
    // A server keeps many sessions, most of them idle: every field here is paid by each, so what only some sessions
    // need is made when they first need it, and flags share one int. The write lock is one reference that allocates
    // only when two writers meet; it serializes every call into _protocol, every write to the output, and the fields
    // marked "under the lock".
    private AsyncLock _writeLock;
    private int _flags; // SessionFlags, set with Interlocked.Or; only TimerDue is ever cleared
    // Under the lock: while the receive loop handles one read's frames, writes leave their flush to the loop.
    private bool _batching;
    private bool _unflushed;
    // Under the lock: a server's flush left for later (see DeferFlush), so frames written meanwhile leave in one send.
    private bool _flushScheduled;
    // Under the lock: a pong is kept until the peer takes what waits before it (see OnPing).
    private bool _waitingForDrain;
    // The receive loop's: what its last step left waiting is a handler, not a read.
    private bool _waitsForHandling;
    private DeferredFlush? _deferredFlush; // created on the first deferred flush
    private int _clockSlot = -1; // where the options' clock keeps the session while it runs

    /// <summary>Creates a session over a transport whose handshake is complete.</summary>
    /// <param name="id">A number that identifies the session in logs.</param>
    /// <param name="transport">The connection; the session owns it from now on.</param>
    /// <param name="role">Which end this is: a client masks what it sends, a server does not.</param>
    /// <param name="options">Limits and timers; <see cref="WebSocketSessionOptions.Default"/> when null.</param>
    /// <param name="logger">Where session events go.</param>
    /// <param name="subprotocol">The subprotocol the handshake settled on, if any.</param>
    /// <param name="deflate">What the handshake settled of permessage-deflate, or null when it was not negotiated.</param>
    public WebSocketSession(long id, IDuplexTransport transport, WebSocketRole role, WebSocketSessionOptions? options = null, ILogger? logger = null,
        string? subprotocol = null, DeflateParameters? deflate = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        Subprotocol = subprotocol;
        Id = id;
        _transport = transport;
        _options = options ?? WebSocketSessionOptions.Default;
        _protocol = new ProtocolConnection(role, _options.ProtocolOptions, deflate);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The number that identifies the session in logs.</summary>
    public long Id { get; }

    /// <summary>The subprotocol the handshake settled on, or null.</summary>
    public string? Subprotocol { get; }

    /// <summary>
    /// Sees every frame the session reads from the peer (<see cref="ProtocolConnection.FrameObserver"/>), on the
    /// receive loop; null, the default, traces nothing. Set it before <see cref="Start"/> or the run begins.
    /// </summary>
    public IFrameTraceObserver? FrameObserver
    {
        get => _protocol.FrameObserver;
        set => _protocol.FrameObserver = value;
    }

    /// <summary>What the handshake settled of permessage-deflate (RFC 7692), or null when messages go uncompressed.</summary>
    public DeflateParameters? Deflate => _protocol.Deflate;

    /// <summary>
    /// Where the session stands in the closing handshake: <see cref="ProtocolState.Open"/> while messages flow both
    /// ways, <see cref="ProtocolState.Closing"/> once our close frame is out, <see cref="ProtocolState.CloseReceived"/>
    /// once the peer's came first and was answered, <see cref="ProtocolState.Closed"/> once the handshake is over, the
    /// connection failed, or it is gone.
    /// </summary>
    public ProtocolState State => HasFlags(SessionFlags.Closed) ? ProtocolState.Closed : _protocol.State;

    /// <summary>The close code the peer sent, once it has; null before that or if it sent none.</summary>
    public CloseCode? PeerCloseStatus => _protocol.PeerCloseStatus;

    /// <summary>The reason of the peer's Close frame, when it sent one with a non-empty reason; otherwise null.</summary>
    internal string? PeerCloseReason { get; private set; }

    /// <summary>
    /// Whether this session closed the connection because the peer does not read: a server's send found more than
    /// <see cref="IDuplexTransport.SendQueueLimit"/> bytes waiting for the peer, and the session closed with 1013 (Try
    /// Again Later). A host reads it once the session has ended to count the slow consumer.
    /// </summary>
    public bool ClosedAsSlowConsumer => HasFlags(SessionFlags.SlowConsumer);

    /// <summary>
    /// The frame error that made this session close the connection, or <see cref="FrameError.None"/>. A host reads it
    /// once the session has ended to count the frame limits hit.
    /// </summary>
    internal FrameError ProtocolError => _protocol.Error;

    /// <summary>
    /// Sends one complete message as a single frame. Once the closing handshake has begun, messages are dropped
    /// (the peer can no longer receive them); a transport failure drops the connection and is not thrown.
    /// </summary>
    public ValueTask SendAsync(Opcode opcode, ReadOnlySequence<byte> payload, CancellationToken cancellationToken = default)
    {
        if (opcode is not (Opcode.Text or Opcode.Binary))
            throw new ArgumentOutOfRangeException(nameof(opcode), opcode, "only Text and Binary messages can be sent; use CloseAsync to close");
        return WriteAsync(opcode, payload, preparedFrame: false, cancellationToken);
    }

    /// <summary>
    /// Sends a typed message: the server role writes the message's prepared frame as is (serialized once for every
    /// connection it goes to), the client role masks its payload. Same delivery rules as
    /// <see cref="SendAsync(Opcode, ReadOnlySequence{byte}, CancellationToken)"/>.
    /// </summary>
    public ValueTask SendAsync(EncodedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _protocol.Role == WebSocketRole.Server
            ? WriteAsync(Opcode.Text, message.ServerFrameSequence, preparedFrame: true, cancellationToken, message.Compress, message)
            : WriteAsync(Opcode.Text, new ReadOnlySequence<byte>(message.Payload), preparedFrame: false, cancellationToken);
    }

    /// <summary>
    /// Starts the closing handshake (RFC 6455 section 7.1.2). The session ends when the peer answers, or after the
    /// close timeout. Calling it again does nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> must not be sent in a close frame (section 7.4).</exception>
    public ValueTask CloseAsync(CloseCode code = CloseCode.NormalClosure, string? reason = null) => CloseAsync(code, reason, cause: 0);

    /// <summary>Drops the TCP connection at once, without a closing handshake.</summary>
    public void Abort()
    {
        SetFlags(SessionFlags.Closed);
        _transport.Abort();
    }

    /// <summary>
    /// Runs the session to its end, calling <paramref name="onMessage"/> for every complete data message in order.
    /// A callback that throws is logged and the session lives on. Completes, never throwing, when the connection is
    /// gone; the result is the close code the peer sent, or null when it ended without one.
    /// </summary>
    public Task<CloseCode?> RunAsync(Func<WebSocketMessage, ValueTask> onMessage)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        return RunAsync(static (callback, message) => callback(message), onMessage);
    }

    /// <summary>
    /// Runs the session to its end as <see cref="RunAsync(Func{WebSocketMessage, ValueTask})"/> does, passing
    /// <paramref name="state"/> to every call of <paramref name="onMessage"/>: with a static callback, a session that
    /// many connections run costs no delegate of its own.
    /// </summary>
    /// <typeparam name="TState">The type of the state.</typeparam>
    /// <param name="onMessage">Called for every complete data message, in order.</param>
    /// <param name="state">What the callback gets along with each message.</param>
    /// <returns>The close code the peer sent, or null when it ended without one.</returns>
    public Task<CloseCode?> RunAsync<TState>(Func<TState, WebSocketMessage, ValueTask> onMessage, TState state)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        return RunAsync(onMessage, null, state);
    }

    /// <summary>
    /// Runs the session to its end as <see cref="RunAsync{TState}(Func{TState, WebSocketMessage, ValueTask}, TState)"/>
    /// does, then calls <paramref name="onEnded"/> with the close code the peer sent: an owner that has work to do when
    /// the session ends need not wait for it. <see cref="Start"/> does the same with no task at all.
    /// </summary>
    /// <typeparam name="TState">The type of the state.</typeparam>
    /// <param name="onMessage">Called for every complete data message, in order.</param>
    /// <param name="onEnded">
    /// Called once, after the transport is disposed and before the returned task completes, whichever way the session
    /// ended; null for none. What it throws faults the returned task.
    /// </param>
    /// <param name="state">What the callbacks get.</param>
    /// <returns>The close code the peer sent, or null when it ended without one.</returns>
    public Task<CloseCode?> RunAsync<TState>(Func<TState, WebSocketMessage, ValueTask> onMessage, Func<TState, CloseCode?, ValueTask>? onEnded,
        TState state)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        var completion = new TaskCompletionSource<CloseCode?>();
        StartTimer();
        RunLoop(new LoopCallbacks<TState>(onMessage, onEnded, completion), state);
        return completion.Task;
    }

    /// <summary>
    /// Starts the session and returns at once; it runs to its end as
    /// <see cref="RunAsync{TState}(Func{TState, WebSocketMessage, ValueTask}, Func{TState, CloseCode?, ValueTask}, TState)"/>
    /// does, and <paramref name="onEnded"/> hears of the end. For an owner of many sessions: no task is made, and while
    /// the session waits for bytes its receive loop keeps no object of its own, where an awaited loop keeps its state machine.
    /// </summary>
    /// <typeparam name="TState">The type of the state.</typeparam>
    /// <param name="onMessage">Called for every complete data message, in order.</param>
    /// <param name="onEnded">
    /// Called once, after the transport is disposed, whichever way the session ended. What it throws is logged.
    /// </param>
    /// <param name="state">What the callbacks get.</param>
    public void Start<TState>(Func<TState, WebSocketMessage, ValueTask> onMessage, Func<TState, CloseCode?, ValueTask> onEnded, TState state)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        ArgumentNullException.ThrowIfNull(onEnded);
        StartTimer();
        RunLoop(LoopCallbacks<TState>.Shared(_options, onMessage, onEnded), state);
    }

    /// <summary>
    /// The end of a run, once reading is done or has failed: the orderly close of the transport after a read loop that
    /// ended well, then whatever way it ended, the session marked closed, what it owns disposed, and the owner told.
    /// </summary>
    /// <param name="failure">What ended the read loop, if it did not end well.</param>
    /// <param name="onEnded">The owner's hook, if any; what it throws escapes.</param>
    /// <param name="state">The hook's state.</param>
    /// <returns>The close code the peer sent, or null.</returns>
    /// <exception cref="Exception">Anything but a transport failure that ended the loop, or what the hook threw.</exception>
    private async Task<CloseCode?> EndRunAsync<TState>(Exception? failure, Func<TState, CloseCode?, ValueTask>? onEnded, TState state)
    {
        try
        {
            if (failure is not null) ExceptionDispatchInfo.Throw(failure);
            await _transport.CloseAsync(_options.CloseTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransportFailure(e) || e is OperationCanceledException)
        {
            SessionLog.TransportError(_logger, Id, e);
        }
        finally
        {
            SetFlags(SessionFlags.Closed); // nothing is written from now on
            // Disposed before the lock is taken: a client writer that holds it while it waits for room is let go.
            await _transport.DisposeAsync().ConfigureAwait(false);
            if (_clockSlot >= 0) _options.Clock.Remove(_clockSlot);
            await _writeLock.WaitAsync().ConfigureAwait(false);
            try
            {
                _protocol.Abort(); // gives back the assembly buffer of an unfinished message
            }
            finally
            {
                _writeLock.Release();
            }
            if (onEnded is not null) await onEnded(state, PeerCloseStatus).ConfigureAwait(false);
        }
        return PeerCloseStatus;
    }

    /// <summary>
    /// Handles every frame of one read, then advances the input; sets <see cref="SessionFlags.ReadingDone"/> when the
    /// session is done reading (the closing handshake is over, the peer broke the protocol, or the peer is gone).
    /// </summary>
    /// <remarks>A pooled state machine of its own, which exists only while a read is handled.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask OnReadAsync<TState>(ReadResult result, Func<TState, WebSocketMessage, ValueTask> onMessage, TState state)
    {
        var buffer = result.Buffer;
        SequencePosition consumed;
        SequencePosition examined;
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            var output = _transport.Output;
            _batching = true;
            NoteBacklog(output);
            while (_protocol.TryRead(buffer, output, out consumed, out examined, out var protocolEvent))
            {
                buffer = buffer.Slice(consumed);
                switch (protocolEvent.Kind)
                {
                    case ProtocolEventKind.Message:
                        // The handler may send: the lock is its while it runs. The payload stays valid, as nothing
                        // reads or releases the input meanwhile.
                        _writeLock.Release();
                        try
                        {
                            await DispatchAsync(onMessage, state, new WebSocketMessage(protocolEvent.Opcode, protocolEvent.Payload)).ConfigureAwait(false);
                        }
                        finally
                        {
                            await _writeLock.WaitAsync().ConfigureAwait(false);
                            _batching = true;
                        }
                        break;
                    case ProtocolEventKind.Ping:
                        _unflushed = true; // the pong, unless the protocol keeps it
                        OnPing();
                        break;
                    case ProtocolEventKind.Close:
                        _unflushed = true; // the answer, unless the close answered ours
                        if (!protocolEvent.CloseReason.IsEmpty) PeerCloseReason = System.Text.EncodingExtensions.GetString(System.Text.Encoding.UTF8, protocolEvent.CloseReason);
                        break;
                    case ProtocolEventKind.Failed:
                        _unflushed = true; // our close frame
                        SessionLog.ProtocolError(_logger, Id, protocolEvent.Error.ToCloseCode(), protocolEvent.Error);
                        break;
                }
            }

            // The peer's close, a failure, or the end of our closing handshake: nothing more is read.
            if (_protocol.State is ProtocolState.CloseReceived or ProtocolState.Closed) SetFlags(SessionFlags.ReadingDone);
            _batching = false;
            if (_unflushed) await FlushAsync(output, CancellationToken.None).ConfigureAwait(false); // one flush for all the answers to this read
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            SessionLog.TransportError(_logger, Id, e);
            Abort();
            consumed = examined = result.Buffer.End;
        }
        finally
        {
            _writeLock.Release();
        }

        _transport.Input.AdvanceTo(consumed, examined);
        if (result.IsCompleted || HasFlags(SessionFlags.Closed)) SetFlags(SessionFlags.ReadingDone); // TCP ended without a close frame (1006)
    }

#pragma warning disable CA1031 // Application callbacks may throw anything; the session must survive it.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DispatchAsync<TState>(Func<TState, WebSocketMessage, ValueTask> onMessage, TState state, WebSocketMessage message)
    {
        try
        {
            var handled = onMessage(state, message);
            if (!handled.IsCompleted)
            {
                // The handler waits for something: what the batch wrote goes out now, and until the handler is done
                // its own writes flush as writes outside a batch do.
                await EndBatchAsync().ConfigureAwait(false);
            }
            await handled.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            SessionLog.HandlerFailed(_logger, Id, e);
        }
    }
#pragma warning restore CA1031

    /// <summary>
    /// Before a read's frames are handled, under the lock: tells the protocol whether the peer has taken what was sent,
    /// so that it keeps the answer to a ping rather than queue it behind a backlog (RFC 6455 section 5.5.3).
    /// </summary>
    private void NoteBacklog(PipeWriter output)
    {
        if (_transport.QueuedBytes > 0)
        {
            if (!_protocol.IsOutputBackedUp) _protocol.OnOutputBackedUp();
        }
        else if (_protocol.IsOutputBackedUp && !_waitingForDrain && _protocol.OnOutputDrained(output))
        {
            _unflushed = true;
        }
    }

    /// <summary>A ping came, under the lock: if its pong was kept behind a backlog, it goes once the backlog has.</summary>
    private void OnPing()
    {
        if (!_protocol.IsOutputBackedUp || _waitingForDrain) return;
        _waitingForDrain = true;
        _ = SendKeptPongAsync();
    }

    /// <summary>Sends the kept pong once the peer has taken everything queued before it.</summary>
    private async Task SendKeptPongAsync()
    {
        await _transport.WaitForDrainAsync().ConfigureAwait(false);
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _waitingForDrain = false;
            if (HasFlags(SessionFlags.Closed)) return;
            var output = _transport.Output;
            if (_protocol.OnOutputDrained(output)) await FlushOrLeaveAsync(output, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            SessionLog.TransportError(_logger, Id, e);
            Abort();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// The one way out for messages: frames leave whole and in order under the write lock, masked by the protocol when
    /// this is a client. A <paramref name="preparedFrame"/> payload is a whole frame built by <see cref="EncodedMessage"/>.
    /// </summary>
    /// <remarks>
    /// A write completes once its frame is in the transport's send queue. When the queue is over its limit (the peer
    /// has not taken <see cref="IDuplexTransport.SendQueueLimit"/> bytes), a client waits for room; a server does not
    /// let one slow peer hold up its other connections or grow memory: it drops the frame and closes that session
    /// with 1013, Try Again Later (the close frame goes out behind the queued data; the close timeout drops a peer that
    /// never reads it). A client that reconnects later starts with an empty queue.
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteAsync(Opcode opcode, ReadOnlySequence<byte> payload, bool preparedFrame, CancellationToken cancellationToken, bool compress = true,
        ISharedDeflate? shared = null, int fragmentSize = 0)
    {
        var slowConsumer = false;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_protocol.State != ProtocolState.Open || HasFlags(SessionFlags.Closed)) return;
            var output = _transport.Output;
            if (_transport.QueuedBytes > _transport.SendQueueLimit)
            {
                if (_protocol.Role == WebSocketRole.Server)
                {
                    slowConsumer = true;
                }
                else
                {
                    // Room comes from the transport's pump, which sees only what was flushed.
                    if (_unflushed) await FlushAsync(output, cancellationToken).ConfigureAwait(false);
                    await _transport.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            if (!slowConsumer)
            {
                var written = preparedFrame ? _protocol.SendFrame(output, payload.FirstSpan, compress, shared)
                    : fragmentSize > 0 ? SendFragments(output, opcode, payload, fragmentSize)
                    : _protocol.Send(output, opcode, payload);
                if (written) await FlushOrLeaveAsync(output, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            SessionLog.TransportError(_logger, Id, e);
            Abort();
        }
        finally
        {
            _writeLock.Release();
        }

        if (slowConsumer)
        {
            SessionLog.SlowConsumer(_logger, Id, _transport.SendQueueLimit);
            await CloseAsync(CloseCode.TryAgainLater, "send queue full: the peer does not read", SessionFlags.SlowConsumer).ConfigureAwait(false);
        }
    }

    /// <summary>Sends our close frame unless the connection is no longer open; <paramref name="cause"/> flags why, when it is this close that goes.</summary>
    private async ValueTask CloseAsync(CloseCode code, string? reason, SessionFlags cause)
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (HasFlags(SessionFlags.Closed)) return;
            var output = _transport.Output;
            if (!_protocol.Close(output, code, reason)) return;
            if (cause != 0) SetFlags(cause);
            // Nothing follows a close frame: it goes at once.
            await FlushAsync(output, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            SessionLog.TransportError(_logger, Id, e);
            Abort();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// After a write under the lock: inside the receive loop's batch the loop flushes once at its end. A server's other
    /// writes (a broadcast, a send from another connection's handler) leave theirs for later (<see cref="DeferFlush"/>),
    /// so the frames written until it runs go out in one send. Anything else flushes now.
    /// </summary>
    private ValueTask FlushOrLeaveAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        if (_batching || DeferFlush())
        {
            _unflushed = true;
            return ValueTask.CompletedTask;
        }
        return FlushAsync(output, cancellationToken);
    }

    /// <summary>For a server, schedules one flush on the thread pool unless one is scheduled already; under the write lock.</summary>
    /// <returns>False for a client, whose writes flush themselves.</returns>
    private bool DeferFlush()
    {
        if (_protocol.Role != WebSocketRole.Server) return false;
        if (_flushScheduled) return true;
        _flushScheduled = true;
        ThreadPool.UnsafeQueueUserWorkItem(_deferredFlush ??= new DeferredFlush(this), preferLocal: false);
        return true;
    }

    /// <summary>The work item of a deferred flush: one per session, queued without allocating.</summary>
    private sealed class DeferredFlush(WebSocketSession session) : IThreadPoolWorkItem
    {
        public void Execute() => _ = session.FlushPendingAsync(endingBatch: false);
    }

    /// <summary>
    /// Ends the receive loop's batch: flushes what was written during it, and lets writes flush themselves again.
    /// </summary>
    private ValueTask EndBatchAsync() => new(FlushPendingAsync(endingBatch: true));

    /// <summary>
    /// Sends what was written but not flushed: at the end of the receive loop's batch, or when a deferred flush runs
    /// (which leaves it to a batch that has started meanwhile).
    /// </summary>
    private async Task FlushPendingAsync(bool endingBatch)
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (endingBatch) _batching = false;
            else _flushScheduled = false;
            if (_unflushed && !_batching) await FlushAsync(_transport.Output, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            SessionLog.TransportError(_logger, Id, e);
            Abort();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Flushes the output; called under the write lock.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        _unflushed = false;
        // The transport's flush does not wait for the peer; completed means the connection is gone.
        if ((await output.FlushAsync(cancellationToken).ConfigureAwait(false)).IsCompleted) Abort();
    }

    /// <summary>Has the options' clock tick for the session from now until it ends.</summary>
    private void StartTimer() => _clockSlot = _options.Clock.Add(this);

    /// <summary>
    /// A tick of the options' clock: when the protocol says a deadline has passed, its timer runs under the lock. Read
    /// without the lock, the deadline may be off while another thread changes it; a call too early does nothing, and
    /// one missed is made at the next tick.
    /// </summary>
    internal void OnClockTick()
    {
        if (HasFlags(SessionFlags.Closed) || _protocol.GetNextDeadline() is not { } due || due > TimeSpan.Zero) return;
        if ((SetFlags(SessionFlags.TimerDue) & SessionFlags.TimerDue) == 0) _ = OnTimerAsync();
    }

    /// <summary>A deadline may have passed: the protocol pings a silent peer, or gives up on a dead one or on our close.</summary>
    private async Task OnTimerAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            Interlocked.And(ref _flags, (int)~SessionFlags.TimerDue);
            if (HasFlags(SessionFlags.Closed)) return;
            var output = _transport.Output;
            switch (_protocol.OnTimer(output))
            {
                case TimerOutcome.PingWritten:
                    await FlushOrLeaveAsync(output, CancellationToken.None).ConfigureAwait(false);
                    break;
                case TimerOutcome.KeepAliveTimedOut:
                    SessionLog.DeadPeer(_logger, Id);
                    Abort();
                    return;
                case TimerOutcome.CloseTimedOut:
                    SessionLog.CloseTimedOut(_logger, Id);
                    Abort();
                    return;
            }
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            SessionLog.TransportError(_logger, Id, e);
            Abort();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>What a transport throws when the connection is gone or was ended under the caller.</summary>
    private static bool IsTransportFailure(Exception e) => e is IOException or SocketException or ObjectDisposedException or InvalidOperationException;

    /// <summary>Sets <paramref name="flags"/> and returns the flags as they were before.</summary>
    private SessionFlags SetFlags(SessionFlags flags) => (SessionFlags)Interlocked.Or(ref _flags, (int)flags);

    /// <summary>Whether any of <paramref name="flags"/> is set.</summary>
    private bool HasFlags(SessionFlags flags) => ((SessionFlags)Volatile.Read(ref _flags) & flags) != 0;

    /// <summary>What has happened to the session; each flag but <see cref="TimerDue"/> is set once and stays.</summary>
    [Flags]
    private enum SessionFlags
    {
        /// <summary>The connection is gone, or going: nothing more is written.</summary>
        Closed = 2,

        /// <summary>The receive loop has handled its last read.</summary>
        ReadingDone = 4,

        /// <summary>Our close was sent because the peer does not read (see <see cref="ClosedAsSlowConsumer"/>).</summary>
        SlowConsumer = 8,

        /// <summary>A tick's call of the protocol's timer waits for the lock; cleared once it has it, so one call waits at a time.</summary>
        TimerDue = 16,
    }
}
