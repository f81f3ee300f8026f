using System.Net;

namespace Switchboard.Server;

/// <summary>The forwarded header fields a <see cref="TrustedProxyOptions"/> trusts; flags, combined with <c>|</c>.</summary>
[Flags]
public enum ForwardedHeaderKinds
{
    /// <summary>None: every forwarded field is ignored.</summary>
    None = 0,

    /// <summary><c>X-Forwarded-For</c>: the client address, one entry per hop, the nearest last.</summary>
    XForwardedFor = 1,

    /// <summary><c>X-Forwarded-Proto</c>: the scheme the client used (<c>http</c> or <c>https</c>).</summary>
    XForwardedProto = 2,

    /// <summary><c>X-Forwarded-Host</c>: the authority (<c>host[:port]</c>) the client asked for.</summary>
    XForwardedHost = 4,

    /// <summary>
    /// <c>Forwarded</c> (RFC 7239) with its <c>for=</c>, <c>proto=</c> and <c>host=</c> parameters. When a trusted
    /// request carries it, the <c>X-Forwarded-*</c> fields of that request are ignored.
    /// </summary>
    Forwarded = 8,

    /// <summary>The three <c>X-Forwarded-*</c> fields: what nginx, HAProxy and most load balancers send.</summary>
    XForwarded = XForwardedFor | XForwardedProto | XForwardedHost,

    /// <summary>Every kind.</summary>
    All = XForwarded | Forwarded,
}

/// <summary>
/// Which reverse proxies a <see cref="WebSocketServer"/> believes about the client, set on
/// <see cref="WebSocketServerOptions.ForwardedHeaders"/>. A request whose TCP peer is a known proxy (an address in
/// <see cref="KnownProxies"/> or in a network of <see cref="KnownNetworks"/>) is judged as the client sent it to the
/// proxy: the origin rule (<see cref="EndpointOptions.AllowedOrigins"/>) compares <c>Origin</c> with the forwarded
/// scheme and host, the <c>Host</c> check (<see cref="WebSocketServerOptions.AllowedHosts"/>) reads the forwarded host,
/// and <see cref="ServerRequest.RemoteEndPoint"/>, <see cref="WebSockets.WebSocketConnection.RemoteEndPoint"/>, the per-address
/// long-polling caps and the log name the forwarded client. The forwarded fields of any other peer are ignored.
/// </summary>
/// <remarks>
/// <para>
/// A field listing several hops (<c>X-Forwarded-For: client, proxy1</c>; several fields of one name count as one list)
/// is read from the right, as ASP.NET Core does: each entry a known proxy added is believed, and the first address
/// that is not a known proxy is the client; the scheme and host are taken from the same position of their lists. An
/// entry that is <c>unknown</c> or an obfuscated identifier (RFC 7239 section 6) ends the walk, and the client stays
/// the last known proxy.
/// </para>
/// <para>
/// A request from a known proxy whose forwarded fields are malformed (an address that is not one, a scheme other than
/// <c>http</c> or <c>https</c>, a host that is not an authority, a <c>Forwarded</c> element that is not
/// <c>name=value</c> pairs) is refused with <b>400</b> and the reason, logged and counted as the limit
/// <c>ForwardedHeaders</c> (events 600/601, <c>switchboard.server.limit.hits</c>), and its connection closed.
/// </para>
/// <para>
/// The per-address cap on TCP connections (<see cref="WebSocketServerOptions.MaxConnectionsPerAddress"/>) is judged when
/// a connection is accepted, before any request has been read, so behind a proxy it counts the proxy's connections.
/// Immutable once given to a server; the server copies the lists when it is built.
/// </para>
/// </remarks>
public sealed class TrustedProxyOptions
{
    /// <summary>The fields believed from a known proxy. Default <see cref="ForwardedHeaderKinds.XForwarded"/>.</summary>
    /// <remarks>Enable only the fields the proxy sets itself, replacing what a client sent.</remarks>
    public ForwardedHeaderKinds Headers { get; init; } = ForwardedHeaderKinds.XForwarded;

    /// <summary>The addresses of the trusted proxies, e.g. <c>127.0.0.1</c> for nginx on the same host. Default empty.</summary>
    /// <remarks>An IPv4-mapped IPv6 peer (<c>::ffff:127.0.0.1</c>) matches its IPv4 address.</remarks>
    public IReadOnlyList<IPAddress> KnownProxies { get; init; } = [];

    /// <summary>The networks whose every address is a trusted proxy, e.g. <c>10.0.0.0/8</c>. Default empty.</summary>
    public IReadOnlyList<IPNetwork> KnownNetworks { get; init; } = [];
}
