using System.IO.Pipelines;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;

namespace Switchboard.Connections;

/// <summary>
/// The session's receive loop, driven by the completions of its reads rather than written as an async method: while
/// the session waits for bytes, the loop keeps three fields of the session (an async method keeps its state machine,
/// and a task, for every idle session; an object of its own would add a header and a reference back for each). Each
/// read's frames are handled by <see cref="OnReadAsync"/>, a pooled state machine that exists only while a handler waits.
/// </summary>
/// <remarks>
/// One step runs at a time: the first from <see cref="RunLoop"/>, each next one from the completion of the read or the
/// handling the last step left waiting; a step ends by leaving the next one waiting or by ending the run.
/// </remarks>
public sealed partial class WebSocketSession
{
    // What a SocketReader calls when the read the loop left waiting completes: one delegate for every session.
    private static readonly Action<object?> ReadCompleted = static session => ((WebSocketSession)session!).ResumeLoop();

    // Set once by RunLoop, before the first step.
    private LoopCallbacks? _loop;
    private object? _loopState;
    // Made for the first wait that needs an awaiter: a handler's, or a read from a reader other than a SocketReader,
    // which calls back without one (see Step): an idle connection over a plain socket keeps none.
    private Awaited? _awaited;

    /// <summary>Reads and handles what arrives until a read or a handler has to wait, or reading is done.</summary>
    private void RunLoop(LoopCallbacks callbacks, object? state)
    {
        _loop = callbacks;
        _loopState = state;
        Step(resumed: false);
    }

    private void ResumeLoop() => Step(resumed: true);

    /// <summary>Takes the outcome of what the last step left waiting, then reads and handles until something waits again.</summary>
    private void Step(bool resumed)
    {
        try
        {
            if (resumed && !TryFinish()) return;
            var input = _transport.Input;
            while (!HasFlags(SessionFlags.ReadingDone))
            {
                var read = input.ReadAsync();
                if (!read.IsCompleted)
                {
                    _waitsForHandling = false;
                    if (input is SocketReader socketReader)
                    {
                        socketReader.OnReadCompleted(ReadCompleted, this);
                    }
                    else
                    {
                        var awaited = _awaited ??= new Awaited(this);
                        awaited.Read = read;
                        read.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(awaited.Resume);
                    }
                    return;
                }
                if (!TryHandle(read.Result)) return;
            }
        }
#pragma warning disable CA1031 // Whatever ends the loop is reported by the end of the run.
        catch (Exception e)
        {
            EndLoop(e);
            return;
        }
#pragma warning restore CA1031
        EndLoop(null);
    }

    /// <summary>Takes the outcome of what was left waiting; false when its handling waits in turn.</summary>
    private bool TryFinish()
    {
        if (_waitsForHandling)
        {
            var handled = _awaited!.Handled;
            _awaited.Handled = default;
            handled.GetAwaiter().GetResult();
            return true;
        }
        if (_transport.Input is SocketReader socketReader) return TryHandle(socketReader.GetReadResult());
        var read = _awaited!.Read;
        _awaited.Read = default;
        return TryHandle(read.GetAwaiter().GetResult());
    }

    /// <summary>Handles one read's frames; false when a handler waits, and the loop goes on once it is done.</summary>
    private bool TryHandle(ReadResult result)
    {
        var handled = _loop!.OnReadAsync(this, result);
        if (handled.IsCompleted)
        {
            handled.GetAwaiter().GetResult(); // hands the pooled state machine back, or throws what ended it
            return true;
        }
        var awaited = _awaited ??= new Awaited(this);
        awaited.Handled = handled;
        _waitsForHandling = true;
        handled.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(awaited.Resume);
        return false;
    }

    private void EndLoop(Exception? failure) => _ = EndLoopAsync(failure);

    private async Task EndLoopAsync(Exception? failure)
    {
        var completion = _loop!.Completion;
        try
        {
            var status = await _loop.EndRunAsync(this, failure).ConfigureAwait(false);
            completion?.SetResult(status);
        }
#pragma warning disable CA1031 // A failure with no task to fault is logged: nothing else would see it.
        catch (Exception e)
        {
            if (completion is not null) completion.SetException(e);
            else SessionLog.HandlerFailed(_logger, Id, e);
        }
#pragma warning restore CA1031
    }

    /// <summary>
    /// What a wait through an awaiter keeps: the continuation, and the read or the handling left waiting. Apart from
    /// the session, as a session over a SocketReader that no handler has kept waiting needs none of it.
    /// </summary>
    private sealed class Awaited(WebSocketSession session)
    {
        public readonly Action Resume = session.ResumeLoop;
        public ValueTask<ReadResult> Read; // the read left waiting, from a reader other than a SocketReader
        public ValueTask Handled; // the handling left waiting
    }

    /// <summary>
    /// A run's callbacks, which know the type of their state: the owner's message and end hooks, and the task a run
    /// started with <see cref="RunAsync{TState}(Func{TState, WebSocketMessage, ValueTask}, Func{TState, CloseCode?, ValueTask}, TState)"/>
    /// completes. The state itself stays with the session.
    /// </summary>
    private abstract class LoopCallbacks(TaskCompletionSource<CloseCode?>? completion)
    {
        public TaskCompletionSource<CloseCode?>? Completion { get; } = completion;

        public abstract ValueTask OnReadAsync(WebSocketSession session, ReadResult result);

        public abstract Task<CloseCode?> EndRunAsync(WebSocketSession session, Exception? failure);
    }

    private sealed class LoopCallbacks<TState>(
        Func<TState, WebSocketMessage, ValueTask> onMessage, Func<TState, CloseCode?, ValueTask>? onEnded, TaskCompletionSource<CloseCode?>? completion)
        : LoopCallbacks(completion)
    {
        private readonly Func<TState, WebSocketMessage, ValueTask> _onMessage = onMessage;
        private readonly Func<TState, CloseCode?, ValueTask>? _onEnded = onEnded;

        /// <summary>
        /// Callbacks for a run with no task, shared with the last such run of a session with the same
        /// <paramref name="options"/> when it had the same hooks (see <see cref="WebSocketSessionOptions.SharedLoopCallbacks"/>).
        /// </summary>
        public static LoopCallbacks<TState> Shared(WebSocketSessionOptions options, Func<TState, WebSocketMessage, ValueTask> onMessage,
            Func<TState, CloseCode?, ValueTask> onEnded)
        {
            if (options.SharedLoopCallbacks is LoopCallbacks<TState> last && ReferenceEquals(last._onMessage, onMessage) && ReferenceEquals(last._onEnded, onEnded))
            {
                return last;
            }
            var made = new LoopCallbacks<TState>(onMessage, onEnded, completion: null);
            options.SharedLoopCallbacks = made;
            return made;
        }

        public override ValueTask OnReadAsync(WebSocketSession session, ReadResult result) => session.OnReadAsync(result, _onMessage, (TState)session._loopState!);

        public override Task<CloseCode?> EndRunAsync(WebSocketSession session, Exception? failure) => session.EndRunAsync(failure, _onEnded, (TState)session._loopState!);
    }
}
