using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Connections.Loops;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;

namespace Switchboard.Connections;

/// <summary>
/// An open WebSocket connection after the opening handshake, for either role: the one loop that turns the
/// frame codec into messages and back. Every frame available in one read is parsed before the next read, and what
/// the handlers send meanwhile is flushed once, after the last of them; pings are answered, the closing handshake
/// is completed, and silent peers are pinged and dropped.
/// </summary>
/// <remarks>
/// Thread safety: any number of tasks may send at once and each frame goes out whole and in order;
/// <see cref="RunAsync"/> is called once; the message callback is never called concurrently for one session.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "RunAsync disposes what the session owns when the session ends.")]
public sealed partial class WebSocketSession
{
    // Stands for "the session has ended" in _closeTimer: no timer may start after that.
    private static readonly CancellationTokenSource SessionEnded = new();

    private readonly SocketTransport _transport;
    private readonly WebSocketRole _role;
    private readonly WebSocketSessionOptions _options;
    private readonly ILogger _logger;
    // A server keeps many sessions, most of them idle: every field here is paid by each, so what only some sessions
    // need is made when they first need it, and flags share one int. The write lock is one reference that allocates
    // only when two writers meet.
    private AsyncLock _writeLock;
    private MessageBuffer? _message; // made for the first message that arrives in pieces: most sessions never need one
    private CancellationTokenSource? _closeTimer; // only once our close frame is out: idle sessions hold no timer
    private Opcode _messageOpcode;
    private int _flags; // SessionFlags, set with Interlocked.Or and never cleared
    // 0 for none, as in FrameEvent: a nullable is a struct, which the runtime lays out after the other fields rather
    // than in the padding they leave, and would cost the session 8 bytes.
    private CloseCode _peerCloseStatus;
    private FrameError _protocolError;
    private long _lastReceived = Environment.TickCount64;
    private long _pingSent;
    // Under _writeLock: while the receive loop handles one read's frames, writes leave their flush to the loop.
    private bool _batching;
    private bool _unflushed;
    // Under _writeLock: made for the first ping not answered at once because the peer is not taking what we send.
    private PendingPong? _pendingPong;
    // Under _writeLock: a server's flush left for later (see DeferFlush), so frames written meanwhile leave in one send.
    private bool _flushScheduled;
    private DeferredFlush? _deferredFlush; // created on the first deferred flush

    /// <summary>Creates a session over a transport whose handshake is complete.</summary>
    /// <param name="id">A number that identifies the session in logs.</param>
    /// <param name="transport">The connection; the session owns it from now on.</param>
    /// <param name="role">Which end this is: a client masks what it sends, a server does not.</param>
    /// <param name="options">Limits and timers; <see cref="WebSocketSessionOptions.Default"/> when null.</param>
    /// <param name="logger">Where session events go.</param>
    /// <param name="subprotocol">The subprotocol the handshake settled on, if any.</param>
    public WebSocketSession(long id, SocketTransport transport, WebSocketRole role, WebSocketSessionOptions? options = null, ILogger? logger = null,
        string? subprotocol = null)
    {
        Subprotocol = subprotocol;
        ArgumentNullException.ThrowIfNull(transport);
        Id = id;
        _transport = transport;
        _role = role;
        _options = options ?? WebSocketSessionOptions.Default;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The number that identifies the session in logs.</summary>
    public long Id { get; }

    /// <summary>The subprotocol the handshake settled on, or null.</summary>
    public string? Subprotocol { get; }

    /// <summary>The session's current state.</summary>
    public WebSocketState State
    {
        get
        {
            var flags = (SessionFlags)Volatile.Read(ref _flags);
            // Closing lasts from our close frame, which we send at once when the peer's comes first, to the end.
            return (flags & SessionFlags.Closed) != 0 ? WebSocketState.Closed
                : (flags & SessionFlags.CloseSent) != 0 ? WebSocketState.Closing
                : WebSocketState.Open;
        }
    }

    /// <summary>The close code the peer sent, once it has; null before that or if it sent none.</summary>
    public CloseCode? PeerCloseStatus => _peerCloseStatus == 0 ? null : _peerCloseStatus;

    /// <summary>
    /// Whether this session closed the connection because the peer does not read: a server's send found more than
    /// <see cref="SocketTransport.SendQueueLimit"/> bytes waiting for the peer, and the session closed with 1013 (Try
    /// Again Later). A host reads it once the session has ended to count the slow consumer.
    /// </summary>
    public bool ClosedAsSlowConsumer => HasFlags(SessionFlags.SlowConsumer);

    /// <summary>
    /// The frame error that made this session close the connection, or <see cref="FrameError.None"/>. A host reads it
    /// once the session has ended to count the frame limits hit.
    /// </summary>
    internal FrameError ProtocolError => _protocolError;

    /// <summary>
    /// Sends one complete message as a single frame. Once the closing handshake has begun, messages are dropped
    /// (the peer can no longer receive them); a transport failure drops the connection and is not thrown.
    /// </summary>
    public ValueTask SendAsync(Opcode opcode, ReadOnlySequence<byte> payload, CancellationToken cancellationToken = default)
    {
        if (opcode is not (Opcode.Text or Opcode.Binary))
            throw new ArgumentOutOfRangeException(nameof(opcode), opcode, "only Text and Binary messages can be sent; use CloseAsync to close");
        return WriteAsync(opcode, payload, cancellationToken);
    }

    /// <summary>
    /// Sends a typed message: the server role writes the message's prepared frame as is, the client role masks its
    /// payload. Same delivery rules as <see cref="SendAsync(Opcode, ReadOnlySequence{byte}, CancellationToken)"/>.
    /// </summary>
    public ValueTask SendAsync(EncodedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _role == WebSocketRole.Server
            ? WriteAsync(Opcode.Text, message.ServerFrameSequence, cancellationToken, preparedFrame: true)
            : WriteAsync(Opcode.Text, new ReadOnlySequence<byte>(message.Payload), cancellationToken);
    }

    /// <summary>
    /// Starts the closing handshake (RFC 6455 section 7.1.2). The session ends when the peer answers, or after the
    /// close timeout. Calling it again does nothing.
    /// </summary>
    public ValueTask CloseAsync(CloseCode code = CloseCode.NormalClosure, string? reason = null) => SendCloseAsync(code, reason);

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
        new ReceiveLoop<TState>(this, onMessage, onEnded, state, completion).Run();
        return completion.Task;
    }

