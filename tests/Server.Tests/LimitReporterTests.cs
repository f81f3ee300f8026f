using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard.Server.Diagnostics;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>Every limit hit is counted and logged, with at most one Warning per client address per minute.</summary>
public sealed class LimitReporterTests
{
    private static readonly IPEndPoint Alice = new(IPAddress.Parse("192.0.2.1"), 50000);
    private static readonly IPEndPoint AliceAgain = new(IPAddress.Parse("192.0.2.1"), 50001);
    private static readonly IPEndPoint Bob = new(IPAddress.Parse("192.0.2.2"), 50000);

    [Fact]
    public void One_warning_per_address_then_debug()
    {
        var logs = new RecordingLoggerFactory();
        using var metrics = new ServerMetrics();
        var reporter = new LimitReporter(logs.CreateLogger("test"), metrics);

        reporter.Hit(ServerLimit.MessageRate, Alice, "first");
        reporter.Hit(ServerLimit.MessageRate, AliceAgain, "second, other port");
        reporter.Hit(ServerLimit.ByteRate, Alice, "other limit, same address");
        reporter.Hit(ServerLimit.MessageRate, Bob, "another address");

        var events = logs.Events.ToArray();
        Assert.Equal([601, 600, 600, 601], events.Select(e => e.Id.Id));
        Assert.Equal([LogLevel.Warning, LogLevel.Debug, LogLevel.Debug, LogLevel.Warning], events.Select(e => e.Level));
        Assert.Contains("192.0.2.2", events[3].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Swept_addresses_warn_again_after_the_interval()
    {
        var logs = new RecordingLoggerFactory();
        using var metrics = new ServerMetrics();
        var reporter = new LimitReporter(logs.CreateLogger("test"), metrics);

        reporter.Hit(ServerLimit.Host, Alice, "first");
        reporter.Sweep(Environment.TickCount64); // within the interval: kept
        reporter.Hit(ServerLimit.Host, Alice, "still quiet");
        reporter.Sweep(Environment.TickCount64 + (long)LimitReporter.WarningInterval.TotalMilliseconds + 1);
        reporter.Hit(ServerLimit.Host, Alice, "a minute later");

        Assert.Equal([LogLevel.Warning, LogLevel.Debug, LogLevel.Warning], logs.Events.Select(e => e.Level));
    }

    [Fact]
    public void Many_addresses_do_not_grow_the_table_past_its_bound()
    {
        var logs = new RecordingLoggerFactory();
        using var metrics = new ServerMetrics();
        var reporter = new LimitReporter(logs.CreateLogger("test"), metrics);

        for (var i = 0; i < LimitReporter.MaxTrackedAddresses + 100; i++)
            reporter.Hit(ServerLimit.Connections, new IPEndPoint(new IPAddress(0x0A000000u + (uint)i), 1), "flood");

        Assert.Equal(LimitReporter.MaxTrackedAddresses, logs.Events.Count(e => e.Level == LogLevel.Warning));
        Assert.Equal(100, logs.Events.Count(e => e.Level == LogLevel.Debug));
    }
}
