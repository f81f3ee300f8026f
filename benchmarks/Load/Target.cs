using System.Globalization;
using System.Net;

namespace Switchboard.Benchmarks.Load;

/// <summary>How messages are framed inside WebSocket text messages.</summary>
internal enum WireFormat
{
    /// <summary>Switchboard's envelope <c>{"type":…,"data":{…}}</c>; raw forwarders pass it through untouched.</summary>
    Envelope,

    /// <summary>SignalR's JSON hub protocol: a handshake, then invocation records ended by 0x1E.</summary>
    SignalR,
}

/// <summary>The server under load: where to connect and what it speaks.</summary>
internal sealed record Target(IPAddress Address, int Port, string Path, WireFormat Format)
{
    /// <summary>Parses <c>ws://HOST:PORT/PATH</c>; HOST must be an IP address (no DNS on the measured path).</summary>
    public static Target Parse(string url, WireFormat format)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "ws" || !IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
            throw new UsageException($"--url must look like ws://127.0.0.1:9001/path, not '{url}'");
        return new Target(address, uri.Port, uri.PathAndQuery, format);
    }

    public string HostHeader => Address.ToString();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"ws://{Address}:{Port}{Path}");
}

/// <summary>
/// Local addresses to connect from, in turn. On loopback every 127.x.y.z is ours, and each one is a fresh range of
/// ephemeral ports, so many short connections (handshakes/s) or many held ones never run out of ports.
/// </summary>
internal sealed class SourceAddresses(IPAddress target, int count)
{
    private readonly IPAddress[] _addresses = IPAddress.IsLoopback(target) && target.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
        ? [.. Enumerable.Range(0, Math.Max(1, count)).Select(i => new IPAddress(new byte[] { 127, 0, (byte)(i / 250), (byte)(1 + i % 250) }))]
        : [];
    private int _next = -1;

    /// <summary>The next address to bind to, or null to let the kernel choose.</summary>
    public IPAddress? Next() => _addresses.Length == 0 ? null : _addresses[(int)((uint)Interlocked.Increment(ref _next) % _addresses.Length)];
}
