namespace Switchboard.Server;

/// <summary>The checks option setters share.</summary>
internal static class OptionGuard
{
    /// <summary>Returns <paramref name="value"/>, or throws when it is zero or negative.</summary>
    public static TimeSpan Positive(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero, nameof(value));
        return value;
    }

    /// <summary>Returns <paramref name="value"/>, or throws when it is zero or negative.</summary>
    public static long Positive(long value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, 0, nameof(value));
        return value;
    }

    /// <summary>Returns <paramref name="value"/>, or throws when it is zero or negative.</summary>
    public static int Positive(int value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, 0, nameof(value));
        return value;
    }
}
