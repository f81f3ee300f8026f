using Switchboard.Client;
using Xunit;

namespace Switchboard.Tests.Client;

/// <summary>
/// The reconnect delay as a pure function of the attempt, the options and the random sample: exponential growth from
/// ReconnectInitialDelay, the ReconnectMaxDelay cap, and full jitter (a uniform time between zero and the ceiling).
/// </summary>
public sealed class ReconnectBackoffTests
{
    private static readonly SwitchboardClientOptions Options = new()
    {
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(100),
        ReconnectMaxDelay = TimeSpan.FromSeconds(5),
    };

    private static TimeSpan Delay(int attempt, double random, SwitchboardClientOptions? options = null)
        => SwitchboardClient.BackoffDelay(attempt, options ?? Options, random);

    [Theory]
    [InlineData(0, 100)]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(3, 800)]
    [InlineData(4, 1600)]
    [InlineData(5, 3200)]
    public void Ceiling_doubles_per_attempt(int attempt, int ceilingMs)
    {
        // random = 1 is the top of the range: the ceiling itself.
        Assert.Equal(TimeSpan.FromMilliseconds(ceilingMs), Delay(attempt, 1.0));
    }

    [Theory]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(30)]
    [InlineData(31)]
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    public void Ceiling_stops_at_the_cap(int attempt)
    {
        Assert.Equal(TimeSpan.FromSeconds(5), Delay(attempt, 1.0));
        Assert.Equal(TimeSpan.FromSeconds(2.5), Delay(attempt, 0.5));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(100)]
    public void Full_jitter_spans_zero_to_the_ceiling(int attempt)
    {
        var ceiling = Delay(attempt, 1.0);
        Assert.Equal(TimeSpan.Zero, Delay(attempt, 0.0));
        Assert.Equal(ceiling / 4, Delay(attempt, 0.25));
        Assert.Equal(ceiling / 2, Delay(attempt, 0.5));
        Assert.True(Delay(attempt, Math.BitDecrement(1.0)) < ceiling);
    }

    [Fact]
    public void Delay_is_linear_in_the_random_sample_and_never_leaves_the_range()
    {
        for (var attempt = 0; attempt < 40; attempt++)
        {
            var ceiling = Delay(attempt, 1.0);
            var previous = TimeSpan.MinValue;
            for (var i = 0; i <= 100; i++)
            {
                var delay = Delay(attempt, i / 100.0);
                Assert.InRange(delay, TimeSpan.Zero, ceiling);
                Assert.True(delay >= previous, $"attempt {attempt}: not monotonic at {i}");
                previous = delay;
            }
        }
    }

    [Fact]
    public void Samples_outside_zero_to_one_are_clamped()
    {
        Assert.Equal(TimeSpan.Zero, Delay(2, -0.5));
        Assert.Equal(TimeSpan.FromMilliseconds(400), Delay(2, 7.0));
    }

    [Fact]
    public void Cap_below_the_initial_delay_wins_from_the_first_attempt()
    {
        var options = new SwitchboardClientOptions { ReconnectInitialDelay = TimeSpan.FromSeconds(10), ReconnectMaxDelay = TimeSpan.FromSeconds(1) };
        Assert.Equal(TimeSpan.FromSeconds(1), Delay(0, 1.0, options));
        Assert.Equal(TimeSpan.FromSeconds(1), Delay(9, 1.0, options));
    }

    [Fact]
    public void Zero_delays_retry_at_once()
    {
        var options = new SwitchboardClientOptions { ReconnectInitialDelay = TimeSpan.Zero };
        Assert.Equal(TimeSpan.Zero, Delay(0, 0.9, options));
        Assert.Equal(TimeSpan.Zero, Delay(50, 0.9, options));
        Assert.Equal(TimeSpan.Zero, Delay(3, 0.9, new SwitchboardClientOptions { ReconnectMaxDelay = TimeSpan.Zero }));
    }

    [Fact]
    public void Defaults_are_500_ms_doubling_to_30_s()
    {
        var defaults = new SwitchboardClientOptions();
        Assert.Equal(TimeSpan.FromMilliseconds(500), Delay(0, 1.0, defaults));
        Assert.Equal(TimeSpan.FromMilliseconds(16_000), Delay(5, 1.0, defaults));
        Assert.Equal(TimeSpan.FromSeconds(30), Delay(6, 1.0, defaults));
    }

    [Fact]
    public void After_1013_the_default_first_retry_waits_5_to_10_seconds()
    {
        var defaults = new SwitchboardClientOptions();
        Assert.Equal(TimeSpan.FromSeconds(5), SwitchboardClient.BackoffDelay(0, defaults, 0.0, CloseCode.TryAgainLater));
        Assert.Equal(TimeSpan.FromSeconds(7.5), SwitchboardClient.BackoffDelay(0, defaults, 0.5, CloseCode.TryAgainLater));
        Assert.Equal(TimeSpan.FromSeconds(10), SwitchboardClient.BackoffDelay(0, defaults, 1.0, CloseCode.TryAgainLater));
        // Later attempts still wait the floor, with jitter doubling from it up to the cap.
        Assert.Equal(TimeSpan.FromSeconds(15), SwitchboardClient.BackoffDelay(1, defaults, 1.0, CloseCode.TryAgainLater));
        Assert.Equal(TimeSpan.FromSeconds(35), SwitchboardClient.BackoffDelay(9, defaults, 1.0, CloseCode.TryAgainLater));
        Assert.Equal(TimeSpan.FromSeconds(5), SwitchboardClient.BackoffDelay(9, defaults, 0.0, CloseCode.TryAgainLater));
    }

    [Fact]
    public void Only_1013_waits_the_try_again_later_delay()
    {
        var defaults = new SwitchboardClientOptions();
        foreach (CloseCode? status in new CloseCode?[] { null, CloseCode.GoingAway, CloseCode.InternalError, CloseCode.ServiceRestart })
            Assert.Equal(TimeSpan.Zero, SwitchboardClient.BackoffDelay(0, defaults, 0.0, status));
        Assert.True(SwitchboardClientOptions.DefaultShouldReconnect(CloseCode.TryAgainLater));
        Assert.False(SwitchboardClientOptions.DefaultShouldReconnect(CloseCode.PolicyViolation));
    }
}
