namespace Switchboard.Server.Engines;

/// <summary>How much history a group keeps: at most <see cref="MaxLength"/> messages, none older than <see cref="MaxAge"/>.</summary>
public sealed record GroupHistory
{
    /// <summary>The most messages kept; older ones are dropped as new ones come. 1,000 by default.</summary>
    public int MaxLength { get; init; } = 1000;

    /// <summary>How long a message is kept. 24 hours by default.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(24);
}
