using Switchboard.Connections;
using Switchboard.Protocol.Framing;

namespace Switchboard.Server.Hosting;

/// <summary>
/// The protocol limits and timeouts a <see cref="SessionHost"/> runs its connections with: the part of
/// <see cref="WebSocketServerOptions"/> that every host has, whoever owns the sockets.
/// </summary>
internal sealed class SessionHostSettings
{
    /// <inheritdoc cref="WebSocketServerOptions.Frames"/>
    public FrameReaderOptions Frames { get; init; } = new();

    /// <inheritdoc cref="WebSocketServerOptions.CloseTimeout"/>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <inheritdoc cref="WebSocketServerOptions.KeepAliveInterval"/>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc cref="WebSocketServerOptions.KeepAliveTimeout"/>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc cref="WebSocketServerOptions.SendQueueLimit"/>
    public long SendQueueLimit { get; init; } = SocketTransport.DefaultSendQueueLimit;

    /// <inheritdoc cref="WebSocketServerOptions.LongPolling"/>
    public LongPollingOptions LongPolling { get; init; } = new();

    /// <summary>Whether connections come over TLS, which decides the scheme of the server's own origin.</summary>
    public bool Secure { get; init; }

    /// <inheritdoc cref="WebSocketServerOptions.ConnectionLimitRetryAfter"/>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(5);
}
