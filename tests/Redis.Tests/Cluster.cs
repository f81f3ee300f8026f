using System.Text;
using Switchboard.Server.Engines;

namespace Switchboard.Redis.Tests;

/// <summary>
/// Nodes of one endpoint in this process, each with an engine (and so a Redis connection) of its own, as separate
/// processes would have; every cluster uses a key prefix of its own, so tests share one redis-server.
/// </summary>
internal sealed class Cluster : IAsyncDisposable
{
    private readonly List<Member> _members = [];

    public Cluster(string configuration, Func<string, GroupHistory?>? history = null, TimeSpan? lease = null, StringComparer? users = null, TimeProvider? clock = null)
    {
        Configuration = configuration;
        History = history ?? (_ => null);
        Lease = lease ?? TimeSpan.FromSeconds(10);
        Users = users ?? StringComparer.Ordinal;
        Clock = clock ?? TimeProvider.System;
    }

    public string Configuration { get; }

    public string Prefix { get; } = "t" + Guid.NewGuid().ToString("N")[..12];

    public Func<string, GroupHistory?> History { get; }

    public TimeSpan Lease { get; }

    public StringComparer Users { get; }

    public TimeProvider Clock { get; }

    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Starts a node. A node that cannot reach Redis within its operation timeout is retried, as an app starting
    /// beside a busy Redis would, for up to 30 s: on a loaded machine the first connection can outlast a short
    /// timeout, which a test sets for what it tests, not for starting.
    /// </summary>
    public async Task<Member> AddAsync()
    {
        var deadline = Environment.TickCount64 + 30_000;
        while (true)
        {
            var engine = new RedisEngine(new RedisEngineOptions
            {
                Configuration = Configuration,
                KeyPrefix = Prefix,
                LeaseTime = Lease,
                OperationTimeout = OperationTimeout,
            });
            var node = new RecordingNode();
            try
            {
                var open = await engine.OpenAsync(new EngineEndpoint
                {
                    Name = "chat",
                    UserComparer = Users,
                    History = History,
                    Node = node,
                    TimeProvider = Clock,
                }, CancellationToken.None);
                var member = new Member(engine, (RedisEndpointEngine)open, node);
                lock (_members) _members.Add(member);
                return member;
            }
            catch (EngineUnavailableException) when (Environment.TickCount64 < deadline)
            {
                await engine.DisposeAsync();
            }
        }
    }

    public async Task<Member[]> AddAsync(int count)
    {
        var members = new Member[count];
        for (var i = 0; i < count; i++) members[i] = await AddAsync();
        return members;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _members)
        {
            await member.Endpoint.DisposeAsync();
            await member.Engine.DisposeAsync();
        }
    }

    public static EngineMessage Message(string type, string data) => new(type, Encoding.UTF8.GetBytes($$"""{"type":"{{type}}","data":{{data}}}"""));

    public sealed record Member(RedisEngine Engine, RedisEndpointEngine Endpoint, RecordingNode Node)
    {
        public long Connection(long hostId) => ((long)Endpoint.NodeNumber << 40) | hostId;
    }
}
