namespace Switchboard.Client;

/// <summary>A change of <see cref="SwitchboardClient.State"/>.</summary>
public sealed class ConnectionStateChangedEventArgs(ConnectionState previous, ConnectionState current, CloseCode? closeStatus, Exception? error,
    SwitchboardTransport? transport) : EventArgs
{
    /// <summary>Creates the event arguments with no transport.</summary>
    public ConnectionStateChangedEventArgs(ConnectionState previous, ConnectionState current, CloseCode? closeStatus, Exception? error)
        : this(previous, current, closeStatus, error, null)
    {
    }

    /// <summary>The state before the change.</summary>
    public ConnectionState Previous { get; } = previous;

    /// <summary>The state after the change.</summary>
    public ConnectionState Current { get; } = current;

    /// <summary>When a connection ended: the close code the server sent, or null if it ended without one.</summary>
    public CloseCode? CloseStatus { get; } = closeStatus;

    /// <summary>When a connection ended with a close code: the reason the server gave with it, or null.</summary>
    public string? CloseReason { get; init; }

    /// <summary>
    /// When a connection attempt failed, or the client closed because the server refused it: why, usually a
    /// <see cref="SwitchboardConnectionException"/> (with <see cref="SwitchboardConnectionErrorKind.Refused"/> and the
    /// server's status or close code and reason for a refusal, which is never retried).
    /// </summary>
    public Exception? Error { get; } = error;

    /// <summary>
    /// The transport of the client's connection (<see cref="SwitchboardClient.Transport"/>): the one now in use when
    /// <see cref="Current"/> is <see cref="ConnectionState.Connected"/>, the one that was lost or closed otherwise; null
    /// before a connection has been made.
    /// </summary>
    public SwitchboardTransport? Transport { get; } = transport;
}
