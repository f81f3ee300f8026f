namespace Switchboard.Server;

/// <summary>
/// Application code bound to an HTTP route with <see cref="WebSocketServer.MapGet"/>, <see cref="WebSocketServer.MapPost"/>
/// or <see cref="WebSocketServer.MapMethod"/>. It reads <paramref name="request"/>, whose body has been received in full,
/// and fills <paramref name="response"/>, which the server sends once the returned task completes.
/// </summary>
/// <remarks>
/// One delegate serves every request of its route, concurrently across connections, so it must be thread-safe.
/// An exception is logged and answered with 500. A handler that waits (a long poll, say) should honour
/// <see cref="ServerRequest.Aborted"/>, which fires when the server stops.
/// </remarks>
/// <param name="request">The request: head, route values and body.</param>
/// <param name="response">The response to fill: status, fields and body.</param>
/// <returns>A task that completes when the response is ready to send.</returns>
public delegate ValueTask HttpHandler(ServerRequest request, ServerResponse response);
