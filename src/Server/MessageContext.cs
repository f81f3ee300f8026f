using System.Collections.Concurrent;
using Switchboard.Messaging;
using Switchboard.Server.DependencyInjection;
using Switchboard.Server.Engines;
using Switchboard.Server.Messaging;

namespace Switchboard.Server;

/// <summary>
/// One connection of a typed endpoint as its handlers see it: who it is, where it came in, and whom it can reach.
/// A handler never learns which transport carries the connection. Sending is thread-safe; <see cref="Items"/> is not.
/// </summary>
public sealed class MessageContext
{
    private readonly ConnectionRegistry _registry;
    private readonly IEndpointEngine _engine;
    private MessageContext[]? _asRecipients;
    private readonly Dictionary<string, StreamPosition>? _positions;
    private ConcurrentDictionary<string, JoinHold>? _holds;

    internal MessageContext(IMessageChannel channel, MessageEndpoint endpoint, ConnectionRegistry registry, IEndpointEngine engine, long connectionId,
        Dictionary<string, StreamPosition>? positions)
    {
        Channel = channel;
        Endpoint = endpoint;
        _registry = registry;
        _engine = engine;
        ConnectionId = connectionId;
        _positions = positions;
    }

    /// <summary>
    /// A number unique among the endpoint's connections on every node: the engine's node number in the high bits
    /// (<see cref="IEndpointEngine.NodeNumber"/>, 0 with the in-memory engine), the host's connection id below.
    /// </summary>
    public long ConnectionId { get; }

    /// <summary>Values captured by the endpoint's route template, e.g. <c>username</c> for <c>/ws/{username}</c>.</summary>
    public IReadOnlyDictionary<string, string> RouteValues => Channel.RouteValues;

    /// <summary>
    /// The user this connection speaks for: the one the endpoint's <see cref="EndpointOptions.Authenticate"/> hook named
    /// when it opened, or the one set since with <see cref="SetUserAsync"/> or <see cref="TrySetUniqueUserAsync"/>.
    /// </summary>
    public string? User => UserUnsafe;

    /// <summary>The claims the authentication hook kept with the user when the connection opened, or null.</summary>
    public System.Security.Claims.ClaimsPrincipal? Principal => Channel.Principal;

    /// <summary>Per-connection storage for the application; use it from this connection's handler calls only.</summary>
    public IDictionary<string, object?> Items => Channel.Items;

    /// <summary>
    /// The services of the handler call that is running: a scope made for this call alone from the endpoint's
    /// <see cref="MessageEndpoint.Services"/>, so a scoped service is a new instance per message (and per hook call),
    /// disposed once the handler's task completes; singletons are the container's. It follows the call through its
    /// awaits. Where there is no scope it resolves nothing: <c>GetService</c> returns null and <c>GetRequiredService</c>
    /// throws an <see cref="InvalidOperationException"/> saying why, either because the endpoint has no services or
    /// because it is read outside one of this connection's handler calls (from another connection's handler, a
    /// background task, or after the call).
    /// </summary>
    public IServiceProvider Services => Endpoint.Services is null ? NoServices.NoContainer : HandlerScope.Of(this) ?? NoServices.OutsideCall;

    /// <summary>The endpoint the connection belongs to: reach everyone, a user or a group from here.</summary>
    public MessageEndpoint Endpoint { get; }

    /// <summary>Every connection of the endpoint except this one.</summary>
    public Recipients Others => Endpoint.AllExcept(ConnectionId);

    /// <summary>The groups this connection has joined (known on its own node).</summary>
    public IReadOnlyCollection<string> Groups => _registry.GroupsOf(this);

    internal IMessageChannel Channel { get; }

    /// <summary>The connection's requests received and not yet answered; changed with <see cref="Interlocked"/> only.</summary>
    internal int RequestsInFlight;

    /// <summary>This connection alone, as the targets of a send (shared, never written); made on its first send.</summary>
    internal MessageContext[] AsRecipients => _asRecipients ??= [this];

    /// <summary>The connection's rate-limit buckets, or null when the endpoint has no rate limit.</summary>
    internal ConnectionRateLimiter? RateLimiter { get; init; }

    /// <summary>Written under the registry's lock.</summary>
    internal string? UserUnsafe { get; set; }

    /// <summary>Guarded by the registry's lock.</summary>
    internal HashSet<string> GroupsUnsafe { get; } = new(StringComparer.Ordinal);

    /// <summary>The holds of the history groups this connection is joining right now, or null when it never joined one.</summary>
    internal ConcurrentDictionary<string, JoinHold>? Holds => Volatile.Read(ref _holds);

