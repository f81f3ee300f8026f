using System.Net.Security;
using Switchboard.Connections;

namespace Switchboard.Client;

/// <summary>How a client opens a WebSocket connection.</summary>
public sealed class WebSocketClientOptions
{
    /// <summary>Subprotocols to offer, in order of preference.</summary>
    public IReadOnlyList<string> Subprotocols { get; init; } = [];

    /// <summary>An Origin header to send, as a browser would; none by default.</summary>
    public string? Origin { get; init; }

    /// <summary>Time allowed for TCP connect, TLS and the opening handshake together. Default 10 seconds.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Decides whether a wss:// server certificate is accepted; null uses the platform's validation (the
    /// certificate must chain to a trusted root and match the host).
    /// </summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidation { get; init; }

    /// <summary>Limits and timers of the open session.</summary>
    public WebSocketSessionOptions Session { get; init; } = WebSocketSessionOptions.Default;
}
