using System.Net.Security;
using Switchboard.Connections;
using Switchboard.Protocol.Compression;
using Switchboard.Protocol.Handshake;

namespace Switchboard.Client;

/// <summary>How a client opens a WebSocket connection.</summary>
public sealed class WebSocketClientOptions
{
    /// <summary>Subprotocols to offer, in order of preference.</summary>
    public IReadOnlyList<string> Subprotocols { get; init; } = [];

    /// <summary>An Origin header to send, as a browser would; none by default.</summary>
    public string? Origin { get; init; }

    /// <summary>
    /// More request fields for every request of the connection, over either transport: the WebSocket upgrade and each
    /// long-polling request. For credentials a server's authentication hook reads, such as <c>Authorization</c> or
    /// <c>Cookie</c>. Fields the handshake writes itself (<see cref="ClientHandshake.IsReservedField"/>) are refused
    /// when connecting. None by default.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Time allowed for TCP connect, TLS and the opening handshake together. Default 10 seconds.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Decides whether a wss:// server certificate is accepted; null uses the platform's validation (the
    /// certificate must chain to a trusted root and match the host).
    /// </summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidation { get; init; }

    /// <summary>
    /// The permessage-deflate offer (RFC 7692). Default <see cref="DeflateOptions.Disabled"/>: compression costs CPU on
    /// both ends, so a client opts in, typically with <see cref="DeflateOptions.Default"/>. docs/protocol.md has the
    /// negotiation and its limits.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public DeflateOptions Deflate
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    } = DeflateOptions.Disabled;

    /// <summary>Limits and timers of the open session.</summary>
    public WebSocketSessionOptions Session { get; init; } = WebSocketSessionOptions.Default;
}
