using System.Collections.Concurrent;

namespace Switchboard.Server.Messaging;

/// <summary>
/// Who is connected to an endpoint: every connection, the connections of each user, the members of each group.
/// Thread-safe; lookups return snapshots so a send never races a join or a leave.
/// </summary>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<long, MessageContext> _connections = new();
    private readonly Dictionary<string, HashSet<MessageContext>> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<MessageContext>> _groups = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public int Count => _connections.Count;

    public void Add(MessageContext context) => _connections[context.ConnectionId] = context;

    /// <summary>Forgets the connection everywhere; returns true when it was its user's last connection.</summary>
    public bool Remove(MessageContext context)
    {
        _connections.TryRemove(context.ConnectionId, out _);
        lock (_lock)
        {
            foreach (var group in context.GroupsUnsafe) RemoveFrom(_groups, group, context);
            return context.User is { } user && RemoveFrom(_users, user, context);
        }
    }

    public MessageContext? Find(long connectionId) => _connections.GetValueOrDefault(connectionId);

    /// <summary>Binds the connection to <paramref name="user"/>; with <paramref name="unique"/> only if the user has no other connection.</summary>
    public bool TrySetUser(MessageContext context, string user, bool unique)
    {
        lock (_lock)
        {
            if (string.Equals(context.User, user, StringComparison.Ordinal)) return true;
            if (unique && _users.TryGetValue(user, out var existing) && existing.Count > 0) return false;
            if (context.User is { } previous) RemoveFrom(_users, previous, context);
            AddTo(_users, user, context);
            context.UserUnsafe = user;
            return true;
        }
    }

    public void Join(MessageContext context, string group)
    {
        lock (_lock)
        {
            if (context.GroupsUnsafe.Add(group)) AddTo(_groups, group, context);
        }
    }

    public void Leave(MessageContext context, string group)
    {
        lock (_lock)
        {
            if (context.GroupsUnsafe.Remove(group)) RemoveFrom(_groups, group, context);
        }
    }

    public string[] GroupsOf(MessageContext context)
    {
        lock (_lock) return [.. context.GroupsUnsafe];
    }

    public MessageContext[] All() => [.. _connections.Values];

    public MessageContext[] OfUser(string user) => Snapshot(_users, user);

    public MessageContext[] InGroup(string group) => Snapshot(_groups, group);

    public string[] Users()
    {
        lock (_lock) return [.. _users.Keys.Order(StringComparer.Ordinal)];
    }

    public bool HasUser(string user)
    {
        lock (_lock) return _users.ContainsKey(user);
    }

    private MessageContext[] Snapshot(Dictionary<string, HashSet<MessageContext>> index, string key)
    {
        lock (_lock) return index.TryGetValue(key, out var set) ? [.. set] : [];
    }

    private static void AddTo(Dictionary<string, HashSet<MessageContext>> index, string key, MessageContext context)
    {
        if (!index.TryGetValue(key, out var set)) index[key] = set = [];
        set.Add(context);
    }

    // Returns true when the key's last member left (and the key was dropped).
    private static bool RemoveFrom(Dictionary<string, HashSet<MessageContext>> index, string key, MessageContext context)
    {
        if (!index.TryGetValue(key, out var set) || !set.Remove(context)) return false;
        if (set.Count > 0) return false;
        index.Remove(key);
        return true;
    }
}
