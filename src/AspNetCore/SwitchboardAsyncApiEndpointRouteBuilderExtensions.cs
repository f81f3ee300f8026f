using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchboard.Server.Contract;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Serves a Switchboard app's AsyncAPI document on an ASP.NET Core app's routes.</summary>
public static class SwitchboardAsyncApiEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves <paramref name="document"/> at <paramref name="pattern"/> for GET and HEAD, as <c>application/json</c>, e.g.
    /// <c>app.MapSwitchboardAsyncApi("/asyncapi.json", new AsyncApiDocument("Chat", "1.0.0").AddChannel("/ws/{username}", chat.Catalog))</c>
    /// beside <c>app.MapSwitchboard("/ws/{username}", chat)</c>. The document is rendered once, now.
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
        RequestDelegate serve = context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = json.Length;
            context.Response.Headers.CacheControl = "no-cache";
            return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(json, context.RequestAborted).AsTask();
        };
        return endpoints.MapMethods(pattern, [HttpMethods.Get, HttpMethods.Head], serve).WithDisplayName("Switchboard AsyncAPI " + pattern);
    }
}
