namespace Switchboard.Tests.Protocol;

/// <summary>A clock that moves only when told: timestamps are ticks.</summary>
internal sealed class ManualTime : TimeProvider
{
    private long _ticks = TimeSpan.FromDays(1).Ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public override DateTimeOffset GetUtcNow() => new(_ticks, TimeSpan.Zero);

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}
