namespace Switchboard.Server.Messaging;

/// <summary>
/// Who is connected to an endpoint on this node: every connection, the connections of each user, the members of each
/// group; what a delivery from the engine resolves its target in. Cluster-wide presence is the engine's.
/// Thread-safe; lookups return snapshots so a send never races a join or a leave.
/// </summary>
/// <remarks>
/// A set's snapshot is made on the first send after the set changed and shared by every send until it changes
/// again, so a room that keeps its members broadcasts without allocating. Shared snapshots are never written; what
/// leaves this type through a public API is a copy.
/// </remarks>
internal sealed class ConnectionRegistry
{
    private readonly Dictionary<long, MessageContext> _connections = [];
    private readonly MemberSet _all = new();
    private Dictionary<string, MemberSet> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MemberSet> _groups = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>How user names compare; changed only while no connection has a user.</summary>
    public StringComparer UserComparer
    {
        get;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            lock (_lock)
            {
                if (_users.Count > 0) throw new InvalidOperationException("the user comparer must be set before any connection has a user");
                _users = new(value);
                field = value;
            }
        }
    } = StringComparer.Ordinal;

    public int Count
    {
        get
        {
            lock (_lock) return _connections.Count;
        }
    }

    public void Add(MessageContext context)
    {
        lock (_lock)
        {
            _connections[context.ConnectionId] = context;
            _all.Add(context);
        }
    }

    /// <summary>Forgets the connection everywhere; returns true when it was its user's last connection.</summary>
    public bool Remove(MessageContext context)
    {
        lock (_lock)
        {
            _connections.Remove(context.ConnectionId);
            _all.Remove(context);
            foreach (var group in context.GroupsUnsafe) RemoveFrom(_groups, group, context);
            return context.User is { } user && RemoveFrom(_users, user, context);
        }
    }

    public MessageContext? Find(long connectionId)
    {
        lock (_lock) return _connections.GetValueOrDefault(connectionId);
    }

    /// <summary>
    /// Binds the connection to <paramref name="user"/> for this node's deliveries to users; whether it may have the user
    /// (a unique claim) is the engine's to decide, before.
    /// </summary>
    public void SetUser(MessageContext context, string user)
    {
        lock (_lock)
        {
            // Removed already: the connection ended while its connected hook was claiming; it is in no index again.
            if (!_connections.ContainsKey(context.ConnectionId)) return;
            if (context.User is { } current && UserComparer.Equals(current, user))
            {
                // The same user: keep the connection where it is, with the name as given this time.
                context.UserUnsafe = user;
                return;
            }
            if (context.User is { } previous) RemoveFrom(_users, previous, context);
            AddTo(_users, user, context);
            context.UserUnsafe = user;
        }
    }

    /// <summary>Adds the connection to <paramref name="group"/>; false when it was a member already, or was removed.</summary>
    public bool Join(MessageContext context, string group)
    {
        lock (_lock)
        {
            if (!_connections.ContainsKey(context.ConnectionId) || !context.GroupsUnsafe.Add(group)) return false;
            AddTo(_groups, group, context);
            return true;
        }
    }

    /// <summary>Removes the connection from <paramref name="group"/>; false when it was not a member.</summary>
    public bool Leave(MessageContext context, string group)
    {
        lock (_lock)
        {
            if (!context.GroupsUnsafe.Remove(group)) return false;
            RemoveFrom(_groups, group, context);
            return true;
        }
    }

    public string[] GroupsOf(MessageContext context)
    {
        lock (_lock) return [.. context.GroupsUnsafe];
    }

    /// <summary>Every connection: a shared snapshot, never to be written.</summary>
    public MessageContext[] All()
    {
        lock (_lock) return _all.Snapshot();
    }

    /// <summary>The connections of <paramref name="user"/>: a shared snapshot, never to be written.</summary>
    public MessageContext[] OfUser(string user) => Snapshot(_users, user);

    /// <summary>The members of <paramref name="group"/>: a shared snapshot, never to be written.</summary>
    public MessageContext[] InGroup(string group) => Snapshot(_groups, group);

    private MessageContext[] Snapshot(Dictionary<string, MemberSet> index, string key)
    {
        lock (_lock) return index.TryGetValue(key, out var set) ? set.Snapshot() : [];
    }

    private static void AddTo(Dictionary<string, MemberSet> index, string key, MessageContext context)
    {
        if (!index.TryGetValue(key, out var set)) index[key] = set = new MemberSet();
        set.Add(context);
    }

    // Returns true when the key's last member left (and the key was dropped).
    private static bool RemoveFrom(Dictionary<string, MemberSet> index, string key, MessageContext context)
    {
        if (!index.TryGetValue(key, out var set) || !set.Remove(context)) return false;
        if (set.Count > 0) return false;
        index.Remove(key);
        return true;
    }

    /// <summary>One set of connections and its snapshot, made when first asked for after a change; under the registry's lock.</summary>
    private sealed class MemberSet
    {
        private readonly HashSet<MessageContext> _members = [];
        private MessageContext[]? _snapshot;

        public int Count => _members.Count;

        public void Add(MessageContext context)
        {
            if (_members.Add(context)) _snapshot = null;
        }

        public bool Remove(MessageContext context)
        {
            if (!_members.Remove(context)) return false;
            _snapshot = null;
            return true;
        }

        public MessageContext[] Snapshot() => _snapshot ??= [.. _members];
    }
}
