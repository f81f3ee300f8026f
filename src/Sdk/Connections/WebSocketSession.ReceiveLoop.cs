using System.IO.Pipelines;
using Switchboard.Protocol;

namespace Switchboard.Connections;

public sealed partial class WebSocketSession
{
    /// <summary>
    /// A session's receive loop, driven by the completions of its reads rather than written as an async method: while
    /// the session waits for bytes, this object is all the loop keeps (an async method kept its state machine, 200
    /// bytes, for every idle session, and a task). Each read's frames are handled by <see cref="OnReadAsync"/>, a pooled
    /// state machine that exists only while a handler waits.
    /// </summary>
    /// <remarks>
    /// One step runs at a time: a step starts from <see cref="Run"/>, or from the completion of the one read or handling
    /// the last step left waiting, and ends by leaving the next one waiting or by ending the run. A read on the
    /// session's own <see cref="SocketReader"/> is waited for with a continuation every loop shares; what only some
    /// loops need to wait (a handler that waits, a read through a stream) is made the first time they do.
    /// </remarks>
    private sealed class ReceiveLoop<TState>(WebSocketSession session, Func<TState, WebSocketMessage, ValueTask> onMessage,
        Func<TState, CloseCode?, ValueTask>? onEnded, TState state, TaskCompletionSource<CloseCode?>? completion)
    {
        private static readonly Action<object?> OnSocketReadCompleted = static loop => ((ReceiveLoop<TState>)loop!).OnReadCompleted(null);

        private readonly FrameReader _frames = new(session._role, session._options.Frames);
        private Waits? _waits;

        /// <summary>Reads and handles what arrives until a read or a handler has to wait, or reading is done.</summary>
        public void Run()
        {
            try
            {
                while (!session.HasFlags(SessionFlags.ReadingDone))
                {
                    var read = session._transport.Input.ReadAsync();
                    if (!read.IsCompleted)
                    {
                        AwaitRead(read);
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

        /// <summary>Handles one read's frames; false when a handler waits, and the loop goes on once it is done.</summary>
        private bool TryHandle(ReadResult result)
        {
            var handled = session.OnReadAsync(result, _frames, onMessage, state);
            if (handled.IsCompleted)
            {
                handled.GetAwaiter().GetResult(); // hands the pooled state machine back, or throws what ended it
                return true;
            }
            var waits = _waits ??= new Waits(this);
            waits.Handled = handled;
            waits.Handling = true;
            handled.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(waits.Resume);
            return false;
        }

        private void AwaitRead(ValueTask<ReadResult> read)
        {
            if (session._transport.Input is SocketReader reader)
            {
                reader.OnReadCompleted(OnSocketReadCompleted, this);
                return;
            }
            var waits = _waits ??= new Waits(this);
            waits.Read = read;
            waits.Handling = false;
            read.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(waits.Resume);
        }

        /// <summary>The read left waiting has completed (<paramref name="waits"/> holds it unless the socket reader does).</summary>
        private void OnReadCompleted(Waits? waits)
        {
            try
            {
                ReadResult result;
                if (waits is null)
                {
                    result = ((SocketReader)session._transport.Input).TakeCompletedRead();
                }
                else
                {
                    var read = waits.Read;
                    waits.Read = default;
                    result = read.Result;
                }
                if (!TryHandle(result)) return;
            }
#pragma warning disable CA1031 // As in Run.
            catch (Exception e)
            {
                End(e);
                return;
            }
#pragma warning restore CA1031
            Run();
        }

        /// <summary>The read or the handling left waiting in <paramref name="waits"/> has completed.</summary>
        private void Resume(Waits waits)
        {
            if (!waits.Handling)
            {
                OnReadCompleted(waits);
                return;
            }
            var handled = waits.Handled;
            waits.Handled = default;
            try
            {
                handled.GetAwaiter().GetResult();
            }
#pragma warning disable CA1031 // As in Run.
            catch (Exception e)
            {
                End(e);
                return;
            }
#pragma warning restore CA1031
            Run();
        }

        private void End(Exception? failure) => _ = EndAsync(failure);

        private async Task EndAsync(Exception? failure)
        {
            try
            {
                var status = await session.EndRunAsync(failure, onEnded, state).ConfigureAwait(false);
                completion?.SetResult(status);
            }
#pragma warning disable CA1031 // A failure with no task to fault is logged: nothing else would see it.
            catch (Exception e)
            {
                if (completion is not null) completion.SetException(e);
                else SessionLog.HandlerFailed(session._logger, session.Id, e);
            }
#pragma warning restore CA1031
        }

        /// <summary>What a loop needs to wait for a handler, or for a read through a stream: made the first time it does.</summary>
        private sealed class Waits
        {
            public Waits(ReceiveLoop<TState> loop) => Resume = () => loop.Resume(this);

            public Action Resume { get; }

            public ValueTask<ReadResult> Read { get; set; }

            public ValueTask Handled { get; set; }

            public bool Handling { get; set; } // which of the two is left waiting
        }
    }
}
