using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using StackExchange.Redis;
using StreamPosition = Switchboard.Messaging.StreamPosition;
using Switchboard.Server.Engines;

namespace Switchboard.Redis;

/// <summary>One endpoint's node on Redis: its channel subscription, its lease, and its share of presence and history.</summary>
internal sealed class RedisEndpointEngine : IEndpointEngine
{
    private const int NodeNumbers = 1 << 23;

    private readonly RedisEngine _engine;
    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _database;
    private readonly EngineEndpoint _endpoint;
    private readonly bool _ignoreCase;
    private readonly string _prefix;
    private readonly RedisChannel _channel;
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _leaseStop = new();
    private readonly ConcurrentDictionary<long, LocalConnection> _local = new();
    // Live connections another node reaped (and reported lost) while this one hung: their end is not this node's to report.
    private readonly ConcurrentDictionary<long, byte> _reported = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _syncs = new(StringComparer.Ordinal);
    private readonly KeyValuePair<string, object?> _tag;
    private ChannelMessageQueue? _queue;
    private Task _reading = Task.CompletedTask;
    private Task _leasing = Task.CompletedTask;
    private int _interrupted;
    private int _dropped;
    private int _reregistered;
    private int _receiving = 1;
    private int _probing;
    private int _probes;
    private long _syncCount;
    private string? _probeName;
    private TaskCompletionSource _probed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    public RedisEndpointEngine(RedisEngine engine, ConnectionMultiplexer connection, EngineEndpoint endpoint, bool ignoreCase)
    {
        _engine = engine;
        _connection = connection;
        _database = connection.GetDatabase();
        _endpoint = endpoint;
        _ignoreCase = ignoreCase;
        _prefix = $"{engine.Options.KeyPrefix}:{{{endpoint.Name}}}:";
        _channel = RedisChannel.Literal(_prefix + "messages");
        _tag = RedisMetrics.Endpoint(endpoint.Name);
    }

    public int NodeNumber { get; private set; }

    private string Node => NodeNumber.ToString(CultureInfo.InvariantCulture);

