using Switchboard.Protocol;

namespace Switchboard.Client;

/// <summary>A change of <see cref="SwitchboardClient.State"/>.</summary>
public sealed class ConnectionStateChangedEventArgs(ConnectionState previous, ConnectionState current, CloseCode? closeStatus, Exception? error) : EventArgs
{
    /// <summary>The state before the change.</summary>
    public ConnectionState Previous { get; } = previous;

    /// <summary>The state after the change.</summary>
    public ConnectionState Current { get; } = current;

    /// <summary>When a connection ended: the close code the server sent, or null if it ended without one.</summary>
    public CloseCode? CloseStatus { get; } = closeStatus;

    /// <summary>When a connection attempt failed: why.</summary>
    public Exception? Error { get; } = error;
}
