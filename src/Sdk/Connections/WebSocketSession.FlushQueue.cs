using System.Runtime.CompilerServices;

namespace Switchboard.Connections;

public sealed partial class WebSocketSession
{
    /// <summary>
    /// The server sessions whose flush one thread left for later (a broadcast, a send to another connection, a ping),
    /// flushed by thread-pool work items that take up to <see cref="ChunkSize"/> of them each: a message sent to a
    /// hundred connections queues two work items, not one per connection, and the frames written to a connection until
    /// its flush runs go out in one send. A large fan-out still spreads over as many threads as the pool gives it.
    /// </summary>
    /// <remarks>
    /// Each thread that leaves flushes has a queue of its own, so writers on different threads never contend for one.
    /// A session is in one queue at a time: it joins when its flush is first left for later, and can join again once
    /// that flush has begun (<c>_flushScheduled</c>, under its write lock).
    /// </remarks>
    private sealed class FlushQueue : IThreadPoolWorkItem
    {
        private const int ChunkSize = 64;

        [ThreadStatic]
        private static FlushQueue? t_queue;

        private readonly Lock _lock = new();
        private readonly Queue<WebSocketSession> _pending = new();
        private bool _scheduled; // a run is queued that will take what waits

        /// <summary>Leaves <paramref name="session"/>'s flush to this thread's queue, scheduling a run if none is queued.</summary>
        public static void Add(WebSocketSession session) => (t_queue ??= new FlushQueue()).Enqueue(session);

        private void Enqueue(WebSocketSession session)
        {
            lock (_lock)
            {
                _pending.Enqueue(session);
                if (_scheduled) return;
                _scheduled = true;
            }
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        /// <summary>Flushes the first <see cref="ChunkSize"/> sessions that wait, leaving the rest to another run queued first.</summary>
        public void Execute()
        {
            var chunk = default(Chunk);
            int count;
            bool more;
            lock (_lock)
            {
                count = Math.Min(_pending.Count, ChunkSize);
                for (var i = 0; i < count; i++) chunk[i] = _pending.Dequeue();
                more = _scheduled = _pending.Count > 0;
            }
            if (more) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            // A flush that finds its session's lock held finishes after the holder, on another thread.
            for (var i = 0; i < count; i++) _ = chunk[i]!.FlushPendingAsync(endingBatch: false);
        }

        /// <summary>The sessions one run flushes, on its stack.</summary>
        [InlineArray(ChunkSize)]
        private struct Chunk
        {
            private WebSocketSession? _first;
        }
    }
}
