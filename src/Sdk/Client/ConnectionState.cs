namespace Switchboard.Client;

/// <summary>The life of a <see cref="SwitchboardClient"/>'s connection.</summary>
public enum ConnectionState
{
    /// <summary>Not connected yet: <see cref="SwitchboardClient.ConnectAsync"/> has not been called.</summary>
    Disconnected,

    /// <summary>The first connection attempt is under way.</summary>
    Connecting,

    /// <summary>Connected; messages flow.</summary>
    Connected,

    /// <summary>The connection was lost; the client is waiting to retry or retrying.</summary>
    Reconnecting,

    /// <summary>Closed for good: by the application, by a server close that forbids retrying, or after the last retry.</summary>
    Closed,
}