    /// <summary>Starts holding <paramref name="group"/>'s live messages for a join; false when a join of it is under way.</summary>
    internal bool StartHold(string group, JoinHold hold)
    {
        var holds = Volatile.Read(ref _holds) ?? Interlocked.CompareExchange(ref _holds, new(StringComparer.Ordinal), null) ?? _holds!;
        return holds.TryAdd(group, hold);
    }

    internal void EndHold(string group) => _holds?.TryRemove(group, out _);

    /// <summary>The position the client presented for <paramref name="group"/> when it connected; given out once.</summary>
    internal StreamPosition? TakePosition(string group)
    {
        if (_positions is not { } positions) return null;
        lock (positions) return positions.Remove(group, out var position) ? position : null;
    }

    /// <summary>Sends a message to this connection.</summary>
    /// <exception cref="EngineUnavailableException">The engine cannot take the message now.</exception>
    public ValueTask SendAsync<T>(T message, CancellationToken cancellationToken = default) where T : IMessage<T>
        => Endpoint.Connection(ConnectionId).SendAsync(message, cancellationToken);

    /// <summary>
    /// Sends <paramref name="message"/>, serialized once before, to this connection; completes once it is queued. The
    /// same bytes go to every connection it is sent to.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    /// <exception cref="EngineUnavailableException">The engine cannot take the message now.</exception>
    public ValueTask SendAsync(PreparedMessage message, CancellationToken cancellationToken = default)
        => Endpoint.Connection(ConnectionId).SendAsync(message, cancellationToken);

    /// <summary>Binds this connection to <paramref name="user"/> on every node; a user may have many connections.</summary>
    /// <exception cref="ArgumentException"><paramref name="user"/> is null or empty.</exception>
    /// <exception cref="EngineUnavailableException">The engine cannot be reached.</exception>
    public async ValueTask SetUserAsync(string user, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        await _engine.SetUserAsync(ConnectionId, User, user, unique: false, cancellationToken).ConfigureAwait(false);
        _registry.SetUser(this, user);
    }

    /// <summary>
    /// Binds this connection to <paramref name="user"/> only if no other connection on any node speaks for that user
    /// (atomically, in the engine).
    /// </summary>
    /// <returns>False when another connection holds the user; nothing changed then.</returns>
    /// <exception cref="ArgumentException"><paramref name="user"/> is null or empty.</exception>
    /// <exception cref="EngineUnavailableException">The engine cannot be reached.</exception>
    public async ValueTask<bool> TrySetUniqueUserAsync(string user, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        if (!await _engine.SetUserAsync(ConnectionId, User, user, unique: true, cancellationToken).ConfigureAwait(false)) return false;
        _registry.SetUser(this, user);
        return true;
    }

    /// <summary>
    /// Adds this connection to <paramref name="group"/> on every node; joining a group it is in already does nothing.
    /// When the group keeps history (<see cref="MessageEndpoint.History"/>) the connection gets, in order, the
    /// <c>switchboard.joined</c> notice, then the messages it missed since the position its client presented for the
    /// group when it connected (when the history still holds them all), else the last <paramref name="history"/>
    /// messages, then every live message after those, none twice and none missing (docs/protocol.md, "History and
    /// recovery").
    /// </summary>
    /// <param name="group">The group.</param>
    /// <param name="history">How many of the group's last messages to replay when the connection recovers none; 0 for none.</param>
    /// <param name="cancellationToken">Cancels the join.</param>
    /// <returns>Whether the connection recovered, and the group's position; both null for a group without history.</returns>
    /// <exception cref="ArgumentException"><paramref name="group"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="history"/> is negative.</exception>
    /// <exception cref="EngineUnavailableException">The engine cannot be reached.</exception>
    public ValueTask<GroupJoin> JoinGroupAsync(string group, int history = 0, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentOutOfRangeException.ThrowIfNegative(history);
        return Endpoint.Node.JoinAsync(this, _engine, group, history, cancellationToken);
    }

    /// <summary>Removes this connection from <paramref name="group"/> on every node.</summary>
    /// <exception cref="ArgumentException"><paramref name="group"/> is null or empty.</exception>
    /// <exception cref="EngineUnavailableException">The engine cannot be reached.</exception>
    public async ValueTask LeaveGroupAsync(string group, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        if (!_registry.Leave(this, group)) return;
        await _engine.LeaveAsync(ConnectionId, group, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts the closing handshake with <paramref name="code"/>.</summary>
    public ValueTask CloseAsync(CloseCode code = CloseCode.NormalClosure, string? reason = null) => Channel.CloseAsync(code, reason);
}
