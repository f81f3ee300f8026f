using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Switchboard.Server.Engines;

namespace Switchboard.Redis;

/// <summary>
/// The scale-out engine: endpoints of the same name on every node that shares one Redis are one endpoint. Messages
/// cross nodes on one pub/sub channel per endpoint, presence (connections, users, groups) lives in Redis hashes and
/// sets changed by Lua scripts, and a group's history is a Redis stream with an offset per message and an epoch per
/// history. docs/scale-out.md describes the keys, the leases that free a dead node's users, and outages.
/// </summary>
/// <remarks>
/// One engine holds one connection to Redis (two sockets: commands and subscriptions) for every endpoint opened on it.
/// While Redis is unreachable, operations throw <see cref="EngineUnavailableException"/> at once (or after
/// <see cref="RedisEngineOptions.OperationTimeout"/> when Redis stops answering), nodes are told
/// <see cref="IEngineNode.Interrupted"/>, and once Redis is back each endpoint resubscribes and registers its node and
/// its live connections again. Dispose the endpoints (<c>MessageEndpoint.DisposeAsync</c>, which closes the endpoint's
/// node on this engine) before the engine; disposing the engine alone leaves their nodes to be reaped by the others, as
/// if this process had died.
/// </remarks>
public sealed class RedisEngine : IMessageEngine, IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly ConcurrentDictionary<RedisEndpointEngine, byte> _open = new();
    private ConnectionMultiplexer? _connection;
    private int _disposed;

    /// <summary>Creates the engine; it connects to Redis when the first endpoint opens on it.</summary>
    /// <param name="options">Where Redis is and how the cluster's state is kept there; copied, so later changes have no effect.</param>
    /// <param name="loggerFactory">Where the engine logs (category <c>Switchboard.Redis</c>); none when null.</param>
    public RedisEngine(RedisEngineOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = new RedisEngineOptions
        {
            Configuration = options.Configuration,
            KeyPrefix = options.KeyPrefix,
            LeaseTime = options.LeaseTime,
            OperationTimeout = options.OperationTimeout,
        };
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Switchboard.Redis");
    }

    /// <summary>The engine's options (a copy of those it was created with).</summary>
    public RedisEngineOptions Options { get; }

    internal RedisMetrics Metrics { get; } = new();

    internal ILogger Logger => _logger;

    /// <summary>
    /// Opens the engine for <paramref name="endpoint"/>: connects to Redis if not yet connected, takes a node number,
    /// registers the node's lease and subscribes to the endpoint's channel.
    /// </summary>
    /// <exception cref="NotSupportedException">The endpoint compares users with neither <see cref="StringComparer.Ordinal"/> nor <see cref="StringComparer.OrdinalIgnoreCase"/>.</exception>
    /// <exception cref="EngineUnavailableException">Redis could not be reached within <see cref="RedisEngineOptions.OperationTimeout"/>.</exception>
    public async ValueTask<IEndpointEngine> OpenAsync(EngineEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var ignoreCase = ReferenceEquals(endpoint.UserComparer, StringComparer.OrdinalIgnoreCase)
            ? true
            : ReferenceEquals(endpoint.UserComparer, StringComparer.Ordinal)
                ? false
                : throw new NotSupportedException($"endpoint '{endpoint.Name}': the Redis engine keys users by name, so it supports only StringComparer.Ordinal and StringComparer.OrdinalIgnoreCase as the user comparer");
        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var engine = new RedisEndpointEngine(this, connection, endpoint, ignoreCase);
        await engine.StartAsync(cancellationToken).ConfigureAwait(false);
        _open.TryAdd(engine, 0);
        return engine;
    }

    internal void Closed(RedisEndpointEngine engine) => _open.TryRemove(engine, out _);

    /// <summary>The endpoints open on this engine; for tests that make one hang.</summary>
    internal ICollection<RedisEndpointEngine> OpenEndpoints => _open.Keys;

    private async ValueTask<ConnectionMultiplexer> ConnectAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _connection) is { } connected) return connected;
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { } raced) return raced;
            ConfigurationOptions configuration;
            try
            {
                configuration = ConfigurationOptions.Parse(Options.Configuration);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"RedisEngineOptions.Configuration '{Options.Configuration}' is not a StackExchange.Redis configuration string: {e.Message}", e);
            }
            var timeout = (int)Options.OperationTimeout.TotalMilliseconds;
            // Keep connecting in the background (a node may start before Redis), fail operations at once while
            // disconnected instead of queueing them, and bound every wait by the operation timeout.
            configuration.AbortOnConnectFail = false;
            configuration.BacklogPolicy = BacklogPolicy.FailFast;
            configuration.ConnectTimeout = timeout;
            configuration.SyncTimeout = timeout;
            configuration.AsyncTimeout = timeout;
            configuration.ReconnectRetryPolicy = new LinearRetry(Math.Min(timeout, 1000));
            configuration.ClientName ??= "switchboard";
            var connection = await ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(cancellationToken).ConfigureAwait(false);
            connection.ConnectionFailed += OnConnectionFailed;
            connection.ConnectionRestored += OnConnectionRestored;
            Volatile.Write(ref _connection, connection);
            return connection;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        Log.ConnectionFailed(_logger, e.ConnectionType.ToString(), e.EndPoint?.ToString(), e.FailureType.ToString(), e.Exception);
        foreach (var engine in _open.Keys) engine.OnConnectionFailed($"the connection to Redis failed ({e.FailureType})");
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        Log.ConnectionRestored(_logger, e.ConnectionType.ToString(), e.EndPoint?.ToString());
        foreach (var engine in _open.Keys) engine.OnConnectionRestored();
    }

    /// <summary>
    /// Closes the connection to Redis. Endpoints still open on the engine stop renewing their nodes' leases without
    /// leaving presence: the other nodes reap them within the lease, as they would a node that died.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var engine in _open.Keys) engine.Abandon();
        if (_connection is { } connection)
        {
            connection.ConnectionFailed -= OnConnectionFailed;
            connection.ConnectionRestored -= OnConnectionRestored;
            await connection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        Metrics.Dispose();
        _connectLock.Dispose();
    }
}
