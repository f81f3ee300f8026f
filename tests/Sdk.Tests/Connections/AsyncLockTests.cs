using Switchboard.Connections;
using Xunit;

namespace Switchboard.Tests.Connections;

/// <summary>The write lock of a session: free of allocation uncontended, first come first served, cancellable waits.</summary>
public sealed class AsyncLockTests
{
    // Only guards against a hang; no test depends on how long anything takes.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    // In a field, as its owners keep it: the lock must be used in place.
    private AsyncLock _lock;

    [Fact]
    public void Taking_and_releasing_a_free_lock_allocates_nothing()
    {
        Assert.True(TakesAtOnce());
        _lock.Release();

        var takenAtOnce = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            if (TakesAtOnce()) takenAtOnce++;
            _lock.Release();
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1000, takenAtOnce);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task A_waiter_gets_the_lock_when_the_holder_releases_it()
    {
        await _lock.WaitAsync();
        var waiting = _lock.WaitAsync().AsTask();
        Assert.False(waiting.IsCompleted);

        _lock.Release();
        await waiting.WaitAsync(Bound);

        // The release handed the lock over: it is held again.
        Assert.False(TakesAtOnce());
    }

    [Fact]
    public async Task Waiters_get_the_lock_in_the_order_they_came()
    {
        var order = new List<int>();
        await _lock.WaitAsync();
        var waiters = Enumerable.Range(0, 8).Select(TakeAndNoteAsync).ToArray();
        Assert.All(waiters, waiter => Assert.False(waiter.IsCompleted));

        _lock.Release();
        await Task.WhenAll(waiters).WaitAsync(Bound);

        Assert.Equal(Enumerable.Range(0, 8), order);

        async Task TakeAndNoteAsync(int number)
        {
            await _lock.WaitAsync();
            order.Add(number);
            _lock.Release();
        }
    }

    [Fact]
    public async Task A_newcomer_does_not_overtake_a_waiter()
    {
        await _lock.WaitAsync();
        var first = _lock.WaitAsync().AsTask();
        _lock.Release();

        // Whether or not the first waiter has run yet, the lock is its own now.
        var newcomer = _lock.WaitAsync().AsTask();
        Assert.False(newcomer.IsCompleted);
        await first.WaitAsync(Bound);
        Assert.False(newcomer.IsCompleted);

        _lock.Release();
        await newcomer.WaitAsync(Bound);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_the_next_one_gets_the_lock()
    {
        using var cancellation = new CancellationTokenSource();
        await _lock.WaitAsync();
        var cancelled = _lock.WaitAsync(cancellation.Token).AsTask();
        var next = _lock.WaitAsync().AsTask();

        await cancellation.CancelAsync();
        var exception = await Assert.ThrowsAsync<TaskCanceledException>(() => cancelled.WaitAsync(Bound));
        Assert.Equal(cancellation.Token, exception.CancellationToken);
        Assert.False(next.IsCompleted);

        _lock.Release();
        await next.WaitAsync(Bound);
        Assert.False(cancelled.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_lock_whose_only_waiter_was_cancelled_is_free_after_the_release()
    {
        using var cancellation = new CancellationTokenSource();
        await _lock.WaitAsync();
        var cancelled = _lock.WaitAsync(cancellation.Token).AsTask();
        await cancellation.CancelAsync();
        await Assert.ThrowsAsync<TaskCanceledException>(() => cancelled.WaitAsync(Bound));

        _lock.Release();

        Assert.True(TakesAtOnce());
    }

    [Fact]
    public async Task A_cancellation_after_the_handover_does_not_take_the_lock_back()
    {
        using var cancellation = new CancellationTokenSource();
        await _lock.WaitAsync();
        var waiting = _lock.WaitAsync(cancellation.Token).AsTask();

        _lock.Release();
        await cancellation.CancelAsync();

        await waiting.WaitAsync(Bound);
        Assert.False(TakesAtOnce());
    }

    [Fact]
    public async Task A_token_cancelled_before_the_wait_fails_it_even_when_the_lock_is_free()
    {
        var wait = _lock.WaitAsync(new CancellationToken(canceled: true)).AsTask();

        Assert.True(wait.IsCanceled);
        await Assert.ThrowsAsync<TaskCanceledException>(() => wait);
        Assert.True(TakesAtOnce());
    }

    [Fact]
    public void Releasing_a_lock_that_is_not_held_throws()
    {
        Assert.Throws<SynchronizationLockException>(() => _lock.Release());
    }

    [Fact]
    public async Task Tasks_on_many_threads_never_hold_the_lock_together()
    {
        const int Workers = 4;
        const int Rounds = 2000;
        var inside = 0;
        var overlaps = 0;
        var count = 0;

        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < Rounds; i++)
            {
                await _lock.WaitAsync();
                if (Interlocked.Exchange(ref inside, 1) != 0) Interlocked.Increment(ref overlaps);
                count++;
                if (i % 8 == 0) await Task.Yield();
                Volatile.Write(ref inside, 0);
                _lock.Release();
            }
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(Bound * 3);

        Assert.Equal(0, overlaps);
        Assert.Equal(Workers * Rounds, count);
        Assert.True(TakesAtOnce());
    }

    [Fact]
    public async Task Waiters_cancelled_while_others_come_and_go_leave_the_lock_consistent()
    {
        using var cancellation = new CancellationTokenSource();
        await _lock.WaitAsync();
        var cancelled = Enumerable.Range(0, 16).Select(_ => _lock.WaitAsync(cancellation.Token).AsTask()).ToArray();
        var kept = Enumerable.Range(0, 16).Select(_ => TakeAndReleaseAsync()).ToArray();

        var cancelling = Task.Run(cancellation.CancelAsync);
        _lock.Release();
        foreach (var wait in cancelled)
        {
            // Each either got the lock before the cancellation, and holds it until given back here, or was cancelled.
            try
            {
                await wait.WaitAsync(Bound);
                _lock.Release();
            }
            catch (TaskCanceledException)
            {
            }
        }
        await cancelling.WaitAsync(Bound);
        await Task.WhenAll(kept).WaitAsync(Bound);

        Assert.True(TakesAtOnce());

        async Task TakeAndReleaseAsync()
        {
            await _lock.WaitAsync();
            _lock.Release();
        }
    }

    /// <summary>Starts a wait; true when it took the lock at once. One that did not is left to take it when its turn comes.</summary>
    private bool TakesAtOnce()
    {
#pragma warning disable CA2012 // Looked at once: a wait that completed at once holds nothing to consume, one that did not is handed on as a task.
        var wait = _lock.WaitAsync();
        if (wait.IsCompletedSuccessfully) return true;
        _ = wait.AsTask();
#pragma warning restore CA2012
        return false;
    }
}
