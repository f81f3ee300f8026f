using System.Net;
using Switchboard.Server.Http;

namespace Switchboard.Server;

/// <summary>
/// A plain HTTP request as an <see cref="HttpHandler"/> sees it: the parsed head, the values its route captured, and
/// the whole body, at most <see cref="WebSocketServerOptions.MaxRequestBodySize"/> bytes.
/// </summary>
/// <remarks>Immutable; safe to read from any thread.</remarks>
public sealed class ServerRequest
{
    internal ServerRequest(HttpRequestHead head, IReadOnlyDictionary<string, string> routeValues, ReadOnlyMemory<byte> body,
        EndPoint? remoteEndPoint, CancellationToken aborted)
    {
        Head = head;
        RouteValues = routeValues;
        Body = body;
        RemoteEndPoint = remoteEndPoint;
        Aborted = aborted;
    }

    /// <summary>The request head as parsed: method, target, version and every header field.</summary>
    internal HttpRequestHead Head { get; }

    /// <summary>
    /// Whom the hosting app authenticated the request as, before it reached the endpoint (ASP.NET Core's
    /// <c>HttpContext.User</c>); null from the standalone server, which has no authentication of its own.
    /// </summary>
    internal System.Security.Claims.ClaimsPrincipal? HostUser { get; init; }

    /// <summary>
    /// The method as sent. A <c>HEAD</c> request reaches the handler of the matching GET route with this set to
    /// <c>HEAD</c>; the server then sends the response head without its body.
    /// </summary>
    public string Method => Head.Method;

    /// <summary>The path, starting with <c>/</c>, percent-encoding left as sent.</summary>
    public string Path => Head.Path;

    /// <summary>The query after <c>?</c>, without the <c>?</c>, as sent; empty when there is none.</summary>
    public string Query => Head.Query;

    /// <summary>Every header field in arrival order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => Head.Headers;

    /// <summary>Values captured by the route template, percent-decoded: <c>id</c> for <c>/poll/{id}</c>.</summary>
    public IReadOnlyDictionary<string, string> RouteValues { get; }

    /// <summary>The body, exactly Content-Length bytes; empty when the request had none.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The peer's address.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>Cancelled when the server stops; a handler that waits should give up then.</summary>
    public CancellationToken Aborted { get; }

    /// <inheritdoc cref="HttpRequestHead.GetHeader"/>
    public string? GetHeader(string name) => Head.GetHeader(name);

    /// <summary>
    /// The first value of a query parameter, decoded as <c>application/x-www-form-urlencoded</c> (<c>+</c> is a
    /// space, then percent-decoding): <c>GetQueryValue("ack")</c> is <c>"7"</c> for <c>?session=a&amp;ack=7</c>.
    /// A parameter without <c>=</c> has the empty value.
    /// </summary>
    /// <param name="name">The parameter name, compared ordinally after decoding.</param>
    /// <returns>The decoded value, or null when the parameter is absent.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public string? GetQueryValue(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var range in Query.AsSpan().Split('&'))
        {
            var pair = Query.AsSpan()[range];
            var equals = pair.IndexOf('=');
            var key = equals < 0 ? pair : pair[..equals];
            if (string.Equals(Decode(key), name, StringComparison.Ordinal))
            {
                return equals < 0 ? string.Empty : Decode(pair[(equals + 1)..]);
            }
        }

        return null;
    }

    private static string Decode(ReadOnlySpan<char> component) => Uri.UnescapeDataString(component.ToString().Replace('+', ' '));
}
