using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Switchboard.Server.Http;

namespace Switchboard.Server.Admission;

/// <summary>What a trusted proxy said about a request: the client's scheme, the host it asked for, and its address; null members were not said.</summary>
internal sealed record ForwardedRequest(string? Scheme, string? Host, IPEndPoint? Client);

/// <summary>
/// <see cref="WebSocketServerOptions.ForwardedHeaders"/>, ready to read the forwarded fields of every request head whose
/// TCP peer is a known proxy (see <see cref="TrustedProxyOptions"/> for the rules). Immutable; thread-safe.
/// </summary>
internal sealed class ForwardedHeaders
{
    private readonly ForwardedHeaderKinds _kinds;
    private readonly IPAddress[] _proxies;
    private readonly IPNetwork[] _networks;

    private ForwardedHeaders(TrustedProxyOptions options)
    {
        _kinds = options.Headers;
        _proxies = [.. options.KnownProxies.Select(Normalize)];
        _networks = [.. options.KnownNetworks];
    }

    /// <summary>The reader for <paramref name="options"/>, or null when no forwarded field is to be believed.</summary>
    public static ForwardedHeaders? For(TrustedProxyOptions? options) =>
        options is null || options.Headers == ForwardedHeaderKinds.None || (options.KnownProxies.Count == 0 && options.KnownNetworks.Count == 0)
            ? null
            : new ForwardedHeaders(options);

    /// <summary>Whether <paramref name="address"/> is a known proxy.</summary>
    public bool IsTrusted(IPAddress address)
    {
        address = Normalize(address);
        foreach (var proxy in _proxies)
        {
            if (proxy.Equals(address)) return true;
        }
        foreach (var network in _networks)
        {
            if (network.Contains(address)) return true;
        }
        return false;
    }

    /// <summary>
    /// Reads the forwarded fields of <paramref name="head"/>, received from <paramref name="peer"/>, into
    /// <see cref="HttpRequestHead.Forwarded"/>; null when the head is accepted (from an untrusted peer, or with
    /// nothing forwarded, it is left as it is), or the reason a trusted peer's fields are malformed.
    /// </summary>
    public string? Apply(HttpRequestHead head, EndPoint? peer)
    {
        if (peer is not IPEndPoint { Address: var current } || !IsTrusted(current)) return null;

        Hop?[]? fors = null;
        string?[]? protos = null;
        string?[]? hosts = null;
        string? error;
        if ((_kinds & ForwardedHeaderKinds.Forwarded) != 0 && head.GetHeader("Forwarded") is { } forwarded)
        {
            error = ParseForwarded(forwarded, out fors, out protos, out hosts);
        }
        else
        {
            error = (_kinds & ForwardedHeaderKinds.XForwardedFor) != 0 && head.GetHeader("X-Forwarded-For") is { } xff ? ParseFor(xff, out fors) : null;
            error ??= (_kinds & ForwardedHeaderKinds.XForwardedProto) != 0 && head.GetHeader("X-Forwarded-Proto") is { } xfp ? ParseList(xfp, ParseProto, "X-Forwarded-Proto", out protos) : null;
            error ??= (_kinds & ForwardedHeaderKinds.XForwardedHost) != 0 && head.GetHeader("X-Forwarded-Host") is { } xfh ? ParseList(xfh, ParseHost, "X-Forwarded-Host", out hosts) : null;
        }
        if (error is not null) return error;

        // From the right: each hop a known proxy added is believed, and the first address that is not one is the client.
        string? scheme = null, host = null;
        IPEndPoint? client = null;
        var steps = Math.Max(fors?.Length ?? 0, Math.Max(protos?.Length ?? 0, hosts?.Length ?? 0));
        for (var k = 0; k < steps && IsTrusted(current); k++)
        {
            if (At(protos, k) is { } p) scheme = p;
            if (At(hosts, k) is { } h) host = h;
            // Only a hop that names an address leads further left; without one, the rest of the lists are the client's word.
            if (fors is null || fors.Length <= k || fors[fors.Length - 1 - k] is not { } hop || hop.Address is not { } address) break;
            client = new IPEndPoint(address, hop.Port);
            current = address;
        }
        if (scheme is not null || host is not null || client is not null) head.Forwarded = new ForwardedRequest(scheme, host, client);
        return null;
    }

