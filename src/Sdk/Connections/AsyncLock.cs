using System.Threading.Tasks.Sources;

namespace Switchboard.Connections;

/// <summary>
/// An asynchronous mutual-exclusion lock that lives inside its owner: taking and releasing it while no one else holds it
/// allocates nothing, and the owner pays one reference for it, where a <see cref="SemaphoreSlim"/> costs two objects per
/// owner for its whole life. Waiters are served in the order they came, and a release hands the lock straight to the
/// first of them, so a newcomer never overtakes one that waits.
/// </summary>
/// <remarks>
/// A mutable struct: keep it in a field that is not readonly and call it there, never on a copy. Not reentrant.
/// A wait whose token is cancelled before the lock is handed to it leaves the queue and ends in a
/// <see cref="TaskCanceledException"/>, as <see cref="SemaphoreSlim.WaitAsync(CancellationToken)"/> does; a waiter's
/// continuation never runs inside <see cref="Release"/>.
/// </remarks>
internal struct AsyncLock
{
    // What _state holds while the lock is held and no one has had to wait for it.
    private static readonly object Held = new();

    // null: free. Held: held. A WaiterQueue: held, and the queue waiters join; it is made when the first waiter comes and
    // dropped by the release that finds it empty, so a lock that is rarely contended keeps none.
    private object? _state;

    /// <summary>Takes the lock, at once when it is free.</summary>
    /// <param name="cancellationToken">Gives up the wait; the lock is then not taken.</param>
    public ValueTask WaitAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        return Interlocked.CompareExchange(ref _state, Held, null) is null ? ValueTask.CompletedTask : WaitContended(cancellationToken);
    }

    /// <summary>Releases the lock, handing it to the first waiter if there is one.</summary>
    /// <exception cref="SynchronizationLockException">The lock is not held.</exception>
    public void Release()
    {
        if (Interlocked.CompareExchange(ref _state, null, Held) != Held) ReleaseContended();
    }

    private ValueTask WaitContended(CancellationToken cancellationToken)
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state is null)
            {
                if (Interlocked.CompareExchange(ref _state, Held, null) is null) return ValueTask.CompletedTask;
            }
            else if (state is WaiterQueue queue)
            {
                lock (queue)
                {
                    // A release drops an empty queue under its lock: only one still in place may be joined.
                    if (Volatile.Read(ref _state) == queue) return queue.Enqueue(cancellationToken);
                }
            }
            else
            {
                Interlocked.CompareExchange(ref _state, new WaiterQueue(), Held);
            }
        }
    }

    private void ReleaseContended()
    {
        // Only the holder moves the lock off a queue, so the queue read here is the one the fast path saw.
        var queue = Volatile.Read(ref _state) as WaiterQueue ?? throw new SynchronizationLockException("The lock is not held.");
        Waiter? next;
        lock (queue)
        {
            next = queue.Dequeue();
            if (next is null) Volatile.Write(ref _state, null);
        }
        next?.Grant();
    }

    /// <summary>The waiters, first come first; it is also the lock that guards them and their place in it.</summary>
    private sealed class WaiterQueue
    {
        private Waiter? _first;
        private Waiter? _last;

        /// <summary>Adds a waiter at the end; under the queue's lock.</summary>
        public ValueTask Enqueue(CancellationToken cancellationToken)
        {
            var waiter = new Waiter(this) { Previous = _last };
            if (_last is null) _first = waiter;
            else _last.Next = waiter;
            _last = waiter;
            waiter.Queued = true;
            // Registered while queued and under the lock, so a release that dequeues the waiter sees its registration;
            // a token cancelled meanwhile runs the callback here, which takes the waiter out again.
            if (cancellationToken.CanBeCanceled)
                waiter.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), waiter);
            return new ValueTask(waiter, waiter.Version);
        }

        /// <summary>Takes the first waiter out, or null when none waits; under the queue's lock.</summary>
        public Waiter? Dequeue()
        {
            var first = _first;
            if (first is not null) Remove(first);
            return first;
        }

        /// <summary>Takes <paramref name="waiter"/> out if it is still queued; under the queue's lock.</summary>
        public bool Remove(Waiter waiter)
        {
            if (!waiter.Queued) return false;
            waiter.Queued = false;
            if (waiter.Previous is null) _first = waiter.Next;
            else waiter.Previous.Next = waiter.Next;
            if (waiter.Next is null) _last = waiter.Previous;
            else waiter.Next.Previous = waiter.Previous;
            waiter.Previous = waiter.Next = null;
            return true;
        }
    }

    /// <summary>One wait for the lock. Whoever takes it out of the queue, a release or its token, completes it.</summary>
    private sealed class Waiter : IValueTaskSource
    {
        private readonly WaiterQueue _queue;
        private ManualResetValueTaskSourceCore<bool> _core;

        public Waiter(WaiterQueue queue)
        {
            _queue = queue;
            // The next holder's code must not run on the thread that releases, which may be holding up other work.
            _core.RunContinuationsAsynchronously = true;
        }

        // Under the queue's lock.
        public Waiter? Previous { get; set; }
        public Waiter? Next { get; set; }
        public bool Queued { get; set; }
        public CancellationTokenRegistration Registration { get; set; }

        public short Version => _core.Version;

        /// <summary>Hands the lock over; the waiter is out of the queue.</summary>
        public void Grant()
        {
            // Not Dispose, which would wait for a cancellation callback in flight; that callback finds the waiter gone.
            Registration.Unregister();
            _core.SetResult(true);
        }

        public void Cancel(CancellationToken cancellationToken)
        {
            lock (_queue)
            {
                if (!_queue.Remove(this)) return; // handed the lock already
            }
            _core.SetException(new TaskCanceledException(null, null, cancellationToken));
        }

        void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

        void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
