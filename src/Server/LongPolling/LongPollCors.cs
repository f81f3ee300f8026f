using System.Globalization;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol.Http;
using Switchboard.Server.Endpoints;
using Switchboard.Server.Http;

namespace Switchboard.Server.LongPolling;

/// <summary>
/// Cross-origin resource sharing (the Fetch standard's CORS protocol) for a typed endpoint's long-polling requests, so a
/// page of an origin the endpoint's origin rule admits (<see cref="EndpointOptions.AllowedOrigins"/>) can read the
/// answers: the preflight (<c>OPTIONS</c>) and the fields of every actual answer. Stateless; thread-safe.
/// </summary>
internal static class LongPollCors
{
    /// <summary>How long a browser may keep a preflight's answer (<c>Access-Control-Max-Age</c>), in seconds.</summary>
    public const int MaxAgeSeconds = 600;

    private const string Methods = "GET, POST, DELETE";
    private static readonly string MaxAge = MaxAgeSeconds.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// OPTIONS. A preflight (<c>Origin</c> and <c>Access-Control-Request-Method</c>) from an admitted origin for a method
    /// long polling uses is answered 204 with the origin, the methods, the requested headers and the max age; any other
    /// preflight gets 403 and the reason. An OPTIONS that is not a preflight gets 204 with <c>Allow</c>.
    /// </summary>
    public static HttpHandler Preflight(EndpointGate gate, bool secure, ILogger logger) => (request, response) =>
    {
        var origin = request.GetHeader("Origin");
        var method = request.GetHeader("Access-Control-Request-Method");
        response.StatusCode = 204;
        if (origin is null || method is null)
        {
            response.SetHeader("Allow", Methods + ", OPTIONS");
            return ValueTask.CompletedTask;
        }

        var requested = request.GetHeader("Access-Control-Request-Headers");
        var reason = !gate.IsOriginAllowed(origin, request.Head, secure) ? "origin not allowed"
            : method is not ("GET" or "POST" or "DELETE") ? $"method '{method}' is not used by long polling"
            : requested is not null && !IsTokenList(requested) ? "Access-Control-Request-Headers is not a list of field names"
            : null;
        if (reason is not null)
        {
            EndpointLog.Refused(logger, request.RemoteEndPoint, request.Path, 403, reason);
            response.StatusCode = 403;
            response.ContentType = "text/plain; charset=utf-8";
            response.WriteText(reason + "\n");
            response.SetHeader("Vary", "Origin");
            return ValueTask.CompletedTask;
        }

        AllowOrigin(response, gate, origin);
        response.SetHeader("Access-Control-Allow-Methods", Methods);
        if (requested is not null) response.SetHeader("Access-Control-Allow-Headers", requested);
        response.SetHeader("Access-Control-Max-Age", MaxAge);
        response.SetHeader("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        return ValueTask.CompletedTask;
    };

    /// <summary>
    /// <paramref name="handler"/>, whose answers to an admitted origin also carry <c>Access-Control-Allow-Origin</c>
    /// (the origin itself, never <c>*</c>) and, with <see cref="EndpointOptions.AllowCredentials"/>,
    /// <c>Access-Control-Allow-Credentials</c>; every answer carries <c>Vary: Origin</c>.
    /// </summary>
    public static HttpHandler Actual(HttpHandler handler, EndpointGate gate, bool secure) => async (request, response) =>
    {
        await handler(request, response).ConfigureAwait(false);
        response.SetHeader("Vary", "Origin");
        if (request.GetHeader("Origin") is { } origin && gate.IsOriginAllowed(origin, request.Head, secure)) AllowOrigin(response, gate, origin);
    };

    /// <summary>
    /// The fields <see cref="Actual"/> adds, for the answers the server writes itself at the endpoint's path before its
    /// handlers run or when they fail (a refused head, 405, 408, 500), so a page of an admitted origin can read why.
    /// </summary>
    public static Func<HttpRequestHead, KeyValuePair<string, string>[]> Fields(EndpointGate gate, bool secure) => head =>
    {
        KeyValuePair<string, string> vary = new("Vary", "Origin");
        if (head.GetHeader("Origin") is not { } origin || !gate.IsOriginAllowed(origin, head, secure)) return [vary];
        KeyValuePair<string, string> allowOrigin = new("Access-Control-Allow-Origin", origin);
        return Credentials(gate, origin) ? [vary, allowOrigin, new("Access-Control-Allow-Credentials", "true")] : [vary, allowOrigin];
    };

    private static void AllowOrigin(ServerResponse response, EndpointGate gate, string origin)
    {
        response.SetHeader("Access-Control-Allow-Origin", origin);
        if (Credentials(gate, origin)) response.SetHeader("Access-Control-Allow-Credentials", "true");
    }

    /// <summary>Credentials are allowed only to an origin listed by name, never to one admitted through <c>*</c>.</summary>
    private static bool Credentials(EndpointGate gate, string origin) => gate.AllowCredentials && gate.IsListed(origin);

    private static bool IsTokenList(string value)
    {
        foreach (var element in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!HttpGrammar.IsToken(element)) return false;
        }
        return true;
    }
}
