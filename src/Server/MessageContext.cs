using Switchboard.Server.DependencyInjection;
using Switchboard.Server.Messaging;

namespace Switchboard.Server;

/// <summary>
/// One connection of a typed endpoint as its handlers see it: who it is, where it came in, and whom it can reach.
/// A handler never learns which transport carries the connection. Sending is thread-safe; <see cref="Items"/> is not.
/// </summary>
public sealed class MessageContext
{
    private readonly ConnectionRegistry _registry;
    private MessageContext[]? _asRecipients;

    internal MessageContext(IMessageChannel channel, MessageEndpoint endpoint, ConnectionRegistry registry)
    {
        Channel = channel;
        Endpoint = endpoint;
        _registry = registry;
    }

    /// <summary>A number unique among the server's connections.</summary>
    public long ConnectionId => Channel.Id;

    /// <summary>Values captured by the endpoint's route template, e.g. <c>username</c> for <c>/ws/{username}</c>.</summary>
    public IReadOnlyDictionary<string, string> RouteValues => Channel.RouteValues;

    /// <summary>
    /// The user this connection speaks for: the one the endpoint's <see cref="EndpointOptions.Authenticate"/> hook named
    /// when it opened, or the one set since with <see cref="SetUser"/> or <see cref="TrySetUniqueUser"/>.
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

    /// <summary>The groups this connection has joined.</summary>
    public IReadOnlyCollection<string> Groups => _registry.GroupsOf(this);

    internal IMessageChannel Channel { get; }

    /// <summary>This connection alone, as the targets of a send (shared, never written); made on its first send.</summary>
    internal MessageContext[] AsRecipients => _asRecipients ??= [this];

    /// <summary>The connection's rate-limit buckets, or null when the endpoint has no rate limit.</summary>
    internal ConnectionRateLimiter? RateLimiter { get; init; }

    /// <summary>Written under the registry's lock.</summary>
    internal string? UserUnsafe { get; set; }

    /// <summary>Guarded by the registry's lock.</summary>
    internal HashSet<string> GroupsUnsafe { get; } = new(StringComparer.Ordinal);

    /// <summary>Sends a message to this connection.</summary>
    public ValueTask SendAsync<T>(T message, CancellationToken cancellationToken = default) where T : IMessage<T>
        => Recipients.SendTo(this, message, cancellationToken);

    /// <summary>
    /// Sends <paramref name="message"/>, serialized once before, to this connection; completes once it is queued. The
    /// same bytes go to every connection it is sent to (a room's history replayed to each newcomer, say).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public ValueTask SendAsync(PreparedMessage message, CancellationToken cancellationToken = default)
        => Recipients.SendTo(this, message, cancellationToken);

    /// <summary>Binds this connection to <paramref name="user"/>; a user may have many connections.</summary>
    public void SetUser(string user)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        _registry.TrySetUser(this, user, unique: false);
    }

    /// <summary>Binds this connection to <paramref name="user"/> only if no other connection speaks for that user (atomically).</summary>
    public bool TrySetUniqueUser(string user)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        return _registry.TrySetUser(this, user, unique: true);
    }

    /// <summary>Adds this connection to <paramref name="group"/>; joining twice does nothing.</summary>
    public void JoinGroup(string group)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        _registry.Join(this, group);
    }

    /// <summary>Removes this connection from <paramref name="group"/>.</summary>
    public void LeaveGroup(string group)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        _registry.Leave(this, group);
    }

    /// <summary>Starts the closing handshake with <paramref name="code"/>.</summary>
    public ValueTask CloseAsync(CloseCode code = CloseCode.NormalClosure, string? reason = null) => Channel.CloseAsync(code, reason);
}
