using Switchboard.Connections;
using Switchboard.Server.Diagnostics;

namespace Switchboard.Server.Messaging;

/// <summary>
/// One connection of a typed endpoint as the endpoint sees it, whatever carries it: a WebSocket connection or a
/// long-polling session. This is what keeps handlers transport-blind.
/// </summary>
internal interface IMessageChannel
{
    /// <summary>A number unique among the server's connections.</summary>
    long Id { get; }

    /// <summary>Values captured by the endpoint's route template.</summary>
    IReadOnlyDictionary<string, string> RouteValues { get; }

    /// <summary>The user authenticated when the connection opened, or null.</summary>
    string? User { get; }

    /// <summary>The claims authenticated with <see cref="User"/>, or null.</summary>
    System.Security.Claims.ClaimsPrincipal? Principal { get; }

    /// <summary>The client's address, where the transport knows it; limit hits are reported against it.</summary>
    System.Net.EndPoint? RemoteEndPoint { get; }

    /// <summary>The instruments of the server the connection came to.</summary>
    ServerMetrics Metrics { get; }

    /// <summary>What carries the connection.</summary>
    ServerTransport Transport { get; }

    /// <summary>Per-connection storage for the application.</summary>
    IDictionary<string, object?> Items { get; }

    /// <summary>Queues one envelope for the peer; completes once it is queued (never waits for a slow peer).</summary>
    ValueTask SendAsync(EncodedMessage message, CancellationToken cancellationToken);

    /// <summary>Ends the connection with <paramref name="code"/>; what was sent before goes out first.</summary>
    ValueTask CloseAsync(CloseCode code, string? reason);
}
