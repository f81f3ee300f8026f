using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.AspNetCore.Hosting;
using Switchboard.Server;
using Switchboard.Server.WebSockets;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Switchboard endpoints on an ASP.NET Core app's routes.</summary>
public static class SwitchboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the typed <paramref name="endpoint"/> at <paramref name="pattern"/>: WebSocket upgrades (GET, and CONNECT
    /// over HTTP/2) and, unless
    /// <c>SwitchboardOptions.LongPolling.Enabled</c> is false, long polling (GET, POST, DELETE) on the same path, as the
    /// standalone server does. Route values reach <see cref="WebSocketConnection.RouteValues"/> and the message context
    /// as strings. Conventions on the returned builder (authorization, CORS, rate limiting, metadata) apply to every
    /// route this maps.
    /// </summary>
    /// <param name="endpoints">The app's routes.</param>
    /// <param name="pattern">An ASP.NET Core route pattern, such as <c>/ws/{username}</c>.</param>
    /// <param name="endpoint">The endpoint that dispatches the connections' messages.</param>
    /// <param name="options">Who may connect (origin rule, authentication hook) and how fast they may send; null for the defaults.</param>
    /// <returns>The builder of the mapped routes' conventions.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/>, <paramref name="pattern"/> or <paramref name="endpoint"/> is null.</exception>
    /// <exception cref="ArgumentException">An entry of <see cref="EndpointOptions.AllowedOrigins"/> is not an origin, <c>null</c> or <c>*</c>.</exception>
    /// <exception cref="InvalidOperationException"><c>services.AddSwitchboard()</c> was not called, or the endpoint is mapped already with other rate limits.</exception>
    public static SwitchboardEndpointConventionBuilder MapSwitchboard(this IEndpointRouteBuilder endpoints, string pattern, MessageEndpoint endpoint,
        EndpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(endpoint);
        var host = HostOf(endpoints);
        var mapped = host.Map(pattern, endpoint, options ?? new EndpointOptions());
        var builders = new List<IEndpointConventionBuilder> { MapGet(endpoints, pattern, host, mapped).WithMetadata(new AsyncApiChannelMetadata(endpoint)) };
        if (mapped.LongPolling is not null)
        {
            builders.Add(MapMethod(endpoints, pattern, "POST", context => host.PostAsync(context, mapped)));
            builders.Add(MapMethod(endpoints, pattern, "DELETE", context => host.DeleteAsync(context, mapped)));
        }
        return new SwitchboardEndpointConventionBuilder(builders);
    }

    /// <summary>
    /// Serves WebSocket connections at <paramref name="pattern"/> with a raw <paramref name="handler"/>, which gets each
    /// message's bytes as they came; raw handlers are served over WebSocket only. Conventions on the returned builder
    /// apply to the mapped route.
    /// </summary>
    /// <param name="endpoints">The app's routes.</param>
    /// <param name="pattern">An ASP.NET Core route pattern, such as <c>/raw/{name}</c>.</param>
    /// <param name="handler">The handler of the connections.</param>
    /// <param name="options">Who may connect; rate limits are for typed endpoints and must be unset. Null for the defaults.</param>
    /// <returns>The builder of the mapped route's conventions.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/>, <paramref name="pattern"/> or <paramref name="handler"/> is null.</exception>
    /// <exception cref="ArgumentException">An entry of <see cref="EndpointOptions.AllowedOrigins"/> is not an origin, <c>null</c> or <c>*</c>; or a rate limit is set.</exception>
    /// <exception cref="InvalidOperationException"><c>services.AddSwitchboard()</c> was not called.</exception>
    public static SwitchboardEndpointConventionBuilder MapSwitchboard(this IEndpointRouteBuilder endpoints, string pattern, WebSocketHandler handler,
        EndpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(handler);
        var host = HostOf(endpoints);
        var mapped = SwitchboardHost.Map(pattern, handler, options ?? new EndpointOptions());
        return new SwitchboardEndpointConventionBuilder([MapGet(endpoints, pattern, host, mapped)]);
    }

    private static SwitchboardHost HostOf(IEndpointRouteBuilder endpoints) => endpoints.ServiceProvider.GetService<SwitchboardHost>()
        ?? throw new InvalidOperationException("MapSwitchboard needs services.AddSwitchboard() first");

    /// <summary>GET, and CONNECT for WebSocket over HTTP/2 (RFC 8441), which routing does not take for a GET.</summary>
    private static IEndpointConventionBuilder MapGet(IEndpointRouteBuilder endpoints, string pattern, SwitchboardHost host, MappedEndpoint mapped) =>
        MapMethods(endpoints, pattern, ["GET", "CONNECT"], context => host.GetAsync(context, mapped));

    private static IEndpointConventionBuilder MapMethod(IEndpointRouteBuilder endpoints, string pattern, string method, RequestDelegate handler) =>
        MapMethods(endpoints, pattern, [method], handler);

    /// <summary>
    /// One route for <paramref name="methods"/>. Its method metadata accepts CORS preflights, so that the app's CORS
    /// middleware (<c>RequireCors</c>) answers them; the routes write no CORS fields of their own.
    /// </summary>
    private static IEndpointConventionBuilder MapMethods(IEndpointRouteBuilder endpoints, string pattern, string[] methods, RequestDelegate handler) =>
        endpoints.Map(pattern, handler)
            .WithMetadata(new HttpMethodMetadata(methods, acceptCorsPreflight: true))
            .WithDisplayName($"Switchboard {methods[0]} {pattern}");
}
