namespace Switchboard.Fuzz;

/// <summary>
/// A parser broke one of its own promises on some input: it answered differently depending on how the bytes were cut,
/// made no progress, or reported something its contract rules out. Thrown by the targets so that AFL records the input
/// as a crash, exactly like an unexpected runtime exception.
/// </summary>
public sealed class FuzzInvariantException : Exception
{
    /// <summary>Creates a failure with a default message.</summary>
    public FuzzInvariantException()
        : base("A fuzz target's invariant does not hold.")
    {
    }

    /// <summary>Creates a failure.</summary>
    /// <param name="message">Which promise was broken.</param>
    public FuzzInvariantException(string message)
        : base(message)
    {
    }

    /// <summary>Creates a failure.</summary>
    /// <param name="message">Which promise was broken.</param>
    /// <param name="innerException">The underlying exception.</param>
    public FuzzInvariantException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Throws when <paramref name="condition"/> is false.</summary>
    /// <param name="condition">The invariant.</param>
    /// <param name="message">What it says, for the crash report.</param>
    public static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(message);
        }
    }
}