    private long LeaseMilliseconds => (long)_engine.Options.LeaseTime.TotalMilliseconds;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Right after connecting, the subscription socket may still be on its way: each step retries briefly, within
        // the operation timeout, before it reports Redis unavailable.
        for (var attempt = 0; ; attempt++)
        {
            var next = await Starting("register", () => _database.StringIncrementAsync(_prefix + "node-seq"), cancellationToken).ConfigureAwait(false);
            // Numbers come from a counter; one still leased (a live node, after Redis lost the counter) is passed over.
            NodeNumber = (int)(next % NodeNumbers);
            var taken = await Starting("register", () => _database.ScriptEvaluateAsync(Scripts.Register, null, [_prefix, Node, _instance, LeaseMilliseconds]), cancellationToken).ConfigureAwait(false);
            if ((int)taken == 1) break;
            if (attempt == 100) throw new EngineUnavailableException($"endpoint '{_endpoint.Name}': no free node number after 100 tries");
        }
        _queue = await Starting("subscribe", () => _connection.GetSubscriber().SubscribeAsync(_channel), cancellationToken).ConfigureAwait(false);
        Log.Registered(_engine.Logger, _endpoint.Name, NodeNumber);
        _reading = Task.Run(ReadAsync, CancellationToken.None);
        _leasing = Task.Run(LeaseAsync, CancellationToken.None);
    }

    private async Task<T> Starting<T>(string operation, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)_engine.Options.OperationTimeout.TotalMilliseconds;
        while (true)
        {
            try
            {
                return await call().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (RedisConnectionException) when (Environment.TickCount64 < deadline)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
            {
                _engine.Metrics.Unavailable.Add(1, _tag);
                Log.Unavailable(_engine.Logger, operation, _endpoint.Name, _engine.Options.OperationTimeout, e);
                throw new EngineUnavailableException($"Redis is unreachable: {operation} of endpoint '{_endpoint.Name}' did not happen ({e.Message})", e);
            }
        }
    }

    public async ValueTask<long> PublishAsync(MessageTarget target, EngineMessage message, CancellationToken cancellationToken)
    {
        var history = target.Kind == MessageTargetKind.Group ? _endpoint.History(target.Name!) : null;
        if (history is null)
        {
            var frame = Frame.Channel(target, message);
            await Run("publish", () => _database.PublishAsync(_channel, frame), cancellationToken).ConfigureAwait(false);
            _engine.Metrics.Published.Add(1, _tag);
            return 0;
        }
        var result = await Eval("publish", Scripts.PublishToHistory, cancellationToken,
            _prefix, target.Name!, NewEpoch(), history.MaxLength, Milliseconds(history.MaxAge), Now(),
            _prefix + "messages", Frame.Body(target, message)).ConfigureAwait(false);
        _engine.Metrics.Published.Add(1, _tag);
        return (long)result;
    }

    public async ValueTask AddConnectionAsync(long connectionId, CancellationToken cancellationToken)
    {
        // A connection that arrived before the subscription delivers again would miss messages without being told.
        if (Volatile.Read(ref _receiving) == 0) throw new EngineUnavailableException($"endpoint '{_endpoint.Name}' is resubscribing to Redis after an outage");
        await Eval("add connection", Scripts.AddConnection, cancellationToken, _prefix, Node, connectionId).ConfigureAwait(false);
        _local.TryAdd(connectionId, new LocalConnection());
    }

    public async ValueTask<bool> RemoveConnectionAsync(ConnectionPresence connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _local.TryRemove(connection.ConnectionId, out _);
        var reported = _reported.TryRemove(connection.ConnectionId, out _);
        var there = (int)await Eval("remove connection", Scripts.RemoveConnection, cancellationToken, _prefix, Node, connection.ConnectionId).ConfigureAwait(false) == 1;
        // Gone from Redis after a drop may be Redis that lost its data, not a reap: then the end is still this node's.
        return !reported && (there || Volatile.Read(ref _dropped) != 0);
    }

    public async ValueTask<bool> SetUserAsync(long connectionId, string? previous, string user, bool unique, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        // Not this node's live connection: it ended while its connected hook was claiming, and a late claim leaves no trace.
        if (!_local.ContainsKey(connectionId)) return false;
        var key = UserKey(user);
        var result = (int)await Eval("set user", Scripts.SetUser, cancellationToken, _prefix, Node, connectionId, key, user, unique ? 1 : 0).ConfigureAwait(false);
        if (result == 0) return false;
        // No presence in Redis: removed meanwhile (then gone from _local too), or Redis lost it and the renewal puts back
        // what _local holds; a reaped connection leaves _local when the renewal finds it gone.
        if (!_local.TryGetValue(connectionId, out var local)) return false;
        lock (local)
        {
            local.User = user;
            local.UserKey = key;
        }
        return true;
    }

    public async ValueTask JoinAsync(long connectionId, string? user, string group, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (!_local.ContainsKey(connectionId)) return; // ended while its connected hook was joining
        await Eval("join", Scripts.Join, cancellationToken, _prefix, Node, connectionId, group).ConfigureAwait(false);
        // As for a user: never put back into _local, which the renewal restores presence from.
        if (!_local.TryGetValue(connectionId, out var local)) return;
        lock (local) local.Groups.Add(group);
    }

    public async ValueTask LeaveAsync(long connectionId, string group, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        await Eval("leave", Scripts.Leave, cancellationToken, _prefix, connectionId, group).ConfigureAwait(false);
        if (_local.TryGetValue(connectionId, out var local))
        {
            lock (local) local.Groups.Remove(group);
        }
    }

    public async ValueTask<IReadOnlyList<GroupMember>> MembersAsync(string group, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        var entries = await Run("members", () => _database.HashGetAllAsync(_prefix + "members:" + group), cancellationToken).ConfigureAwait(false);
        var members = new GroupMember[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            var value = (string?)entries[i].Value;
            members[i] = new GroupMember((long)entries[i].Name, string.IsNullOrEmpty(value) ? null : value[1..]);
        }
        return members;
    }

    public async ValueTask<IReadOnlyList<string>> UsersAsync(CancellationToken cancellationToken)
    {
        var values = await Run("users", () => _database.HashValuesAsync(_prefix + "users"), cancellationToken).ConfigureAwait(false);
        var users = new string[values.Length];
        for (var i = 0; i < values.Length; i++) users[i] = (string)values[i]!;
        Array.Sort(users, StringComparer.Ordinal);
        return users;
    }

    public async ValueTask<bool> IsConnectedAsync(string user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return await Run("is connected", () => _database.HashExistsAsync(_prefix + "users", UserKey(user)), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<HistoryRead> ReadHistoryAsync(string group, StreamPosition? since, int last, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentOutOfRangeException.ThrowIfNegative(last);
        var history = _endpoint.History(group) ?? throw new InvalidOperationException($"group '{group}' of endpoint '{_endpoint.Name}' keeps no history");
        var result = (RedisResult[])(await Eval("read history", Scripts.ReadHistory, cancellationToken,
            _prefix, group, NewEpoch(), Milliseconds(history.MaxAge), Now(),
            since?.Epoch ?? "", since?.Offset ?? 0, Math.Min(last, history.MaxLength)).ConfigureAwait(false))!;
        // The read can run ahead of this node's subscription: messages it saw may not have reached the node yet, and
        // would then go live to a joiner that had them in its replay. A probe published after the read comes back
        // after every one of them, each delivered (and held for the joiner) by then.
        await SyncAsync(cancellationToken).ConfigureAwait(false);
        var top = new StreamPosition((string)result[0]!, (long)result[1]);
        bool? recovered = (int)result[2] switch { 1 => true, 0 => false, _ => null };
        var messages = new EngineMessage[(result.Length - 3) / 2];
        for (var i = 0; i < messages.Length; i++)
        {
            var id = (string)result[3 + 2 * i]!;
            var offset = long.Parse(id.AsSpan(0, id.IndexOf('-', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
            messages[i] = Frame.ReadBody((byte[])result[4 + 2 * i]!, offset).Message;
        }
        return new HistoryRead(top, recovered, messages);
    }

    /// <summary>Hands each message of the channel to the node, one at a time, in the order Redis sent them.</summary>
    private async Task ReadAsync()
    {
        var queue = _queue!;
        while (true)
        {
            ChannelMessage received;
            try
            {
                received = await queue.ReadAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested || queue.Completion.IsCompleted)
            {
                return;
            }
            try
            {
                var bytes = (byte[])received.Message!;
                if (Frame.ProbeOf(bytes) is { } probe)
                {
                    if (probe == Volatile.Read(ref _probeName)) Volatile.Read(ref _probed).TrySetResult();
                    else if (_syncs.TryRemove(probe, out var synced)) synced.TrySetResult();
                    continue;
                }
                var (target, message) = Frame.ReadChannel(bytes);
                await _endpoint.Node.DeliverAsync(target, message).ConfigureAwait(false);
                _engine.Metrics.Delivered.Add(1, _tag);
            }
            catch (Exception e)
            {
                Log.DeliveryFailed(_engine.Logger, _endpoint.Name, e);
            }
        }
    }

    /// <summary>Renews this node's lease every third of the lease time, and reaps the nodes whose leases ran out.</summary>
    private async Task LeaseAsync()
    {
        using var timer = new PeriodicTimer(_engine.Options.LeaseTime / 3, _endpoint.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(_leaseStop.Token).ConfigureAwait(false))
            {
                try
                {
                    await RenewAsync().ConfigureAwait(false);
                    await ReapAsync().ConfigureAwait(false);
                }
                catch (EngineUnavailableException e)
                {
                    Log.LeaseFailed(_engine.Logger, _endpoint.Name, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RenewAsync()
    {
        var renewed = (int)await Eval("renew lease", Scripts.Renew, CancellationToken.None, _prefix, Node, _instance, LeaseMilliseconds).ConfigureAwait(false);
        if (renewed == 0)
        {
            // Reaped, or Redis lost its data: put back what this node's live connections hold, and tell the node, whose
            // connections may have missed messages meanwhile.
            _engine.Metrics.Reregistrations.Add(1, _tag);
            Interlocked.Increment(ref _reregistered);
            // Gone without a drop: another node reaped this one and reported its connections of that moment lost. Those
            // stay gone (the interruption below closes them, and their end was reported there); later ones are put back.
            var reaped = Volatile.Read(ref _dropped) == 0;
            foreach (var (id, local) in _local)
            {
                string? user, key;
                string[] groups;
                lock (local)
                {
                    user = local.User;
                    key = local.UserKey;
                    groups = [.. local.Groups];
                }
                var args = new RedisValue[6 + groups.Length];
                args[0] = _prefix;
                args[1] = Node;
                args[2] = id;
                args[3] = key ?? "";
                args[4] = user ?? "";
                args[5] = reaped ? 1 : 0;
                for (var i = 0; i < groups.Length; i++) args[6 + i] = groups[i];
                if ((int)await Eval("restore presence", Scripts.Restore, CancellationToken.None, args).ConfigureAwait(false) == 0
                    && _local.TryRemove(id, out _))
                {
                    _reported.TryAdd(id, 0);
                }
            }
            Log.Reregistered(_engine.Logger, _endpoint.Name, NodeNumber, _local.Count);
            // After a dropped connection the node was told already; telling it again would close the connections
            // that came back since. Gone without a drop means another node reaped this one: tell it now.
            if (reaped)
            {
                Interrupt("this node's registration was gone from Redis (its lease ran out and another node reaped it)");
            }
        }
        else if (renewed == -1)
        {
            Log.NodeNumberTaken(_engine.Logger, _endpoint.Name, NodeNumber);
            Interrupt("another instance holds this node's number in Redis");
        }
    }

    private async Task ReapAsync()
    {
        var reaped = (RedisResult[])(await Eval("reap", Scripts.Reap, CancellationToken.None, _prefix, Node).ConfigureAwait(false))!;
        if (reaped.Length == 0) return;
        var lost = new ConnectionPresence[reaped.Length];
        for (var i = 0; i < reaped.Length; i++)
        {
            var fields = (RedisResult[])reaped[i]!;
            var groups = new string[fields.Length - 3];
            for (var g = 0; g < groups.Length; g++) groups[g] = (string)fields[3 + g]!;
            lost[i] = new ConnectionPresence((long)fields[0], (string?)fields[1] == "1" ? (string?)fields[2] : null, groups);
        }
        _engine.Metrics.Reaped.Add(lost.Length, _tag);
        Log.Reaped(_engine.Logger, _endpoint.Name, lost.Length);
        try
        {
            await _endpoint.Node.ConnectionsLostAsync(lost).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.ConnectionsLostFailed(_engine.Logger, _endpoint.Name, e);
        }
    }

    internal void OnConnectionFailed(string reason)
    {
        Volatile.Write(ref _receiving, 0);
        Volatile.Write(ref _dropped, 1);
        Interrupt(reason);
    }

    internal void OnConnectionRestored()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        // Register again at once rather than at the next tick (Redis may have come back without its data), then learn
        // when the subscription delivers again.
        if (Interlocked.Exchange(ref _probing, 1) != 0) return;
        _ = Task.Run(async () =>
        {
            // The event can come before the connection takes commands: retry until the renewal goes through.
            for (var attempt = 0; !_stop.IsCancellationRequested; attempt++)
            {
                try
                {
                    await RenewAsync().ConfigureAwait(false);
                    break;
                }
                catch (EngineUnavailableException e)
                {
                    if (attempt % 20 == 19) Log.LeaseFailed(_engine.Logger, _endpoint.Name, e);
                    try
                    {
                        await Task.Delay(100, _stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
            await ProbeAsync().ConfigureAwait(false);
        });
    }

    /// <summary>
    /// Sends this node probes on its own channel until one comes back: from then on its subscription delivers again,
    /// so it takes connections and a later drop interrupts it again.
    /// </summary>
    private async Task ProbeAsync()
    {
        // Numbered, so that a late probe of an earlier outage does not pass for this one's.
        var name = $"{_instance}:{Interlocked.Increment(ref _probes)}";
        var probe = Frame.Probe(name);
        Volatile.Write(ref _probeName, name);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var probed = Volatile.Read(ref _probed).Task;
                try
                {
                    await _database.PublishAsync(_channel, probe).ConfigureAwait(false);
                    await probed.WaitAsync(TimeSpan.FromMilliseconds(200), _stop.Token).ConfigureAwait(false);
                    Volatile.Write(ref _probed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                    // The outage is over: a later drop, or finding this node reaped, interrupts the node again.
                    Volatile.Write(ref _dropped, 0);
                    Volatile.Write(ref _interrupted, 0);
                    Volatile.Write(ref _receiving, 1);
                    return;
                }
                catch (Exception e) when (e is TimeoutException or RedisException)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), _stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }
    }

    /// <summary>
    /// Waits until this node's subscription has delivered every message published before the call: a probe sent now
    /// comes back after them. Throws <see cref="EngineUnavailableException"/> when it does not within the operation
    /// timeout (the subscription is down).
    /// </summary>
    private async Task SyncAsync(CancellationToken cancellationToken)
    {
        var name = $"{_instance}:sync:{Interlocked.Increment(ref _syncCount)}";
        var synced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _syncs[name] = synced;
        try
        {
            await Run("sync", () => _database.PublishAsync(_channel, Frame.Probe(name)), cancellationToken).ConfigureAwait(false);
            await synced.Task.WaitAsync(_engine.Options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            _engine.Metrics.Unavailable.Add(1, _tag);
            throw new EngineUnavailableException($"Redis is unreachable: endpoint '{_endpoint.Name}' did not get its own probe back within {_engine.Options.OperationTimeout}", e);
        }
        finally
        {
            _syncs.TryRemove(name, out _);
        }
    }

    private void Interrupt(string reason)
    {
        if (Volatile.Read(ref _disposed) != 0 || Interlocked.Exchange(ref _interrupted, 1) != 0) return;
        _engine.Metrics.Interruptions.Add(1, _tag);
        _endpoint.Node.Interrupted(reason);
    }

    /// <summary>How often this node found its registration gone and registered again.</summary>
    internal int ReregisteredCount => Volatile.Read(ref _reregistered);

    /// <summary>Stops renewing the lease, as a node that hangs would; for tests of reaping.</summary>
    internal void StopLease() => _leaseStop.Cancel();

    /// <summary>Renews the lease once, as a hung node that wakes up would; for tests of reaping.</summary>
    internal Task RenewOnceAsync() => RenewAsync();

    /// <summary>Stops everything without leaving presence: the engine closed under the endpoint.</summary>
    internal void Abandon()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _leaseStop.Cancel();
        _stop.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _leaseStop.Cancel();
        _stop.Cancel();
        await _leasing.ConfigureAwait(false);
        await _reading.ConfigureAwait(false);
        try
        {
            if (_queue is { } queue) await queue.UnsubscribeAsync().ConfigureAwait(false);
            await Eval("unregister", Scripts.Unregister, CancellationToken.None, _prefix, Node, _instance).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EngineUnavailableException or RedisException)
        {
            // Redis is gone: the lease runs out and the other nodes reap this one.
        }
        _engine.Closed(this);
        _stop.Dispose();
        _leaseStop.Dispose();
    }

    private string UserKey(string user) => _ignoreCase ? user.ToUpperInvariant() : user;

    private long Now() => _endpoint.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private static long Milliseconds(TimeSpan span) => Math.Max(1, (long)span.TotalMilliseconds);

    /// <summary>A fresh epoch: 16 random bytes in base64url, 22 characters of [A-Za-z0-9_-].</summary>
    private static string NewEpoch()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private Task<RedisResult> Eval(string operation, string script, CancellationToken cancellationToken, params RedisValue[] args)
        => Run(operation, () => _database.ScriptEvaluateAsync(script, null, args), cancellationToken);

    private async Task<T> Run<T>(string operation, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException or ObjectDisposedException)
        {
            _engine.Metrics.Unavailable.Add(1, _tag);
            Log.Unavailable(_engine.Logger, operation, _endpoint.Name, _engine.Options.OperationTimeout, e);
            throw new EngineUnavailableException($"Redis is unreachable: {operation} of endpoint '{_endpoint.Name}' did not happen ({e.Message})", e);
        }
    }

    /// <summary>What this node told Redis about one of its connections, to put back when Redis lost it.</summary>
    private sealed class LocalConnection
    {
        public string? User { get; set; }

        public string? UserKey { get; set; }

        public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);
    }
}
