using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Server.Admission;

/// <summary>
/// <see cref="WebSocketServerOptions.AllowedHosts"/>, ready to judge the <c>Host</c> of every request: the defence
/// against DNS rebinding, where a page on the attacker's name, once that name resolves to this server's address, would
/// otherwise be served as the server's own origin. Immutable; thread-safe.
/// </summary>
internal sealed class HostFilter
{
    private readonly Entry[] _entries;
    private readonly bool _any;
    private readonly bool _anyAddress; // the default of a wildcard bind: every IP literal, names only when listed

    private HostFilter(Entry[] entries, bool any, bool anyAddress)
    {
        _entries = entries;
        _any = any;
        _anyAddress = anyAddress;
    }

    /// <summary>The names the server answers to by default when listening on <paramref name="endPoint"/>.</summary>
    public static HostFilter ForDefault(IPEndPoint endPoint)
    {
        var address = endPoint.Address;
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            return new HostFilter([new Entry("localhost", null, false)], any: false, anyAddress: true);
        List<Entry> entries = [new Entry(Literal(address), null, false)];
        if (IPAddress.IsLoopback(address))
        {
            foreach (var name in (string[])["localhost", "127.0.0.1", "[::1]"])
            {
                if (!entries.Exists(e => e.Name == name)) entries.Add(new Entry(name, null, false));
            }
        }
        return new HostFilter([.. entries], any: false, anyAddress: false);
    }

    /// <summary>The filter for <paramref name="options"/>: its <see cref="WebSocketServerOptions.AllowedHosts"/>, or the default for its end point.</summary>
    public static HostFilter For(WebSocketServerOptions options)
    {
        if (options.AllowedHosts is not { } hosts) return ForDefault(options.EndPoint);
        var entries = new List<Entry>(hosts.Count);
        var any = false;
        foreach (var host in hosts)
        {
            if (host == "*") any = true;
            else if (TryParseEntry(host, out var entry)) entries.Add(entry);
            else throw new ArgumentException(EntryError(host), nameof(options));
        }
        return new HostFilter([.. entries], any, anyAddress: false);
    }

    /// <summary>The message of an entry that is not a host: the option's setter and <see cref="For"/> say the same.</summary>
    public static string EntryError(string? host) =>
        $"'{host}' is not a host name or address with an optional port, a '*.' suffix pattern, or '*'";

    /// <summary>Whether <paramref name="value"/> is <c>host[:port]</c>: what a <c>Host</c> field may name.</summary>
    public static bool IsAuthority(string value) => TrySplit(value, out _, out _);

    /// <summary>Whether <paramref name="host"/> may be an entry of <see cref="WebSocketServerOptions.AllowedHosts"/>.</summary>
    public static bool IsValidEntry(string? host) => host == "*" || (host is not null && TryParseEntry(host, out _));

    /// <summary>
    /// Judges the authority a request names (<see cref="Http.HttpRequestHead.Host"/>): 0 when the server answers for
    /// it, 400 when it is missing or not an authority, 421 (Misdirected Request) when it names another host.
    /// </summary>
    public int Check(string host)
    {
        if (_any) return 0;
        if (!TrySplit(host, out var name, out var port)) return 400;
        foreach (var entry in _entries)
        {
            if (entry.Port is { } p && p != port) continue;
            if (entry.Suffix ? name.EndsWith(entry.Name, StringComparison.Ordinal) && name.Length > entry.Name.Length : name == entry.Name) return 0;
        }
        return _anyAddress && IsAddressLiteral(name) ? 0 : 421;
    }

    private static bool TryParseEntry(string host, out Entry entry)
    {
        entry = default;
        var suffix = host.StartsWith("*.", StringComparison.Ordinal);
        if (!TrySplit(suffix ? host[2..] : host, out var name, out var port)) return false;
        if (suffix && (name.StartsWith('[') || IsAddressLiteral(name))) return false;
        entry = new Entry(suffix ? "." + name : name, port, suffix);
        return true;
    }

    /// <summary>
    /// Splits <c>host[:port]</c> into a lower-case name without a trailing dot (an IPv6 literal keeps its brackets, in its
    /// normal spelling) and the port, if any; false for anything that is not an authority without user information.
    /// </summary>
    private static bool TrySplit(string authority, out string name, out int? port)
    {
        name = "";
        port = null;
        if (authority.Length == 0) return false;
        string rest;
        if (authority[0] == '[')
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IPAddress.TryParse(authority.AsSpan(1, close - 1), out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
                return false;
            name = Literal(v6);
            rest = authority[(close + 1)..];
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            name = (colon < 0 ? authority : authority[..colon]).ToLowerInvariant();
            rest = colon < 0 ? "" : authority[colon..];
            if (name.EndsWith('.')) name = name[..^1];
            if (name.Length == 0 || !IsRegName(name)) return false;
        }
        if (rest.Length == 0) return true;
        if (rest[0] != ':' || rest.Length == 1 || rest.Length > 6) return false;
        if (!int.TryParse(rest.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > 65535) return false;
        port = number;
        return true;
    }

    /// <summary>Letters, digits, <c>-</c>, <c>_</c> and dots between labels: what a DNS name or an IPv4 address is spelled with.</summary>
    private static bool IsRegName(string name)
    {
        if (name[0] == '.' || name.Contains("..", StringComparison.Ordinal)) return false;
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.')) return false;
        }
        return true;
    }

    /// <summary>An IPv6 literal in brackets or an IPv4 address in dotted-decimal: a name no DNS answer can be rebound to.</summary>
    private static bool IsAddressLiteral(string name)
    {
        if (name.StartsWith('[')) return true; // only valid literals get through TrySplit
        var dots = 0;
        foreach (var c in name)
        {
            if (c == '.') dots++;
            else if (!char.IsAsciiDigit(c)) return false;
        }
        return dots == 3 && IPAddress.TryParse(name, out _);
    }

    private static string Literal(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6
        ? "[" + address.ToString() + "]"
        : address.ToString();

    private readonly record struct Entry(string Name, int? Port, bool Suffix);
}
