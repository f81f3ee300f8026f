using System.Net;
using System.Security.Claims;
using Switchboard.Connections;
using Switchboard.Server.Diagnostics;
using Switchboard.Server.Engines;

namespace Switchboard.Server.Messaging;

/// <summary>
/// A connection of another node that ended without that node saying so (<see cref="IEngineNode.ConnectionsLostAsync"/>),
/// as the disconnected hook sees it here: its id and user, and nowhere to send.
/// </summary>
internal sealed class LostChannel(ConnectionPresence connection) : IMessageChannel
{
    private Dictionary<string, object?>? _items;

    public long Id => connection.ConnectionId;

    public IReadOnlyDictionary<string, string> RouteValues { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public string? User => connection.User;

    public ClaimsPrincipal? Principal => null;

    public EndPoint? RemoteEndPoint => null;

    // Never read: the channel is in no registry, so no send is counted against it.
    public ServerMetrics Metrics => null!;

    public ServerTransport Transport => ServerTransport.WebSocket;

    public IDictionary<string, object?> Items => _items ??= new(StringComparer.Ordinal);

    public ValueTask SendAsync(EncodedMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask CloseAsync(CloseCode code, string? reason) => ValueTask.CompletedTask;
}
