using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Switchboard.Messaging;

namespace Switchboard.Server.Engines;

/// <summary>
/// One endpoint's in-memory engine (<see cref="InMemoryEngine"/>): its presence under one lock, and a log per group
/// that keeps history, each under a lock of its own that covers assigning an offset, storing and delivering, so
/// offsets and delivery order agree. Sends to anything else go straight to the node, lock-free.
/// </summary>
internal sealed class InMemoryEndpointEngine(EngineEndpoint endpoint) : IEndpointEngine
{
    private readonly IEngineNode _node = endpoint.Node;
    private readonly Func<string, GroupHistory?> _history = endpoint.History;
    private readonly TimeProvider _time = endpoint.TimeProvider;
    private readonly ConcurrentDictionary<string, GroupLog> _logs = new(StringComparer.Ordinal);
    private readonly Lock _presence = new();
    private readonly Dictionary<long, Presence> _connections = [];
    private readonly Dictionary<string, UserEntry> _users = new(endpoint.UserComparer);
    private readonly Dictionary<string, HashSet<long>> _groups = new(StringComparer.Ordinal);

    public int NodeNumber => 0;

    public ValueTask<long> PublishAsync(MessageTarget target, EngineMessage message, CancellationToken cancellationToken)
    {
        if (target.Kind != MessageTargetKind.Group || _history(target.Name!) is not { } options)
        {
            var delivery = _node.DeliverAsync(target, message);
            if (!delivery.IsCompletedSuccessfully) return DeliveredAsync(delivery, 0);
            delivery.GetAwaiter().GetResult();
            return new ValueTask<long>(0);
        }

        var log = Log(target.Name!);
        long offset;
        ValueTask delivered;
        lock (log)
        {
            offset = log.Append(message, options, _time.GetUtcNow());
            // Its sends are queued in this call, so the next offset's cannot overtake them; they are awaited outside.
            delivered = _node.DeliverAsync(target, message.WithOffset(offset));
        }
        if (!delivered.IsCompletedSuccessfully) return DeliveredAsync(delivered, offset);
        delivered.GetAwaiter().GetResult();
        return new ValueTask<long>(offset);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<long> DeliveredAsync(ValueTask delivery, long offset)
    {
        await delivery.ConfigureAwait(false);
        return offset;
    }

    public ValueTask<HistoryRead> ReadHistoryAsync(string group, StreamPosition? since, int last, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentOutOfRangeException.ThrowIfNegative(last);
        var options = _history(group) ?? new GroupHistory();
        var log = Log(group);
        lock (log) return ValueTask.FromResult(log.Read(since, last, options, _time.GetUtcNow()));
    }

    public ValueTask AddConnectionAsync(long connectionId, CancellationToken cancellationToken)
    {
        lock (_presence) _connections.TryAdd(connectionId, new Presence());
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> RemoveConnectionAsync(ConnectionPresence connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        // One process: nothing is ever reaped, so every connection's end is this node's to report.
        lock (_presence)
        {
            if (!_connections.Remove(connection.ConnectionId, out var presence)) return new(true);
            foreach (var group in presence.Groups) RemoveMember(group, connection.ConnectionId);
            if (presence.User is { } user) ReleaseUser(user, connection.ConnectionId);
        }
        return new(true);
    }

    public ValueTask<bool> SetUserAsync(long connectionId, string? previous, string user, bool unique, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        lock (_presence)
        {
            // Unknown: the connection ended while its connected hook was still claiming (AddConnectionAsync always comes
            // first), and a late claim must not bring it back holding the name.
            if (!_connections.TryGetValue(connectionId, out var presence)) return ValueTask.FromResult(false);
            if (unique && _users.TryGetValue(user, out var holders) && holders.Connections.Any(id => id != connectionId))
                return ValueTask.FromResult(false);
            if (presence.User is { } current)
            {
                if (_users.Comparer.Equals(current, user))
                {
                    // The same user, spelled as given this time.
                    presence.User = user;
                    _users[current].Spelling = user;
                    return ValueTask.FromResult(true);
                }
                ReleaseUser(current, connectionId);
            }
            if (!_users.TryGetValue(user, out var entry)) _users[user] = entry = new UserEntry(user);
            entry.Connections.Add(connectionId);
            presence.User = user;
        }
        return ValueTask.FromResult(true);
    }

    public ValueTask JoinAsync(long connectionId, string? user, string group, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        lock (_presence)
        {
            // Unknown: the connection ended while its connected hook was still joining; a late join leaves no member.
            if (!_connections.TryGetValue(connectionId, out var presence)) return ValueTask.CompletedTask;
            if (!presence.Groups.Add(group)) return ValueTask.CompletedTask;
            if (!_groups.TryGetValue(group, out var members)) _groups[group] = members = [];
            members.Add(connectionId);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask LeaveAsync(long connectionId, string group, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        lock (_presence)
        {
            if (_connections.TryGetValue(connectionId, out var presence) && presence.Groups.Remove(group)) RemoveMember(group, connectionId);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<GroupMember>> MembersAsync(string group, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        lock (_presence)
        {
            if (!_groups.TryGetValue(group, out var members)) return ValueTask.FromResult<IReadOnlyList<GroupMember>>([]);
            return ValueTask.FromResult<IReadOnlyList<GroupMember>>([.. members.Select(id => new GroupMember(id, _connections[id].User))]);
        }
    }

    public ValueTask<IReadOnlyList<string>> UsersAsync(CancellationToken cancellationToken)
    {
        lock (_presence) return ValueTask.FromResult<IReadOnlyList<string>>([.. _users.Values.Select(entry => entry.Spelling).Order(StringComparer.Ordinal)]);
    }

    public ValueTask<bool> IsConnectedAsync(string user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        lock (_presence) return ValueTask.FromResult(_users.ContainsKey(user));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private GroupLog Log(string group) => _logs.GetOrAdd(group, static _ => new GroupLog());

    // Under the presence lock.
    private void RemoveMember(string group, long connectionId)
    {
        if (_groups.TryGetValue(group, out var members) && members.Remove(connectionId) && members.Count == 0) _groups.Remove(group);
    }

    // Under the presence lock.
    private void ReleaseUser(string user, long connectionId)
    {
        if (_users.TryGetValue(user, out var entry) && entry.Connections.Remove(connectionId) && entry.Connections.Count == 0) _users.Remove(user);
    }

    /// <summary>A connection's user and groups; under the presence lock.</summary>
    private sealed class Presence
    {
        public string? User { get; set; }

        public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>A user's connections, and the user as its first connection spelled it (or as it renamed itself since).</summary>
    private sealed class UserEntry(string spelling)
    {
        public string Spelling { get; set; } = spelling;

        public HashSet<long> Connections { get; } = [];
    }

    /// <summary>One group's history: its epoch, its newest offset and the messages it still holds; under its own lock.</summary>
    private sealed class GroupLog
    {
        private readonly Queue<(EngineMessage Message, DateTimeOffset At)> _messages = new();
        private long _top;

        public string Epoch { get; } = NewEpoch();

        public long Append(EngineMessage message, GroupHistory options, DateTimeOffset now)
        {
            var offset = ++_top;
            // The sender's buffer goes back to its pool once the send is done: the history keeps a copy of its own.
            _messages.Enqueue((new EngineMessage(message.Type, message.Envelope.ToArray(), offset), now));
            Trim(options, now);
            return offset;
        }

        public HistoryRead Read(StreamPosition? since, int last, GroupHistory options, DateTimeOffset now)
        {
            Trim(options, now);
            var top = new StreamPosition(Epoch, _top);
            if (since is { } position && Covers(position))
                return new HistoryRead(top, true, [.. _messages.Where(m => m.Message.Offset > position.Offset).Select(m => m.Message)]);
            var count = Math.Min(last, _messages.Count);
            var messages = count == 0 ? [] : _messages.Skip(_messages.Count - count).Select(m => m.Message).ToArray();
            return new HistoryRead(top, since is null ? null : false, messages);
        }

        /// <summary>Whether every message after <paramref name="position"/> is still held.</summary>
        private bool Covers(StreamPosition position)
        {
            if (!string.Equals(position.Epoch, Epoch, StringComparison.Ordinal) || position.Offset < 0 || position.Offset > _top) return false;
            var oldest = _messages.Count == 0 ? _top + 1 : _messages.Peek().Message.Offset;
            return position.Offset >= oldest - 1;
        }

        private void Trim(GroupHistory options, DateTimeOffset now)
        {
            while (_messages.Count > options.MaxLength) _messages.Dequeue();
            var oldest = now - options.MaxAge;
            while (_messages.Count > 0 && _messages.Peek().At <= oldest) _messages.Dequeue();
        }

        private static string NewEpoch()
        {
            Span<byte> bytes = stackalloc byte[12];
            RandomNumberGenerator.Fill(bytes);
            return Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
        }
    }
}
