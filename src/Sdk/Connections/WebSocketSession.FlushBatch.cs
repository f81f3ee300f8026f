namespace Switchboard.Connections;

public sealed partial class WebSocketSession
{
    /// <summary>
    /// The flushes of a run of server writes made on one thread, one after another (the messages an engine hands a node
    /// together): while the batch is open on the thread, a session written there leaves its flush to the batch instead
    /// of queueing a work item of its own, and closing the batch flushes every session the run wrote to, right there. Each
    /// session's frames of the whole run leave in one send, and the run costs no work item, so no thread-pool thread
    /// is woken for it.
    /// </summary>
    /// <remarks>
    /// A batch belongs to the thread that opened it until it is closed, on that thread, before anything awaits: code that
    /// resumes on the thread later must not find it open. Nothing waits for the run to end but the run itself, so the
    /// batch adds no delay of its own.
    /// </remarks>
    internal sealed class FlushBatch
    {
        [ThreadStatic]
        private static FlushBatch? t_open;

        [ThreadStatic]
        private static FlushBatch? t_spare; // the thread's last batch, kept for its next run

        private readonly List<WebSocketSession> _sessions = [];

        /// <summary>
        /// Opens a batch on this thread; null when one is open on it already (the writes then go to that one, which
        /// its opener closes).
        /// </summary>
        public static FlushBatch? Open()
        {
            if (t_open is not null) return null;
            var batch = t_spare ?? new FlushBatch();
            t_spare = null;
            t_open = batch;
            return batch;
        }

        /// <summary>Closes the batch on this thread and flushes every session of the run, in the order they were first written to.</summary>
        public void Close()
        {
            if (t_open != this) throw new InvalidOperationException("the batch is not open on this thread");
            t_open = null;
            try
            {
                // A flush that has to wait for its session's write lock goes on when it gets it, as a deferred flush does.
                foreach (var session in _sessions) _ = session.FlushPendingAsync(endingBatch: false);
            }
            finally
            {
                _sessions.Clear();
                t_spare = this;
            }
        }

        /// <summary>Leaves <paramref name="session"/>'s flush to the batch open on this thread, if any; under its write lock.</summary>
        internal static bool TryTake(WebSocketSession session)
        {
            if (t_open is not { } batch) return false;
            batch._sessions.Add(session);
            return true;
        }
    }
}
