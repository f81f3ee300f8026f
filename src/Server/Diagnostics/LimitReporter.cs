using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard.Server.Admission;

namespace Switchboard.Server.Diagnostics;

/// <summary>
/// Where every limit hit is reported: counted on the metric, logged at Debug, and logged as a Warning at most once per
/// client address per <see cref="WarningInterval"/>, so a client that hammers a limit cannot flood the log. Thread-safe.
/// </summary>
internal sealed class LimitReporter(ILogger logger, ServerMetrics metrics)
{
    /// <summary>How often one client address may raise a Warning.</summary>
    public static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Addresses remembered at once. Past it, an address not yet remembered is logged at Debug only until the next
    /// sweep, so many addresses cannot grow the table (nor the log) without bound.
    /// </summary>
    internal const int MaxTrackedAddresses = 4096;

    private static readonly IPAddress NoAddress = IPAddress.None;
    // Keyed as the connection caps key clients: an IPv6 client by its /64, so it cannot warn once per address it owns.
    private readonly ConcurrentDictionary<ClientAddress, long> _lastWarned = new();

    /// <summary>Reports one hit of <paramref name="limit"/> by the client at <paramref name="remote"/>.</summary>
    public void Hit(ServerLimit limit, EndPoint? remote, string detail)
    {
        metrics.LimitHit(limit);
        var address = (remote as IPEndPoint)?.Address ?? NoAddress;
        if (logger.IsEnabled(LogLevel.Warning) && TryClaimWarning(ClientAddress.Of(remote), Environment.TickCount64))
            LimitLog.HitWarning(logger, limit, address, detail);
        else
            LimitLog.Hit(logger, limit, remote, detail);
    }

    /// <summary>
    /// Counts one hit of <paramref name="limit"/> on the metric alone, for the limits whose hits keep log events of their
    /// own (the request head and body limits, the HTTP timeouts: docs/security.md).
    /// </summary>
    public void Count(ServerLimit limit) => metrics.LimitHit(limit);

    /// <summary>Forgets addresses that have not warned for a <see cref="WarningInterval"/>; called periodically.</summary>
    public void Sweep(long now)
    {
        if (_lastWarned.IsEmpty) return;
        foreach (var (address, warnedAt) in _lastWarned)
        {
            if (now - warnedAt >= (long)WarningInterval.TotalMilliseconds) _lastWarned.TryRemove(new KeyValuePair<ClientAddress, long>(address, warnedAt));
        }
    }

    private bool TryClaimWarning(ClientAddress address, long now)
    {
        var interval = (long)WarningInterval.TotalMilliseconds;
        while (true)
        {
            if (_lastWarned.TryGetValue(address, out var warnedAt))
            {
                if (now - warnedAt < interval) return false;
                if (_lastWarned.TryUpdate(address, now, warnedAt)) return true;
            }
            else
            {
                if (_lastWarned.Count >= MaxTrackedAddresses) return false;
                if (_lastWarned.TryAdd(address, now)) return true;
            }
        }
    }
}