    private static T? At<T>(T?[]? list, int fromRight) where T : class =>
        list is null || list.Length <= fromRight ? null : list[list.Length - 1 - fromRight];

    private static string? ParseFor(string value, out Hop?[]? hops)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        hops = new Hop?[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryParseNode(parts[i], obfuscatedAllowed: false, out var hop)) return $"X-Forwarded-For entry '{parts[i]}' is not an IP address";
            hops[i] = hop;
        }
        return null;
    }

    private static string? ParseList(string value, Func<string, string?> parse, string name, out string?[]? list)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        list = new string?[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parse(parts[i]) is not { } parsed) return $"{name} entry '{parts[i]}' is malformed";
            list[i] = parsed;
        }
        return null;
    }

    /// <summary><c>http</c> or <c>https</c>, in lower case; null for anything else.</summary>
    private static string? ParseProto(string value) =>
        value.Equals("http", StringComparison.OrdinalIgnoreCase) ? "http"
        : value.Equals("https", StringComparison.OrdinalIgnoreCase) ? "https"
        : null;

    private static string? ParseHost(string value) => HostFilter.IsAuthority(value) ? value : null;

    /// <summary>RFC 7239 section 4: comma-separated elements of <c>;</c>-separated <c>name=value</c> pairs, values tokens or quoted strings.</summary>
    private static string? ParseForwarded(string value, out Hop?[]? fors, out string?[]? protos, out string?[]? hosts)
    {
        List<Hop?> forList = [];
        List<string?> protoList = [];
        List<string?> hostList = [];
        fors = null;
        protos = null;
        hosts = null;
        var i = 0;
        while (true)
        {
            Hop? hop = null;
            string? proto = null, host = null;
            bool seenFor = false, seenProto = false, seenHost = false;
            while (true)
            {
                SkipSpaces(value, ref i);
                var start = i;
                while (i < value.Length && value[i] is not ('=' or ';' or ',' or ' ' or '\t')) i++;
                var name = value[start..i];
                if (name.Length == 0 || !Protocol.Http.HttpGrammar.IsToken(name) || i >= value.Length || value[i] != '=')
                    return $"Forwarded element is not name=value pairs: '{value}'";
                i++;
                if (!TryReadValue(value, ref i, out var pairValue)) return $"Forwarded parameter '{name}' has a malformed value";
                if (name.Equals("for", StringComparison.OrdinalIgnoreCase))
                {
                    if (seenFor || !TryParseNode(pairValue, obfuscatedAllowed: true, out hop)) return $"Forwarded for='{pairValue}' is not a node";
                    seenFor = true;
                }
                else if (name.Equals("proto", StringComparison.OrdinalIgnoreCase))
                {
                    if (seenProto || (proto = ParseProto(pairValue)) is null) return $"Forwarded proto='{pairValue}' is not http or https";
                    seenProto = true;
                }
                else if (name.Equals("host", StringComparison.OrdinalIgnoreCase))
                {
                    if (seenHost || (host = ParseHost(pairValue)) is null) return $"Forwarded host='{pairValue}' is not a host";
                    seenHost = true;
                }
                SkipSpaces(value, ref i);
                if (i < value.Length && value[i] == ';')
                {
                    i++;
                    continue;
                }
                break;
            }
            forList.Add(hop);
            protoList.Add(proto);
            hostList.Add(host);
            if (i >= value.Length) break;
            if (value[i] != ',') return $"Forwarded element is not name=value pairs: '{value}'";
            i++;
        }
        fors = [.. forList];
        protos = [.. protoList];
        hosts = [.. hostList];
        return null;
    }

    private static void SkipSpaces(string value, ref int i)
    {
        while (i < value.Length && value[i] is ' ' or '\t') i++;
    }

    /// <summary>A token, or a quoted string (RFC 9110 section 5.6.4) without its quotes and escapes.</summary>
    private static bool TryReadValue(string value, ref int i, out string result)
    {
        result = "";
        if (i < value.Length && value[i] == '"')
        {
            var builder = new System.Text.StringBuilder();
            for (i++; i < value.Length; i++)
            {
                var c = value[i];
                if (c == '"')
                {
                    i++;
                    result = builder.ToString();
                    return true;
                }
                if (c == '\\')
                {
                    if (++i >= value.Length) return false;
                    c = value[i];
                }
                builder.Append(c);
            }
            return false;
        }
        var start = i;
        while (i < value.Length && value[i] is not (';' or ',' or ' ' or '\t')) i++;
        result = value[start..i];
        return result.Length != 0 && Protocol.Http.HttpGrammar.IsToken(result);
    }

    /// <summary>
    /// A node (RFC 7239 section 6): an IPv4 address or a bracketed IPv6 address, each with an optional port; a bare IPv6
    /// address as X-Forwarded-For writes it; <c>unknown</c>; or, when <paramref name="obfuscatedAllowed"/>, an obfuscated
    /// <c>_identifier</c>. The last two are hops without an address.
    /// </summary>
    private static bool TryParseNode(string node, bool obfuscatedAllowed, out Hop? hop)
    {
        hop = null;
        if (node.Equals("unknown", StringComparison.OrdinalIgnoreCase))
        {
            hop = new Hop(null, 0);
            return true;
        }
        if (node.StartsWith('_'))
        {
            hop = new Hop(null, 0);
            return obfuscatedAllowed && node.Length > 1 && node.AsSpan(1).ContainsAnyExcept(IdentifierChars) is false;
        }
        string address, port;
        if (node.StartsWith('['))
        {
            var close = node.IndexOf(']', StringComparison.Ordinal);
            if (close < 0) return false;
            address = node[1..close];
            port = node[(close + 1)..];
            if (!IPAddress.TryParse(address, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6) return false;
            if (!TryParsePort(port, out var p6)) return false;
            hop = new Hop(v6, p6);
            return true;
        }
        if (node.Count(c => c == ':') > 1)
        {
            if (!IPAddress.TryParse(node, out var bare) || bare.AddressFamily != AddressFamily.InterNetworkV6) return false;
            hop = new Hop(bare, 0);
            return true;
        }
        var colon = node.IndexOf(':', StringComparison.Ordinal);
        address = colon < 0 ? node : node[..colon];
        port = colon < 0 ? "" : node[colon..];
        if (!IsDottedQuad(address) || !IPAddress.TryParse(address, out var v4) || !TryParsePort(port, out var p4)) return false;
        hop = new Hop(v4, p4);
        return true;
    }

    private static readonly System.Buffers.SearchValues<char> IdentifierChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    /// <summary>Empty (no port), or <c>:</c> and a port number; an obfuscated port (<c>:_abc</c>) counts as none.</summary>
    private static bool TryParsePort(string value, out int port)
    {
        port = 0;
        if (value.Length == 0) return true;
        if (value[0] != ':' || value.Length == 1) return false;
        if (value[1] == '_') return value.Length > 2 && !value.AsSpan(2).ContainsAnyExcept(IdentifierChars);
        return value.Length <= 6 && int.TryParse(value.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535;
    }

    /// <summary>Four decimal parts separated by dots: IPAddress alone would also take <c>1</c> or <c>0x7f.1</c>.</summary>
    private static bool IsDottedQuad(string value)
    {
        var dots = 0;
        foreach (var c in value)
        {
            if (c == '.') dots++;
            else if (!char.IsAsciiDigit(c)) return false;
        }
        return dots == 3;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>One entry of a <c>for</c> list: an address and port, or neither for <c>unknown</c> and obfuscated nodes.</summary>
    private sealed record Hop(IPAddress? Address, int Port);
}
