using System.IO.Pipelines;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;

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
    /// One step runs at a time: the first from <see cref="Run"/>, each next one from the completion of the read or the
    /// handling the last step left waiting; a step ends by leaving the next one waiting or by ending the run. A read on
    /// the session's own <see cref="SocketReader"/> is waited for with a continuation every loop shares; what only some
    /// loops need in order to wait (for a handler that waits, or a read through a stream) is made the first time they do.
    /// </remarks>
    private sealed class ReceiveLoop<TState>(WebSocketSession session, Func<TState, WebSocketMessage, ValueTask> onMessage,
        Func<TState, CloseCode?, ValueTask>? onEnded, TState state, TaskCompletionSource<CloseCode?>? completion)
    {
        private static readonly Action<object?> OnSocketRead = static loop => ((ReceiveLoop<TState>)loop!).Step(Left.SocketRead, null);

        private readonly FrameReader _frames = new(session._role, session._options.Frames);
        private Waits? _waits;

        /// <summary>What a step left waiting.</summary>
        private enum Left
        {
            Nothing,
            SocketRead, // a read on the session's SocketReader
            StreamRead, // a read on another reader, held in Waits
            Handling, // a read's handling, held in Waits
        }

        /// <summary>Reads and handles what arrives until a read or a handler has to wait, or reading is done.</summary>
        public void Run() => Step(Left.Nothing, null);

        /// <summary>Takes the outcome of what the last step left waiting, then reads and handles until something waits again.</summary>
        private void Step(Left left, Waits? waits)
        {
            try
            {
                if (!TryFinish(left, waits)) return;
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

        /// <summary>Takes the outcome of what was left waiting; false when its handling waits in turn.</summary>
        private bool TryFinish(Left left, Waits? waits)
        {
            switch (left)
            {
                case Left.SocketRead:
                    return TryHandle(((SocketReader)session._transport.Input).TakeCompletedRead());
                case Left.StreamRead:
                    var read = waits!.Read;
                    waits.Read = default;
                    return TryHandle(read.Result);
                case Left.Handling:
                    var handled = waits!.Handled;
                    waits.Handled = default;
                    handled.GetAwaiter().GetResult();
                    return true;
                default:
                    return true;
            }
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
            waits.Left = Left.Handling;
            handled.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(waits.Resume);
            return false;
        }

        private void AwaitRead(ValueTask<ReadResult> read)
        {
            if (session._transport.Input is SocketReader reader)
            {
                reader.OnReadCompleted(OnSocketRead, this);
                return;
            }
            var waits = _waits ??= new Waits(this);
            waits.Read = read;
            waits.Left = Left.StreamRead;
            read.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(waits.Resume);
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
            public Waits(ReceiveLoop<TState> loop) => Resume = () => loop.Step(Left, this);

            public Action Resume { get; }

            public Left Left { get; set; }

            public ValueTask<ReadResult> Read { get; set; }

            public ValueTask Handled { get; set; }
        }
    }
}