    /// <summary>
    /// Starts the session and returns at once; it runs to its end as
    /// <see cref="RunAsync{TState}(Func{TState, WebSocketMessage, ValueTask}, Func{TState, CloseCode?, ValueTask}, TState)"/>
    /// does, and <paramref name="onEnded"/> hears of the end. For an owner of many sessions: no task is made, and while
    /// the session waits for bytes its receive loop keeps one small object, where an awaited loop keeps its state machine.
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
        new ReceiveLoop<TState>(this, onMessage, onEnded, state, completion: null).Run();
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
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            SessionLog.TransportError(_logger, Id, e);
        }
        finally
        {
            SetFlags(SessionFlags.Closed | SessionFlags.CloseSent); // a close from now on has no one to go to
            var closeTimer = Interlocked.Exchange(ref _closeTimer, SessionEnded);
            if (closeTimer != SessionEnded) closeTimer?.Dispose();
            _message?.Dispose();
            await _transport.DisposeAsync().ConfigureAwait(false);
            if (onEnded is not null) await onEnded(state, PeerCloseStatus).ConfigureAwait(false);
        }
        return PeerCloseStatus;
    }

    /// <summary>
    /// Keepalive, called periodically by the owner with <see cref="Environment.TickCount64"/>: pings a peer that has
    /// been silent for the keepalive interval and drops one that stays silent for the keepalive timeout.
    /// </summary>
    public void Heartbeat(long now)
    {
        var interval = (long)_options.KeepAliveInterval.TotalMilliseconds;
        if (interval <= 0 || State != WebSocketState.Open) return;

        var lastReceived = Volatile.Read(ref _lastReceived);
        var pingSent = Volatile.Read(ref _pingSent);
        if (pingSent > lastReceived)
        {
            if (now - pingSent >= (long)_options.KeepAliveTimeout.TotalMilliseconds)
            {
                SessionLog.DeadPeer(_logger, Id);
                Abort();
            }
        }
        else if (now - lastReceived >= interval)
        {
            Volatile.Write(ref _pingSent, now);
            _ = WriteAsync(Opcode.Ping, ReadOnlySequence<byte>.Empty, CancellationToken.None).AsTask();
        }
    }

    /// <summary>
    /// Handles every frame of one read, then advances the input; sets <see cref="SessionFlags.ReadingDone"/> when the
    /// session is done reading (the closing handshake is over, the stream is broken, or the peer is gone).
    /// </summary>
    /// <remarks>A pooled state machine of its own, which exists only while a read is handled.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask OnReadAsync<TState>(ReadResult result, FrameReader frames, Func<TState, WebSocketMessage, ValueTask> onMessage,
        TState state)
    {
        var input = _transport.Input;
        var buffer = result.Buffer;
        if (!buffer.IsEmpty) Volatile.Write(ref _lastReceived, Environment.TickCount64);

        Volatile.Write(ref _batching, true);
        while (frames.TryRead(buffer, out var consumed, out _, out var frame))
        {
            switch (frame.Kind)
            {
                case FrameEventKind.Data:
                    await OnDataAsync(frame, onMessage, state).ConfigureAwait(false);
                    break;
                case FrameEventKind.Control when frame.Opcode == Opcode.Ping:
                    await WriteAsync(Opcode.Pong, frame.Payload, CancellationToken.None).ConfigureAwait(false);
                    break;
                case FrameEventKind.Control when frame.Opcode == Opcode.Close:
                    // Answer with the peer's own code (section 5.5.1); if we started, this was the answer to ours.
                    _peerCloseStatus = frame.CloseStatus ?? 0;
                    await SendCloseAsync(frame.CloseStatus, null).ConfigureAwait(false);
                    await EndBatchAsync().ConfigureAwait(false);
                    input.AdvanceTo(buffer.End);
                    SetFlags(SessionFlags.ReadingDone);
                    return;
                case FrameEventKind.Error:
                    _protocolError = frame.Error;
                    SessionLog.ProtocolError(_logger, Id, frame.Error.ToCloseCode(), frame.Error);
                    await SendCloseAsync(frame.Error.ToCloseCode(), frame.Error.Describe()).ConfigureAwait(false);
                    await EndBatchAsync().ConfigureAwait(false);
                    input.AdvanceTo(buffer.End);
                    SetFlags(SessionFlags.ReadingDone);
                    return;
            }
            buffer = buffer.Slice(consumed);
        }

        await EndBatchAsync().ConfigureAwait(false); // one flush for all the answers to this read
        input.AdvanceTo(buffer.Start, buffer.End);
        if (result.IsCompleted) SetFlags(SessionFlags.ReadingDone); // TCP ended without a close frame (1006)
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask OnDataAsync<TState>(FrameEvent frame, Func<TState, WebSocketMessage, ValueTask> onMessage, TState state)
    {
        // After our close frame the peer may still send data; it is read and dropped (section 7.1.2).
        if (HasFlags(SessionFlags.CloseSent)) return;

        if (frame.EndOfMessage && (_message is null || _message.IsEmpty))
        {
            await DispatchAsync(onMessage, state, new WebSocketMessage(frame.Opcode, frame.Payload)).ConfigureAwait(false);
            return;
        }

        var message = _message ??= new MessageBuffer();
        if (message.IsEmpty) _messageOpcode = frame.Opcode;
        message.Append(frame.Payload);
        if (!frame.EndOfMessage) return;
        try
        {
            await DispatchAsync(onMessage, state, new WebSocketMessage(_messageOpcode, message.Written)).ConfigureAwait(false);
        }
        finally
        {
            message.Reset();
        }
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
                await handled.ConfigureAwait(false);
                Volatile.Write(ref _batching, true);
            }
            else
            {
                await handled.ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            SessionLog.HandlerFailed(_logger, Id, e);
        }
    }
