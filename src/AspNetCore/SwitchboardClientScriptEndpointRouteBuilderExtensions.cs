using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Switchboard.Server.Http;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Serves the Switchboard browser client on an ASP.NET Core app's routes.</summary>
public static class SwitchboardClientScriptEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves the browser client, switchboard.js (the <c>switchboard-client</c> npm package, embedded in
    /// <c>Switchboard.Server</c> at the same version), at <paramref name="pattern"/> for GET and HEAD, as the standalone
    /// server's <c>MapClientScript</c> does: <c>text/javascript; charset=utf-8</c> with <c>Cache-Control: no-cache</c>,
    /// <c>X-Content-Type-Options: nosniff</c> and a strong <c>ETag</c>; a request whose <c>If-None-Match</c> names that
    /// tag gets 304 without a body.
    /// </summary>
    /// <param name="endpoints">The app's routes.</param>
    /// <param name="pattern">The route pattern, such as <c>/switchboard.js</c>.</param>
    /// <returns>The builder of the route's conventions.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> or <paramref name="pattern"/> is null.</exception>
    public static IEndpointConventionBuilder MapSwitchboardClientScript(this IEndpointRouteBuilder endpoints, string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        return endpoints.MapMethods(pattern, [HttpMethods.Get, HttpMethods.Head], ServeAsync).WithDisplayName("Switchboard client script");
    }

    private static Task ServeAsync(HttpContext context)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ETag = ClientScript.ETag;
        if (ClientScript.IsNotModified(context.Request.Headers[HeaderNames.IfNoneMatch].ToString()))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = ClientScript.ContentType;
        response.ContentLength = ClientScript.Content.Length;
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(ClientScript.Content, context.RequestAborted).AsTask();
    }
}
