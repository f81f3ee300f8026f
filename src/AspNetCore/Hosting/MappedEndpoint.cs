using Switchboard.Server;
using Switchboard.Server.Endpoints;
using Switchboard.Server.WebSockets;

namespace Switchboard.AspNetCore.Hosting;

/// <summary>
/// One <c>MapSwitchboard</c> call, ready to serve: the handler its WebSocket connections go to, the endpoint's gate,
/// the route pattern (the <c>http.route</c> of its measurements), and, for a typed endpoint with long polling, the
/// endpoint itself. Immutable.
/// </summary>
internal sealed record MappedEndpoint(string Route, WebSocketHandler Handler, EndpointGate Gate, MessageEndpoint? LongPolling);