#pragma warning restore CA1031

    /// <summary>
    /// The one way out: frames leave whole and in order under the write lock, masked when this is a client.
    /// Nothing follows our close frame; for <see cref="Opcode.Close"/> a null <paramref name="closeCode"/> sends an
    /// empty close payload. A <paramref name="preparedFrame"/> payload is a whole frame built by <see cref="EncodedMessage"/>.
    /// </summary>
    /// <remarks>
    /// A write completes once its frame is in the transport's send queue. When the queue is over its limit (the peer
    /// has not taken <see cref="SocketTransport.SendQueueLimit"/> bytes), a client waits for room; a server does not
    /// let one slow peer hold up its other connections or grow memory: it drops the frame and closes that session
    /// with 1013, Try Again Later (the close frame goes out behind the queued data; the close timeout drops a peer that
    /// never reads it). A client that reconnects later starts with an empty queue.
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteAsync(Opcode opcode, ReadOnlySequence<byte> payload, CancellationToken cancellationToken,
        bool preparedFrame = false, CloseCode? closeCode = null, string? reason = null)
    {
        var slowConsumer = false;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var output = _transport.Output;
            if (opcode != Opcode.Close && HasFlags(SessionFlags.CloseSent)) return;
            if (opcode == Opcode.Pong && _transport.HasBacklog)
            {
                // The peer is not reading: queue no pong behind what it has not taken, keep only the latest ping's
                // answer (RFC 6455 section 5.5.3) and send that one once the backlog is gone.
                KeepLatestPong(payload);
                return;
            }
            if (_transport.QueuedBytes > _transport.SendQueueLimit)
            {
                // A pong must never stall the receive loop that sends it: over the limit, pongs and pings are left
                // out (the keepalive timeout still judges the peer).
                if (opcode is Opcode.Ping or Opcode.Pong) return;
                if (opcode != Opcode.Close)
                {
                    if (_role == WebSocketRole.Server)
                    {
                        slowConsumer = true;
                    }
                    else
                    {
                        // Room comes from the pump, which sees only what was flushed.
                        if (_unflushed) await FlushAsync(output, cancellationToken).ConfigureAwait(false);
                        await _transport.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            if (!slowConsumer)
            {
                uint? mask = _role == WebSocketRole.Client ? NewMaskKey() : null;
                if (opcode == Opcode.Close && closeCode is { } code) FrameWriter.WriteClose(output, code, reason, mask);
                else if (preparedFrame) WriteRaw(output, payload);
                else WriteFrame(output, opcode, payload, mask);
                // Inside a batch the receive loop flushes once at its end. A server's other writes (a broadcast, a
                // send from another connection's handler) leave theirs for later (DeferFlush), so the frames written
                // until it runs go out in one send. A close frame goes at once, as nothing follows it.
                if (opcode != Opcode.Close && (_batching || DeferFlush())) _unflushed = true;
                else await FlushAsync(output, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
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
            await SendCloseAsync(CloseCode.TryAgainLater, "send queue full: the peer does not read", SessionFlags.SlowConsumer).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// For a server, schedules one flush unless one is scheduled already; under the write lock. On an I/O loop's thread
    /// it runs at the end of the loop's turn, after every read of the same wake-up has written; elsewhere on the thread pool.
    /// </summary>
    /// <returns>False for a client, whose writes flush themselves.</returns>
    private bool DeferFlush()
    {
        if (_role != WebSocketRole.Server) return false;
        if (_flushScheduled) return true;
        _flushScheduled = true;
        var flush = _deferredFlush ??= new DeferredFlush(this);
        if (IoLoop.Current is { } loop) loop.RunAfterTurn(flush);
        else ThreadPool.UnsafeQueueUserWorkItem(flush, preferLocal: false);
        return true;
    }

    /// <summary>The work item of a deferred flush: one per session, queued without allocating.</summary>
    private sealed class DeferredFlush(WebSocketSession session) : IThreadPoolWorkItem
    {
        public void Execute() => _ = session.FlushPendingAsync(endingBatch: false);
    }

    /// <summary>Keeps <paramref name="payload"/> as the one ping to answer, and starts the wait for the backlog if none runs; under the write lock.</summary>
    private void KeepLatestPong(ReadOnlySequence<byte> payload)
    {
        var pong = _pendingPong ??= new PendingPong();
        payload.CopyTo(pong.Payload);
        pong.Length = (int)payload.Length;
        if (pong.Waiting) return;
        pong.Waiting = true;
        _ = SendLatestPongAsync(pong);
    }

    /// <summary>The answer to the latest ping, kept while the peer has not taken what was sent before it; under the write lock.</summary>
    private sealed class PendingPong
    {
        // A control frame's payload is at most 125 bytes (section 5.5); the frame reader refuses a longer one.
        public byte[] Payload { get; } = new byte[125];

        public int Length { get; set; }

        /// <summary>Whether a <see cref="SendLatestPongAsync"/> waits for the backlog to go.</summary>
        public bool Waiting { get; set; }
    }

    /// <summary>Sends the kept pong once the peer has taken everything queued before it.</summary>
    private async Task SendLatestPongAsync(PendingPong pong)
    {
        await _transport.WaitForBacklogAsync().ConfigureAwait(false);
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            pong.Waiting = false;
            if (HasFlags(SessionFlags.CloseSent | SessionFlags.Closed)) return;
            var payload = new ReadOnlySequence<byte>(pong.Payload, 0, pong.Length);
            if (_transport.HasBacklog)
            {
                // Other frames went out behind the backlog meanwhile: wait for them too.
                KeepLatestPong(payload);
                return;
            }

            WriteFrame(_transport.Output, Opcode.Pong, payload, _role == WebSocketRole.Client ? NewMaskKey() : null);
            if (_batching) _unflushed = true;
            else await FlushAsync(_transport.Output, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
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
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
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
        // Completes at once (the queue never pauses); completed means the pump, and so the socket, is gone.
        if ((await output.FlushAsync(cancellationToken).ConfigureAwait(false)).IsCompleted) Abort();
    }

    /// <summary>Writes header and payload straight into the output, masking in place as it goes.</summary>
    private static void WriteFrame(PipeWriter output, Opcode opcode, in ReadOnlySequence<byte> payload, uint? mask)
    {
        output.Advance(FrameWriter.WriteHeader(output.GetSpan(FrameWriter.MaxHeaderLength), fin: true, opcode, payload.Length, mask));
        var maskOffset = 0;
        foreach (var segment in payload)
        {
            var source = segment.Span;
            while (!source.IsEmpty)
            {
                var destination = output.GetSpan();
                var count = Math.Min(destination.Length, source.Length);
                source[..count].CopyTo(destination);
                if (mask is { } key) maskOffset = Mask.Apply(destination[..count], key, maskOffset);
                output.Advance(count);
                source = source[count..];
            }
        }
    }

    private static void WriteRaw(PipeWriter output, in ReadOnlySequence<byte> frame)
    {
        // A prepared frame is one array: no enumerator for it.
        if (frame.IsSingleSegment)
        {
            output.Write(frame.FirstSpan);
            return;
        }
        foreach (var segment in frame) output.Write(segment.Span);
    }

    /// <summary>Sends our one close frame (RFC 6455 section 5.5.1) and starts the close timeout.</summary>
    /// <summary>Sends our close frame unless one was sent; <paramref name="cause"/> flags why, when it is this close that goes.</summary>
    private ValueTask SendCloseAsync(CloseCode? code, string? reason, SessionFlags cause = 0)
    {
        // Setting CloseSent also moves an open session to Closing (see State).
        if ((SetFlags(SessionFlags.CloseSent) & SessionFlags.CloseSent) != 0) return ValueTask.CompletedTask;
        if (cause != 0) SetFlags(cause);
        var timer = new CancellationTokenSource(_options.CloseTimeout);
        timer.Token.UnsafeRegister(static state => ((WebSocketSession)state!).OnCloseTimeout(), this);
        if (Interlocked.CompareExchange(ref _closeTimer, timer, null) is not null)
        {
            timer.Dispose();
            return ValueTask.CompletedTask; // the session ended as the close was asked for
        }
        return WriteAsync(Opcode.Close, ReadOnlySequence<byte>.Empty, CancellationToken.None, closeCode: code, reason: reason);
    }

    private void OnCloseTimeout()
    {
        if (State == WebSocketState.Closed) return;
        SessionLog.CloseTimedOut(_logger, Id);
        Abort();
    }

    /// <summary>Sets <paramref name="flags"/> and returns the flags as they were before.</summary>
    private SessionFlags SetFlags(SessionFlags flags) => (SessionFlags)Interlocked.Or(ref _flags, (int)flags);

    /// <summary>Whether any of <paramref name="flags"/> is set.</summary>
    private bool HasFlags(SessionFlags flags) => ((SessionFlags)Volatile.Read(ref _flags) & flags) != 0;

    /// <summary>What has happened to the session; each flag is set once and stays.</summary>
    [Flags]
    private enum SessionFlags
    {
        /// <summary>Our close frame is out or on its way, or the session has ended: nothing more may be sent.</summary>
        CloseSent = 1,

        /// <summary>The connection is gone.</summary>
        Closed = 2,

        /// <summary>The receive loop has handled its last read.</summary>
        ReadingDone = 4,

        /// <summary>Our close was sent because the peer does not read (see <see cref="ClosedAsSlowConsumer"/>).</summary>
        SlowConsumer = 8,
    }

    // Section 5.3: a fresh unpredictable key for every frame a client sends.
    private static uint NewMaskKey()
    {
        Span<byte> key = stackalloc byte[4];
        RandomNumberGenerator.Fill(key);
        return BitConverter.ToUInt32(key);
    }
}
