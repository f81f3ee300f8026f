using System.Diagnostics;
using System.Diagnostics.Metrics;
using Switchboard.Server.Engines;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Redis.Tests;

/// <summary>Stops and restarts a redis-server of its own, so it shares none with the other classes.</summary>
public sealed class OutageTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.InitializeAsync();

    public Task DisposeAsync() => _redis.DisposeAsync();

    [Fact]
    public async Task Redis_stopping_interrupts_every_node_and_fails_operations_fast_then_nodes_come_back_with_a_new_epoch()
    {
        var history = new GroupHistory { MaxLength = 100, MaxAge = TimeSpan.FromMinutes(5) };
        await using var cluster = new Cluster(_redis.Configuration, _ => history, lease: TimeSpan.FromSeconds(3)) { OperationTimeout = TimeSpan.FromSeconds(1) };
        var nodes = await cluster.AddAsync(2);
        using var counts = new Counts(nodes[0].Engine);
        var ada = nodes[0].Connection(1);
        await nodes[0].Endpoint.AddConnectionAsync(ada, default);
        Assert.True(await nodes[0].Endpoint.SetUserAsync(ada, null, "ada", unique: true, default));
        await nodes[0].Endpoint.JoinAsync(ada, "ada", "room", default);
        Assert.Equal(1, await nodes[0].Endpoint.PublishAsync(MessageTarget.Group("room"), Cluster.Message("m", "1"), default));
        var before = await nodes[1].Endpoint.ReadHistoryAsync("room", null, 10, default);
        await nodes[1].Node.UntilDeliveredAsync(d => d.Offset == 1, "the first message");

        await _redis.StopAsync();
        foreach (var node in nodes) await node.Node.Changes.UntilAsync(() => node.Node.Interruptions.Count > 0, "the node was told of the outage");

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<EngineUnavailableException>(async () => await nodes[0].Endpoint.PublishAsync(MessageTarget.All(), Cluster.Message("m", "lost"), default));
        await Assert.ThrowsAsync<EngineUnavailableException>(async () => await nodes[1].Endpoint.UsersAsync(default));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"failing took {clock.Elapsed}");
        Assert.True(counts[SwitchboardRedisDiagnostics.Unavailable] >= 1);
        Assert.Equal(1, counts[SwitchboardRedisDiagnostics.Interruptions]);

        await _redis.StartAsync();

        // Resubscribed: each node takes connections again once its subscription delivers, and then a message sent
        // once reaches both.
        foreach (var node in nodes)
        {
            await Eventually.TrueAsync(() =>
            {
                try
                {
                    node.Endpoint.AddConnectionAsync(node.Connection(50), default).AsTask().GetAwaiter().GetResult();
                    return true;
                }
                catch (EngineUnavailableException)
                {
                    return false;
                }
            }, "the node takes connections again", TimeSpan.FromSeconds(30));
        }
        await nodes[1].Endpoint.PublishAsync(MessageTarget.All(), Cluster.Message("back", "1"), default);
        foreach (var node in nodes) await node.Node.UntilDeliveredAsync(d => d.Type == "back", "the message after the outage");

        // Re-registered: the live connection's presence is back without the node doing anything.
        await Eventually.TrueAsync(() => nodes[1].Endpoint.UsersAsync(default).AsTask().GetAwaiter().GetResult().SequenceEqual(["ada"]), "ada is present again", TimeSpan.FromSeconds(10));
        Assert.Equal([new GroupMember(ada, "ada")], await nodes[1].Endpoint.MembersAsync("room", default));
        Assert.False(await nodes[1].Endpoint.SetUserAsync(nodes[1].Connection(9), null, "ada", unique: true, default));
        await Eventually.TrueAsync(() => nodes[0].Endpoint.ReregisteredCount > 0, "node 0 registered again");
        // One outage, one interruption: registering again after it does not close the node's connections a second time.
        Assert.True(counts[SwitchboardRedisDiagnostics.Reregistrations] >= 1);
        Assert.All(nodes, node => Assert.True(node.Node.Interruptions.Count == 1, string.Join(" | ", node.Node.Interruptions)));

        // Redis came back empty: the history starts over under a new epoch, and an old position recovers nothing.
        Assert.Equal(1, await nodes[0].Endpoint.PublishAsync(MessageTarget.Group("room"), Cluster.Message("m", "2"), default));
        var after = await nodes[1].Endpoint.ReadHistoryAsync("room", before.Top, 10, default);
        Assert.NotEqual(before.Top.Epoch, after.Top.Epoch);
        Assert.False(after.Recovered);
        Assert.Equal([1], after.Messages.Select(m => m.Offset));
    }

    [Fact]
    public async Task Opening_while_Redis_is_down_throws_EngineUnavailableException()
    {
        await _redis.StopAsync();
        await using var engine = new RedisEngine(new RedisEngineOptions { Configuration = _redis.Configuration, OperationTimeout = TimeSpan.FromMilliseconds(500) });
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<EngineUnavailableException>(async () => await engine.OpenAsync(new EngineEndpoint
        {
            Name = "chat",
            UserComparer = StringComparer.Ordinal,
            History = _ => null,
            Node = new RecordingNode(),
        }, default));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"failing took {clock.Elapsed}");
    }

    /// <summary>The sums of one engine's counters, by instrument name.</summary>
    private sealed class Counts : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _sums = [];

        public Counts(RedisEngine engine)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter == engine.Metrics.Meter) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                lock (_sums) _sums[instrument.Name] = _sums.GetValueOrDefault(instrument.Name) + value;
            });
            _listener.Start();
        }

        public long this[string name] { get { lock (_sums) return _sums.GetValueOrDefault(name); } }

        public void Dispose() => _listener.Dispose();
    }
}
