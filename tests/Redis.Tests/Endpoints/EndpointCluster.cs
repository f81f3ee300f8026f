using System.Collections.Concurrent;
using Switchboard.Protocol;
using Switchboard.Server;
using Switchboard.Server.Engines;

namespace Switchboard.Redis.Tests.Endpoints;

/// <summary>
/// Nodes of one typed endpoint in this process: each a <see cref="WebSocketServer"/> on a loopback port with a
/// <see cref="MessageEndpoint"/> named "chat" on a <see cref="RedisEngine"/> of its own (so a node of its own), sharing
/// one redis-server under a key prefix of the cluster's own. Groups named <c>room…</c> keep history.
/// </summary>
internal sealed class EndpointCluster(string configuration, TimeSpan? lease = null) : IAsyncDisposable
{
    private readonly List<EndpointNode> _nodes = [];

    public string Prefix { get; } = "e" + Guid.NewGuid().ToString("N")[..12];

    public TimeSpan Lease { get; } = lease ?? TimeSpan.FromSeconds(10);

    /// <summary>Every disconnected hook run on any node, in the order they ran.</summary>
    public ConcurrentQueue<Ended> Disconnected { get; } = new();

    public static GroupHistory? History(string group) => group.StartsWith("room", StringComparison.Ordinal) ? new GroupHistory { MaxLength = 100 } : null;

    /// <summary>
    /// Adds a node; <paramref name="wrap"/> puts an engine of the test's around the node's Redis engine, and
    /// <paramref name="options"/> are what the endpoint is mapped with.
    /// </summary>
    public async Task<EndpointNode> AddAsync(Func<IMessageEngine, IMessageEngine>? wrap = null, EndpointOptions? options = null)
    {
        var engine = new RedisEngine(new RedisEngineOptions
        {
            Configuration = configuration,
            KeyPrefix = Prefix,
            LeaseTime = Lease,
            // Generous: a loaded machine may take seconds to connect, and no test here times an operation.
            OperationTimeout = TimeSpan.FromSeconds(5),
        });
        EndpointNode node;
        lock (_nodes)
        {
            node = new EndpointNode(_nodes.Count, engine, this, wrap?.Invoke(engine) ?? engine, options ?? new EndpointOptions());
            _nodes.Add(node);
        }
        await node.StartAsync();
        return node;
    }

    public async Task<EndpointNode[]> AddAsync(int count)
    {
        var nodes = new EndpointNode[count];
        for (var i = 0; i < count; i++) nodes[i] = await AddAsync();
        return nodes;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
    }

    /// <summary>One run of the disconnected hook: where it ran, for which connection, and the close code.</summary>
    public sealed record Ended(int Node, long ConnectionId, string? User, string[] Groups, CloseCode? Code);
}

/// <summary>One node: a server, its endpoint and its engine.</summary>
internal sealed class EndpointNode : IAsyncDisposable
{
    private readonly EndpointCluster _cluster;
    private int _disposed;

    public EndpointNode(int index, RedisEngine engine, EndpointCluster cluster, IMessageEngine endpointEngine, EndpointOptions options)
    {
        Index = index;
        Engine = engine;
        _cluster = cluster;
        Endpoint = new MessageEndpoint(SwitchboardMessages.Catalog)
        {
            Name = "chat",
            Engine = endpointEngine,
            History = EndpointCluster.History,
        };
        Endpoint
            .On<Login>(async (context, login) =>
            {
                var ok = true;
                if (login.Unique) ok = await context.TrySetUniqueUserAsync(login.User);
                else await context.SetUserAsync(login.User);
                Contexts[context.ConnectionId] = context;
                await context.SendAsync(new Welcome(login.User, ok, context.ConnectionId));
            })
            .On<JoinRoom>(async (context, join) =>
            {
                var joined = await context.JoinGroupAsync(join.Group, join.History);
                await context.SendAsync(new JoinedRoom(join.Group, joined.Recovered?.ToString() ?? "null", joined.Position?.Offset ?? -1));
            })
            .On<Post>((context, post) =>
            {
                var note = new Note(context.User ?? context.ConnectionId.ToString(System.Globalization.CultureInfo.InvariantCulture), post.Seq);
                return post.Target switch
                {
                    "all" => context.Endpoint.All.SendAsync(note),
                    "others" => context.Others.SendAsync(note),
                    "group" => context.Endpoint.Group(post.Name).SendAsync(note),
                    "user" => context.Endpoint.User(post.Name).SendAsync(note),
                    "connection" => context.Endpoint.Connection(post.Connection).SendAsync(note),
                    _ => throw new ArgumentException($"unknown target '{post.Target}'", nameof(post)),
                };
            })
            .OnDisconnected((context, code) =>
            {
                Contexts.TryRemove(context.ConnectionId, out _);
                _cluster.Disconnected.Enqueue(new EndpointCluster.Ended(Index, context.ConnectionId, context.User, [.. context.Groups], code));
                return ValueTask.CompletedTask;
            });
        Server = new WebSocketServer(new WebSocketServerOptions());
        Server.Map("/chat", Endpoint, options);
    }

    public int Index { get; }

    /// <summary>This node's connections that logged in, by id: the app's handle to close one from the server.</summary>
    public ConcurrentDictionary<long, MessageContext> Contexts { get; } = new();

    public RedisEngine Engine { get; }

    public MessageEndpoint Endpoint { get; }

    public WebSocketServer Server { get; }

    public int Port => Server.LocalEndPoint.Port;

    public Uri Uri => new($"ws://127.0.0.1:{Port}/chat");

    /// <summary>This node's side of the endpoint on Redis, once the engine is open.</summary>
    public RedisEndpointEngine Opened => Engine.OpenEndpoints.Single();

    public async Task StartAsync()
    {
        Server.Start();
        // Open the engine now (the first send would too), so the node is in the cluster before any client comes.
        await Endpoint.UsersAsync();
    }

    /// <summary>Stops the server, closes the endpoint (this node leaves the cluster), then the engine: the order an app follows.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await Server.StopAsync();
        await Endpoint.DisposeAsync();
        await Engine.DisposeAsync();
    }
}
