using System.Net;

namespace Switchboard.Server;

/// <summary>
/// The request that opens a connection, as an <see cref="EndpointOptions.Authenticate"/> hook sees it: the same for a
/// WebSocket upgrade and a long-polling open, so the hook never learns the transport.
/// </summary>
/// <remarks>Immutable; safe to read from any thread.</remarks>
public sealed class ConnectRequest
{
    private readonly ServerRequest _request;

    internal ConnectRequest(ServerRequest request) => _request = request;

    /// <summary>The path, starting with <c>/</c>, percent-encoding left as sent.</summary>
    public string Path => _request.Path;

    /// <summary>The query after <c>?</c>, without the <c>?</c>, as sent; empty when there is none.</summary>
    public string Query => _request.Query;

    /// <summary>The <c>Host</c> header.</summary>
    public string Host => _request.Head.Host;

    /// <summary>The <c>Origin</c> header (already allowed by <see cref="EndpointOptions.AllowedOrigins"/>), or null.</summary>
    public string? Origin => _request.GetHeader("Origin");

    /// <summary>Every header field in arrival order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _request.Headers;

    /// <summary>Values captured by the endpoint's route template, e.g. <c>username</c> for <c>/ws/{username}</c>.</summary>
    public IReadOnlyDictionary<string, string> RouteValues => _request.RouteValues;

    /// <summary>The peer's address.</summary>
    public EndPoint? RemoteEndPoint => _request.RemoteEndPoint;

    /// <summary>Cancelled when the server stops; a hook that waits (on a token service, say) should give up then.</summary>
    public CancellationToken Aborted => _request.Aborted;

    /// <inheritdoc cref="Http.HttpRequestHead.GetHeader"/>
    public string? GetHeader(string name) => _request.GetHeader(name);

    /// <inheritdoc cref="ServerRequest.GetQueryValue"/>
    public string? GetQueryValue(string name) => _request.GetQueryValue(name);

    /// <summary>
    /// The value of a cookie from the <c>Cookie</c> header (<c>name=value; other=value</c>, RFC 6265 section 5.4), with
    /// surrounding double quotes removed and no other decoding; the first one wins when a name repeats.
    /// </summary>
    /// <param name="name">The cookie name, compared ordinally (cookie names are case-sensitive).</param>
    /// <returns>The value, or null when there is no such cookie.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public string? GetCookie(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var (field, value) in _request.Headers)
        {
            if (!string.Equals(field, "Cookie", StringComparison.OrdinalIgnoreCase)) continue;
            var text = value.AsSpan();
            foreach (var range in text.Split(';'))
            {
                var pair = text[range].Trim(' ');
                var equals = pair.IndexOf('=');
                if (equals <= 0 || !pair[..equals].Trim(' ').SequenceEqual(name)) continue;
                var cookie = pair[(equals + 1)..].Trim(' ');
                if (cookie.Length >= 2 && cookie[0] == '"' && cookie[^1] == '"') cookie = cookie[1..^1];
                return cookie.ToString();
            }
        }
        return null;
    }
}
