using System.Net;
using System.Security.Claims;
using Microsoft.Extensions.Logging;
using Switchboard.Server.Http;

namespace Switchboard.Server.Endpoints;

/// <summary>
/// An endpoint's <see cref="EndpointOptions"/>, ready to judge opening requests: the origin rule, then the
/// authentication hook. Shared by the WebSocket upgrade and the long-polling open so that both answer alike.
/// Immutable; thread-safe.
/// </summary>
internal sealed class EndpointGate
{
    private readonly HashSet<string> _origins = new(StringComparer.Ordinal);
    private readonly bool _anyOrigin;
    private readonly Func<ConnectRequest, ValueTask<AuthenticationResult>>? _authenticate;
    private readonly bool _readsPositions;

    /// <param name="options">The endpoint's options.</param>
    /// <param name="readsPositions">
    /// Whether the endpoint is a <see cref="MessageEndpoint"/>, whose clients may present their history positions
    /// (<see cref="RecoverPositions"/>): those are judged here too, before any hook runs.
    /// </param>
    public EndpointGate(EndpointOptions options, bool readsPositions = false)
    {
        _readsPositions = readsPositions;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.AllowedOrigins);
        foreach (var origin in options.AllowedOrigins)
        {
            if (origin == "*") _anyOrigin = true;
            else if (origin == "null") _origins.Add(origin); // opaque origins (sandboxed frames, file:) only when asked for
            else if (TryNormalize(origin, out var normalized)) _origins.Add(normalized);
            else throw new ArgumentException($"'{origin}' is not an origin (scheme://host[:port]), 'null' or '*'", nameof(options));
        }
        _authenticate = options.Authenticate;
        AllowCredentials = options.AllowCredentials;
        Challenge = options.AuthenticationChallenge;
    }

    /// <summary><see cref="EndpointOptions.AllowCredentials"/>.</summary>
    public bool AllowCredentials { get; }

    /// <summary>Whether <paramref name="origin"/> is listed by name in <see cref="EndpointOptions.AllowedOrigins"/> (not through <c>*</c>).</summary>
    public bool IsListed(string origin) => origin == "null" ? _origins.Contains(origin) : TryNormalize(origin, out var normalized) && _origins.Contains(normalized);

    /// <summary>The <c>WWW-Authenticate</c> value of this endpoint's 401s.</summary>
    public string Challenge { get; }

    /// <summary>The fields a refusal with <paramref name="status"/> carries besides the framing: the challenge of a 401.</summary>
    public KeyValuePair<string, string>[]? RefusalFields(int status) => status == 401 ? [new("WWW-Authenticate", Challenge)] : null;

    /// <summary>Same-origin browsers and non-browser clients, no authentication: what <c>Map(template, handler)</c> gets.</summary>
    public static EndpointGate Default { get; } = new(new EndpointOptions());

    /// <summary>Whether the endpoint has an authentication hook, which needs the request as an <see cref="ServerRequest"/>.</summary>
    public bool Authenticates => _authenticate is not null;

    /// <summary>
    /// Judges the opening request of a connection; <paramref name="secure"/> says whether it came over TLS. The user is
    /// the hook's, or without a hook the one the hosting app authenticated (<see cref="ServerRequest.HostUser"/>).
    /// </summary>
    public async ValueTask<Verdict> CheckAsync(ServerRequest request, bool secure, ILogger logger)
    {
        var origin = CheckOrigin(request.Head, request.RemoteEndPoint, secure, logger);
        if (!origin.Allowed) return origin;
        var positions = origin.Positions;
        if (_authenticate is null)
        {
            // Without a hook of its own, the endpoint takes the user the hosting app authenticated (an ASP.NET Core
            // authorization policy on the route), over either transport.
            return request.HostUser is { Identity: { IsAuthenticated: true } identity } user ? new Verdict(0, null, identity.Name, user, positions) : origin;
        }

        AuthenticationResult result;
        try
        {
            result = await _authenticate(new ConnectRequest(request)).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Application hooks may throw anything; the request is refused, the server lives on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            EndpointLog.AuthenticateFailed(logger, request.RemoteEndPoint, request.Path, e);
            return Refuse(request.RemoteEndPoint, request.Path, logger, 500, "authentication failed");
        }
        return result.Succeeded
            ? new Verdict(0, null, result.User, result.Principal, positions)
            : Refuse(request.RemoteEndPoint, request.Path, logger, 401, result.FailureReason ?? "authentication required");
    }

    /// <summary>
    /// Judges the origin rule alone: the whole verdict for an endpoint that does not <see cref="Authenticates">authenticate</see>,
    /// reached without an <see cref="ServerRequest"/>.
    /// </summary>
    public Verdict CheckOrigin(HttpRequestHead head, EndPoint? remote, bool secure, ILogger logger)
    {
        if (!IsOriginAllowed(head.GetHeader("Origin"), head, secure)) return Refuse(remote, head.Path, logger, 403, "origin not allowed");
        if (!_readsPositions) return default;
        return RecoverPositions.TryParse(head.Query, out var positions, out var error)
            ? new Verdict(0, null, null, null, positions)
            : Refuse(remote, head.Path, logger, 400, error!);
    }

    private static Verdict Refuse(EndPoint? remote, string path, ILogger logger, int status, string reason)
    {
        EndpointLog.Refused(logger, remote, path, status, reason);
        return new Verdict(status, reason, null, null, null);
    }

    /// <summary>
    /// RFC 6455 section 10.2: the server decides from Origin whether a browser page may connect. No Origin is a
    /// non-browser client (browsers always send it on upgrades and on POST); the server's own origin is the Host the
    /// request names, with the scheme of the connection, or the host and scheme a trusted proxy forwarded
    /// (<see cref="HttpRequestHead.Forwarded"/>). The host is read only for that comparison: its string is one more
    /// allocation per upgrade.
    /// </summary>
    internal bool IsOriginAllowed(string? origin, HttpRequestHead head, bool secure)
    {
        if (origin is null || _anyOrigin) return true;
        if (origin == "null") return _origins.Contains(origin);
        if (!TryNormalize(origin, out var normalized)) return false;
        if (_origins.Contains(normalized)) return true;
        var scheme = head.Forwarded?.Scheme ?? (secure ? "https" : "http");
        return TryNormalize(scheme + "://" + (head.Forwarded?.Host ?? head.Host), out var own) && string.Equals(normalized, own, StringComparison.Ordinal);
    }

    /// <summary><c>scheme://host:port</c> in lower case with the port made explicit, or false for anything but a bare origin.</summary>
    private static bool TryNormalize(string origin, out string normalized)
    {
        normalized = "";
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.HostNameType == UriHostNameType.Unknown
            || uri.UserInfo.Length != 0 || uri.PathAndQuery != "/" || uri.Fragment.Length != 0
            || origin.EndsWith('/') || uri.Port < 0)
        {
            return false;
        }
        normalized = $"{uri.Scheme}://{uri.IdnHost.ToLowerInvariant()}:{uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        return true;
    }

    /// <summary>
    /// The outcome: <see cref="Status"/> 0 when the connection may open, with the user the hook named and the history
    /// positions the client presented (null when none).
    /// </summary>
    internal readonly record struct Verdict(int Status, string? Reason, string? User, ClaimsPrincipal? Principal,
        Dictionary<string, Switchboard.Messaging.StreamPosition>? Positions)
    {
        public bool Allowed => Status == 0;
    }
}
