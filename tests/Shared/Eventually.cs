using Xunit;

namespace Switchboard.Testing;

/// <summary>
/// Bounded waits for conditions that other threads make true. Every wait fails the test with a message naming what
/// never happened once its bound passes; none of them is a pause of a fixed length.
/// </summary>
internal static class Eventually
{
    /// <summary>The bound a wait gets when its caller names none: far above any healthy run, so reaching it means a fault.</summary>
    public static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(20);

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? within = null) => TrueAsync(condition, () => what, within);

    /// <summary>
    /// For state that has no hook to signal a change (a server's counters, a socket's state): checks it every 20 ms
    /// until it holds. The 20 ms is the checking interval, not a wait: the wait ends as soon as the condition holds.
    /// </summary>
    public static async Task TrueAsync(Func<bool> condition, Func<string> what, TimeSpan? within = null)
    {
        var deadline = Environment.TickCount64 + (long)(within ?? DefaultBound).TotalMilliseconds;
        while (!condition() && Environment.TickCount64 < deadline) await Task.Delay(20);
        Assert.True(condition(), $"not reached in time: {what()}");
    }

    /// <summary>
    /// For state only an asynchronous question answers (presence asked of an endpoint, a claim tried again): asks every
    /// 20 ms until the answer is true; the wait ends as soon as it is.
    /// </summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var deadline = Environment.TickCount64 + (long)(within ?? DefaultBound).TotalMilliseconds;
        while (!await condition() && Environment.TickCount64 < deadline) await Task.Delay(20);
        Assert.True(await condition(), $"not reached in time: {what}");
    }
}

/// <summary>
/// A change that the code which makes it announces with <see cref="Pulse"/>, for waits that end on that announcement
/// instead of on a poll: a log line recorded, a line printed, a message received.
/// </summary>
internal sealed class Changes
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes every waiter to check its condition again; call it after each change.</summary>
    public void Pulse() => Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public Task UntilAsync(Func<bool> condition, string what, TimeSpan? within = null) => UntilAsync(condition, () => what, within);

    /// <summary>Returns once <paramref name="condition"/> holds, checked at each pulse; fails the test when it does not within the bound.</summary>
    public async Task UntilAsync(Func<bool> condition, Func<string> what, TimeSpan? within = null)
    {
        using var bound = new CancellationTokenSource(within ?? Eventually.DefaultBound);
        while (true)
        {
            // Taken before the check, so a change made between the check and the await still wakes this wait.
            var next = Volatile.Read(ref _next).Task;
            if (condition()) return;
            try
            {
                await next.WaitAsync(bound.Token);
            }
            catch (OperationCanceledException) when (bound.IsCancellationRequested)
            {
                Assert.True(condition(), $"not reached in time: {what()}");
                return;
            }
        }
    }
}
