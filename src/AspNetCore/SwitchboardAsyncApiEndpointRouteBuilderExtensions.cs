using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.AspNetCore.Hosting;
using Switchboard.Server;
using Switchboard.Server.Contract;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Serves a Switchboard app's AsyncAPI document on an ASP.NET Core app's routes.</summary>
public static class SwitchboardAsyncApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves an AsyncAPI 3.0 document (<see cref="AsyncApiDocument"/>) of the typed endpoints the app maps with
    /// <c>MapSwitchboard</c> at <paramref name="pattern"/> for GET and HEAD, as <c>application/json</c>, as the standalone
    /// server's <c>MapAsyncApi</c> does: one channel per route pattern each endpoint is mapped at (with the prefix of its
    /// route group), with the messages of its catalogue under the operations its handlers give
    /// (<see cref="AsyncApiDocument.AddChannel(string, MessageEndpoint)"/>), e.g.
    /// <c>app.MapSwitchboardAsyncApi("/asyncapi.json", "Chat", "1.0.0", room.Endpoint)</c>.
    /// </summary>
    /// <remarks>
    /// The document is rendered at the first request, from the app's routes when they are complete, and kept: endpoints
    /// mapped and handlers registered before the app starts are all described, whichever order the calls come in. An
    /// endpoint of <paramref name="messageEndpoints"/> that the app does not map makes the route answer 500, with an
    /// <see cref="InvalidOperationException"/> naming it.
    /// </remarks>
    /// <param name="endpoints">The app's routes.</param>
    /// <param name="pattern">The route pattern, such as <c>/asyncapi.json</c>.</param>
    /// <param name="title">The application's title (<c>info.title</c>).</param>
    /// <param name="version">The version of its API (<c>info.version</c>).</param>
    /// <param name="messageEndpoints">The endpoints to describe; none describes every typed endpoint the app maps.</param>
    /// <returns>The builder of the route's conventions.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="title"/> or <paramref name="version"/> is empty.</exception>
    public static IEndpointConventionBuilder MapSwitchboardAsyncApi(this IEndpointRouteBuilder endpoints, string pattern, string title, string version,
        params MessageEndpoint[] messageEndpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(messageEndpoints);
        _ = new AsyncApiDocument(title, version); // refuses an empty title or version now rather than at the first request
        foreach (var endpoint in messageEndpoints)
        {
            ArgumentNullException.ThrowIfNull(endpoint, nameof(messageEndpoints));
        }

        MessageEndpoint[] described = [.. messageEndpoints];
        var services = endpoints.ServiceProvider;
        var json = new Lazy<byte[]>(() => Encoding.UTF8.GetBytes(Describe(services.GetRequiredService<EndpointDataSource>(), title, version, described).ToJson()));
        return Serve(endpoints, pattern, () => json.Value);
    }

    /// <summary>
    /// Serves <paramref name="document"/> at <paramref name="pattern"/> for GET and HEAD, as <c>application/json</c>, e.g.
    /// a document with channels of other addresses than the app's routes. The document is rendered once, now.
    /// </summary>
    /// <param name="endpoints">The app's routes.</param>
    /// <param name="pattern">The route pattern, such as <c>/asyncapi.json</c>.</param>
    /// <param name="document">The document, with a channel per pattern the app maps an endpoint at.</param>
    /// <returns>The builder of the route's conventions.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IEndpointConventionBuilder MapSwitchboardAsyncApi(this IEndpointRouteBuilder endpoints, string pattern, AsyncApiDocument document)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(document);
        var json = Encoding.UTF8.GetBytes(document.ToJson());
        return Serve(endpoints, pattern, () => json);
    }

    private static IEndpointConventionBuilder Serve(IEndpointRouteBuilder endpoints, string pattern, Func<byte[]> body)
    {
        RequestDelegate serve = context =>
        {
            var json = body();
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = json.Length;
            context.Response.Headers.CacheControl = "no-cache";
            return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(json, context.RequestAborted).AsTask();
        };
        return endpoints.MapMethods(pattern, [HttpMethods.Get, HttpMethods.Head], serve).WithDisplayName("Switchboard AsyncAPI " + pattern);
    }

    /// <summary>
    /// The document of the routes that <c>MapSwitchboard</c> marked, in the order they were mapped, from all of the app's
    /// routes (<paramref name="routing"/>, where a group's routes carry its prefix).
    /// </summary>
    private static AsyncApiDocument Describe(EndpointDataSource routing, string title, string version, MessageEndpoint[] described)
    {
        var routes = routing.Endpoints
            .OfType<RouteEndpoint>()
            .Select(route => (Route: route, Channel: route.Metadata.GetMetadata<AsyncApiChannelMetadata>()))
            .Where(r => r.Channel is not null && (described.Length == 0 || described.Contains(r.Channel.Endpoint)))
            .ToList();
        foreach (var endpoint in described)
        {
            if (!routes.Exists(r => r.Channel!.Endpoint == endpoint))
                throw new InvalidOperationException($"the endpoint '{endpoint.Name}' is not mapped on this app; map it with MapSwitchboard");
        }

        var document = new AsyncApiDocument(title, version);
        foreach (var (route, channel) in routes)
        {
            document.AddChannel(Address(route.RoutePattern), channel!.Endpoint);
        }

        return document;
    }

    /// <summary>
    /// The pattern as a channel address: literals as they are and each parameter as <c>{name}</c>, without its
    /// constraints, default or optional mark (<c>/ws/{id:int}</c> is <c>/ws/{id}</c>).
    /// </summary>
    private static string Address(RoutePattern pattern)
    {
        var address = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            address.Append('/');
            foreach (var part in segment.Parts)
            {
                switch (part)
                {
                    case RoutePatternLiteralPart literal:
                        address.Append(literal.Content);
                        break;
                    case RoutePatternSeparatorPart separator:
                        address.Append(separator.Content);
                        break;
                    case RoutePatternParameterPart parameter:
                        address.Append('{').Append(parameter.Name).Append('}');
                        break;
                }
            }
        }

        return address.Length == 0 ? "/" : address.ToString();
    }
}
