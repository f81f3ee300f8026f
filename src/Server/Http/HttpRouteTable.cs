using Switchboard.Server.Routing;

namespace Switchboard.Server.Http;

/// <summary>
/// HTTP routes in registration order. A request goes to the first route whose method and template both match; a
/// GET route also answers HEAD unless a HEAD route claims the path. When none does, the path gets 405 only if a route
/// without a catch-all (<c>{*name}</c>) matches it: a catch-all, such as static files served at <c>/</c>, takes every
/// path below its prefix without saying a resource is there, so it must not turn a mistyped path into a 405 (an
/// endpoint's routes always count). Built before the server starts, read-only (and so thread-safe) after.
/// </summary>
internal sealed class HttpRouteTable
{
    private readonly List<(string Method, RouteTemplate Template, HttpHandler Handler, bool Claims)> _routes = [];
    private readonly List<(RouteTemplate Template, Func<HttpRequestHead, KeyValuePair<string, string>[]> Fields)> _endpointFields = [];
    private int _endpointRoutes;

    public void Add(string method, RouteTemplate template, HttpHandler handler) => _routes.Add((method, template, handler, !IsCatchAll(template)));

    /// <summary>Adds a route of a typed endpoint (long polling): before every application route, so no catch-all hides it.</summary>
    public void AddEndpoint(string method, RouteTemplate template, HttpHandler handler) => _routes.Insert(_endpointRoutes++, (method, template, handler, true));

    /// <summary>
    /// Adds the fields every answer at a typed endpoint's path carries (its CORS fields), for the answers the server
    /// writes itself before or instead of the endpoint's handlers: a refused head, a 405, a body not received in time, a
    /// handler failure. Endpoints are tried in the order they were added, as their routes are.
    /// </summary>
    public void AddEndpointFields(RouteTemplate template, Func<HttpRequestHead, KeyValuePair<string, string>[]> fields) => _endpointFields.Add((template, fields));

    /// <summary>The fields of the first endpoint whose template matches the request's path, or null when none does.</summary>
    public KeyValuePair<string, string>[]? EndpointFields(HttpRequestHead head)
    {
        foreach (var (template, fields) in _endpointFields)
        {
            if (template.TryMatch(head.Path, out _)) return fields(head);
        }
        return null;
    }

    /// <summary>Finds the handler for a request, or what to answer when there is none.</summary>
    public HttpRouteMatch Match(string method, string path)
    {
        // Methods are case-sensitive (RFC 9110 section 9.1), so they compare ordinally, as paths do.
        if (TryMatch(method, path, out var match) || (method == "HEAD" && TryMatch("GET", path, out match)))
        {
            return match;
        }

        List<string>? allowed = null;
        foreach (var (candidate, template, _, claims) in _routes)
        {
            if (claims && template.TryMatch(path, out _))
            {
                AddAllowed(allowed ??= [], candidate);
            }
        }

        return allowed is null ? default : new HttpRouteMatch(null, null, string.Join(", ", allowed));
    }

    private bool TryMatch(string method, string path, out HttpRouteMatch match)
    {
        foreach (var (candidate, template, handler, _) in _routes)
        {
            if (string.Equals(candidate, method, StringComparison.Ordinal) && template.TryMatch(path, out var values))
            {
                match = new HttpRouteMatch(handler, values, null);
                return true;
            }
        }

        match = default;
        return false;
    }

    /// <summary>Whether the template ends in <c>{*name}</c>; a parsed template holds <c>{*</c> nowhere else.</summary>
    private static bool IsCatchAll(RouteTemplate template) => template.Text.Contains("{*", StringComparison.Ordinal);

    /// <summary>Collects the methods for Allow (RFC 9110 section 10.2.1); a GET route implies HEAD.</summary>
    private static void AddAllowed(List<string> allowed, string method)
    {
        if (!allowed.Contains(method, StringComparer.Ordinal)) allowed.Add(method);
        if (method == "GET" && !allowed.Contains("HEAD", StringComparer.Ordinal)) allowed.Add("HEAD");
    }
}

/// <summary>
/// The outcome of <see cref="HttpRouteTable.Match"/>: a handler with its route values; or, when only other methods are
/// mapped at the path (by a route without a catch-all), the Allow list for a 405; or neither, for a 404.
/// </summary>
internal readonly record struct HttpRouteMatch(HttpHandler? Handler, IReadOnlyDictionary<string, string>? Values, string? Allow);
