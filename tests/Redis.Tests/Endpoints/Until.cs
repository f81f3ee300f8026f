using Switchboard.Testing;
using Xunit;

namespace Switchboard.Redis.Tests.Endpoints;

/// <summary>Bounded waits for conditions that only an asynchronous question answers (presence asked of an endpoint).</summary>
internal static class Until
{
    /// <summary>Asks every 20 ms until the answer is true; the wait ends as soon as it is.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var deadline = Environment.TickCount64 + (long)(within ?? Eventually.DefaultBound).TotalMilliseconds;
        while (!await condition() && Environment.TickCount64 < deadline) await Task.Delay(20);
        Assert.True(await condition(), $"not reached in time: {what}");
    }
}
