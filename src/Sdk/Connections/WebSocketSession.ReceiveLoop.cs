using System.IO.Pipelines;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;

namespace Switchboard.Connections;

public sealed partial class WebSocketSession
{
    /// <summary>
    /// A session's receive loop, driven by the completions of its reads rather than written as an async method: while
    /// the session waits for bytes, this object is all the loop keeps (an async method keeps its state machine, and a
    /// task, for every idle session). Each read's frames are handled by <see cref="OnReadAsync"/>, a pooled state
    /// machine that exists only while a handler waits.
    /// </summary>
    /// <remarks>
    /// One step runs at a time: the first from <see cref="Run"/>, each next one from the completion of the read or the
    /// handling the last step left waiting; a step ends by leaving the next one waiting or by ending the run.
    /// </remarks>
    private sealed class ReceiveLoop<TState>
    {
        // What a SocketReader calls when the read the loop left waiting completes: one delegate for every loop.
        private static readonly Action<object?> ReadCompleted = static loop => ((ReceiveLoop<TState>)loop!).Resume();

        private readonly WebSocketSession _session;
        private readonly Func<TState, WebSocketMessage, ValueTask> _onMessage;
        private readonly Func<TState, CloseCode?, ValueTask>? _onEnded;
        private readonly TState _state;
        private readonly TaskCompletionSource<CloseCode?>? _completion;
        // Made for the first wait that needs an awaiter: a handler's, or a read from a reader other than a SocketReader,
        // which calls back without one (see Step): an idle connection over a plain socket keeps none.
        private Awaited? _awaited;
        private bool _waitsForHandling;

        public ReceiveLoop(WebSocketSession session, Func<TState, WebSocketMessage, ValueTask> onMessage, Func<TState, CloseCode?, ValueTask>? onEnded,
            TState state, TaskCompletionSource<CloseCode?>? completion)
        {
            _session = session;
            _onMessage = onMessage;
            _onEnded = onEnded;
            _state = state;
            _completion = completion;
        }

        /// <summary>Reads and handles what arrives until a read or a handler has to wait, or reading is done.</summary>
        public void Run() => Step(resumed: false);

        private void Resume() => Step(resumed: true);

        /// <summary>Takes the outcome of what the last step left waiting, then reads and handles until something waits again.</summary>
        private void Step(bool resumed)
        {
            try
            {
                if (resumed && !TryFinish()) return;
                var input = _session._transport.Input;
                while (!_session.HasFlags(SessionFlags.ReadingDone))
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
                End(e);
                return;
            }
#pragma warning restore CA1031
            End(null);
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
            if (_session._transport.Input is SocketReader socketReader) return TryHandle(socketReader.GetReadResult());
            var read = _awaited!.Read;
            _awaited.Read = default;
            return TryHandle(read.GetAwaiter().GetResult());
        }

        /// <summary>Handles one read's frames; false when a handler waits, and the loop goes on once it is done.</summary>
        private bool TryHandle(ReadResult result)
        {
            var handled = _session.OnReadAsync(result, _onMessage, _state);
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

        private void End(Exception? failure) => _ = EndAsync(failure);

        private async Task EndAsync(Exception? failure)
        {
            try
            {
                var status = await _session.EndRunAsync(failure, _onEnded, _state).ConfigureAwait(false);
                _completion?.SetResult(status);
            }
#pragma warning disable CA1031 // A failure with no task to fault is logged: nothing else would see it.
            catch (Exception e)
            {
                if (_completion is not null) _completion.SetException(e);
                else SessionLog.HandlerFailed(_session._logger, _session.Id, e);
            }
#pragma warning restore CA1031
        }

        /// <summary>
        /// What a wait through an awaiter keeps: the continuation, and the read or the handling left waiting. Apart from
        /// the loop, as a session over a SocketReader that no handler has kept waiting needs none of it.
        /// </summary>
        private sealed class Awaited(ReceiveLoop<TState> loop)
        {
            public readonly Action Resume = loop.Resume;
            public ValueTask<ReadResult> Read; // the read left waiting, from a reader other than a SocketReader
            public ValueTask Handled; // the handling left waiting
        }
    }
}
