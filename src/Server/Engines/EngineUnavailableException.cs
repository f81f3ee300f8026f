namespace Switchboard.Server.Engines;

/// <summary>The engine's store cannot be reached: the operation did not happen (a send reached no one).</summary>
public sealed class EngineUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EngineUnavailableException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public EngineUnavailableException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the failure that caused it.</summary>
    public EngineUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
