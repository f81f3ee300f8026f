namespace Switchboard.Fuzz;

/// <summary>One fuzz target: feeds bytes to a parser and returns normally on anything but a bug.</summary>
/// <param name="input">The input.</param>
/// <returns>What the parser made of it.</returns>
public delegate FuzzOutcome FuzzCheck(ReadOnlySpan<byte> input);

/// <summary>
/// The targets by name. The AFL harness, the replay mode and the regression tests in tests/Sdk.Tests all run inputs
/// through <see cref="Run"/>, so a file judged a crash by one is judged a crash by all.
/// </summary>
public static class FuzzTargets
{
    /// <summary>
    /// Inputs are cut to this many bytes: above every head cap (8 KiB), and small enough that a run stays fast.
    /// </summary>
    public const int MaxInputLength = 16 * 1024;

    /// <summary>Every target name, in the order the fuzz script runs them.</summary>
    public static IReadOnlyList<string> Names { get; } = [FrameTarget.Name, HandshakeTarget.Name, EnvelopeTarget.Name];

    /// <summary>Looks a target up by name.</summary>
    /// <param name="name">frames, handshake or envelope.</param>
    /// <param name="check">The target.</param>
    /// <returns>True when the name is known.</returns>
    public static bool TryGet(string name, out FuzzCheck check)
    {
        check = name switch
        {
            FrameTarget.Name => FrameTarget.Run,
            HandshakeTarget.Name => HandshakeTarget.Run,
            EnvelopeTarget.Name => EnvelopeTarget.Run,
            _ => null!,
        };
        return check is not null;
    }

    /// <summary>
    /// Runs one input through a target. Returns normally when the parser accepted the input or refused it with one of
    /// its typed errors; anything else (an unexpected exception, a broken invariant) propagates.
    /// </summary>
    /// <param name="name">The target.</param>
    /// <param name="input">The input; only its first <see cref="MaxInputLength"/> bytes are used.</param>
    /// <returns>What the target made of the input.</returns>
    /// <exception cref="ArgumentException">The target is unknown.</exception>
    public static FuzzOutcome Run(string name, ReadOnlySpan<byte> input)
    {
        if (!TryGet(name, out FuzzCheck check))
        {
            throw new ArgumentException($"Unknown fuzz target '{name}'; expected one of {string.Join(", ", Names)}.", nameof(name));
        }

        return check(input[..Math.Min(input.Length, MaxInputLength)]);
    }
}
