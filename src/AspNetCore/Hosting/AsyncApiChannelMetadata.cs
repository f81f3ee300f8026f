using Switchboard.Server;

namespace Switchboard.AspNetCore.Hosting;

/// <summary>
/// Marks the route <c>MapSwitchboard</c> maps a typed endpoint's WebSocket upgrades at, so that the AsyncAPI route finds
/// each endpoint's route templates among the app's endpoints, group prefixes included (one mark per mapping).
/// </summary>
internal sealed class AsyncApiChannelMetadata(MessageEndpoint endpoint)
{
    public MessageEndpoint Endpoint { get; } = endpoint;
}
