using Switchboard.Testing;

namespace Switchboard.EndToEnd.Tests.Cluster;

/// <summary>
/// A redis-server of its own and three samples/Chat processes started with <c>--redis</c> on it, each on a free
/// loopback port: one room shared by three nodes. Nodes can be killed (SIGKILL) and started again, Redis stopped and
/// started again. Disposing stops every process.
/// </summary>
internal sealed class ChatCluster : IAsyncDisposable
{
    private readonly SampleProcess?[] _nodes;

    private ChatCluster(RedisServer redis, int nodes)
    {
        Redis = redis;
        _nodes = new SampleProcess?[nodes];
    }

    public RedisServer Redis { get; }

    public int Count => _nodes.Length;

    public SampleProcess Node(int index) => _nodes[index] ?? throw new InvalidOperationException($"node {index} is not running");

    public static async Task<ChatCluster> StartAsync(int nodes = 3)
    {
        var redis = new RedisServer();
        await redis.StartAsync();
        var cluster = new ChatCluster(redis, nodes);
        try
        {
            for (var i = 0; i < nodes; i++) await cluster.StartNodeAsync(i);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>Starts node <paramref name="index"/> (again), on a new port.</summary>
    public async Task StartNodeAsync(int index) => _nodes[index] = await SampleProcess.StartAsync("Chat", "--redis", Redis.Configuration);

    /// <summary>Kills node <paramref name="index"/> with SIGKILL: no close frames, no goodbye to Redis.</summary>
    public async Task KillNodeAsync(int index)
    {
        var node = Node(index);
        _nodes[index] = null;
        await node.DisposeAsync();
    }

    /// <summary>Everything every node printed, for assertion messages.</summary>
    public string Output => string.Join("\n", _nodes.Select((n, i) => $"--- node {i}\n{n?.Output}"));

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _nodes.Length; i++)
        {
            if (_nodes[i] is { } node) await node.DisposeAsync();
            _nodes[i] = null;
        }
        await Redis.StopAsync();
    }
}
