using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Connections;
using Switchboard.Messaging;
using Switchboard.Protocol;
using Switchboard.Server.DependencyInjection;
using Switchboard.Server.Diagnostics;
using Switchboard.Server.Endpoints;
using Switchboard.Server.Engines;
using Switchboard.Server.Messaging;
using Switchboard.Server.WebSockets;

namespace Switchboard.Server;

/// <summary>
/// A typed endpoint: map it to a route with <see cref="WebSocketServer.Map(string, MessageEndpoint)"/>, register a
/// handler per message type with <see cref="On{T}"/>, and each incoming envelope is dispatched by its <c>"type"</c> to its handler with the
/// connection's <see cref="MessageContext"/>. The endpoint speaks the protocol of its <see cref="Catalog"/>: only the
/// catalogue's messages can have handlers, and <see cref="WebSocketServer.MapProtocol"/> can serve its description.
/// Register handlers and hooks before the server starts; sending is thread-safe at any time.
/// </summary>
/// <remarks>
/// Errors (docs/protocol.md): a malformed envelope or a message that does not match its type closes the connection
/// with 1007; a binary message closes it with 1003; a type that is not in the catalogue, or is in it but has no
/// handler, goes to <see cref="OnUnhandled"/> with <see cref="UnhandledReason.UnknownType"/> or
/// <see cref="UnhandledReason.NoHandler"/> and the connection lives on; a handler that throws is logged and the
/// connection lives on. A request (<see cref="OnRequest{TRequest, TResponse}"/>) always gets one reply: its response, a
/// typed error, or a <c>switchboard.failure</c> (docs/protocol.md, "Request/response"). A connection over the rate
/// limits the endpoint was mapped with
/// (<see cref="EndpointOptions.MessageRate"/>, <see cref="EndpointOptions.ByteRate"/>) is closed with 1013.
/// <para>
/// With <see cref="Services"/> set, every handler and hook call runs in a service scope of its own
/// (<see cref="MessageContext.Services"/>). Code that only sends takes the endpoint as an <see cref="IMessageSender"/>.
/// </para>
/// <para>
/// Lifetime: the endpoint owns the <see cref="IEndpointEngine"/> it opens on its <see cref="Engine"/>, and
/// <see cref="DisposeAsync"/> closes it (with a scale-out engine, this node leaves the cluster at once rather than when
/// its lease runs out); the <see cref="IMessageEngine"/> itself belongs to whoever made it. Stop the servers that map
/// the endpoint first (their connections end and leave presence), then dispose the endpoint, then the engine.
/// <c>services.AddMessageEndpoint</c> registers it so that the container disposes it, before the container's engine.
/// </para>
/// </remarks>
public sealed partial class MessageEndpoint : IMessageSender, IAsyncDisposable
{
    private delegate ValueTask Dispatch(MessageContext context, in ReadOnlySequence<byte> data);

    private readonly Dictionary<string, Dispatch> _handlers = new(StringComparer.Ordinal);
    private readonly ConnectionRegistry _registry = new();
    private readonly ILogger _logger;
    private Func<MessageContext, ValueTask>? _onConnected;
    private Func<MessageContext, CloseCode?, ValueTask>? _onDisconnected;
    private Func<MessageContext, string, UnhandledReason, ValueTask>? _onUnhandled;
    private InboundRateLimits? _rates; // set when mapped, before the server starts
    private IServiceProvider? _services;
    private IServiceScopeFactory? _scopes; // null without services: then no handler call pays for a scope
    private volatile bool _attached; // a connection has opened: Services is fixed from then on
    private readonly Lock _opening = new();
    private Task<IEndpointEngine>? _open; // the engine's open: started once, again only after one that failed
    private volatile IEndpointEngine? _engine;
    private string _name = "default";
    private IMessageEngine? _engineFactory;
    private Func<string, GroupHistory?>? _history;
    private volatile bool _disposed;

    /// <summary>Creates an endpoint with no handlers that speaks the protocol of <paramref name="catalog"/>.</summary>
    /// <param name="catalog">
    /// The messages the endpoint knows, usually the generated <c>{AssemblyName}.SwitchboardMessages.Catalog</c> of the
    /// assembly that declares them (<see cref="MessageCatalog.Combine"/> merges several).
    /// </param>
    /// <param name="loggerFactory">Where the endpoint logs; none by default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> is null.</exception>
    public MessageEndpoint(MessageCatalog catalog, ILoggerFactory? loggerFactory = null)
        : this(catalog, loggerFactory, null)
    {
    }

    /// <summary>Creates an endpoint with no handlers that speaks the protocol of <paramref name="catalog"/> and keeps time by <paramref name="timeProvider"/>.</summary>
    /// <param name="catalog">The messages the endpoint knows (see <see cref="MessageEndpoint(MessageCatalog, ILoggerFactory?)"/>).</param>
    /// <param name="loggerFactory">Where the endpoint logs; none when null.</param>
    /// <param name="timeProvider">The endpoint's clock (<see cref="TimeProvider"/>); <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="catalog"/> is null.</exception>
    public MessageEndpoint(MessageCatalog catalog, ILoggerFactory? loggerFactory, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        Catalog = catalog;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Switchboard.Server.Messaging");
        TimeProvider = timeProvider ?? TimeProvider.System;
        WebSocketSide = new WebSocketAdapter(this);
        Node = new EngineNode(this, _registry, _logger);
    }

    /// <summary>
    /// The endpoint's name: what its engine tells it apart from the application's other endpoints by (a scale-out engine
    /// shares state between the nodes by it). <c>"default"</c> unless set; <c>services.AddMessageEndpoint(name, …)</c>
    /// sets it to the registration's name.
    /// </summary>
    /// <exception cref="ArgumentException">The value is null or empty.</exception>
    /// <exception cref="InvalidOperationException">Set after the engine was opened: set it before the server starts.</exception>
    public string Name
    {
        get => _name;
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            ThrowIfOpened(nameof(Name));
            _name = value;
        }
    }

    /// <summary>
    /// Where the endpoint's sends go, who is present and where group history is kept: null (the default) for an
    /// <see cref="InMemoryEngine"/> of its own, for a single process; a scale-out engine (Switchboard.Redis) shares
    /// them between the nodes of a cluster. A host sets it from its container's <see cref="IMessageEngine"/> when it is
    /// null (<c>services.AddMessageEndpoint</c> and the ASP.NET Core host). The engine is opened once, by the first
    /// connection or the first send, whichever comes first.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set after the engine was opened: set it before the server starts.</exception>
    public IMessageEngine? Engine
    {
        get => _engineFactory;
        set
        {
            ThrowIfOpened(nameof(Engine));
            _engineFactory = value;
        }
    }

    /// <summary>
    /// Which groups keep history: called with a group's name, it returns the group's <see cref="GroupHistory"/>, or null
    /// for a group without history (the messages sent to it then carry no position). Null (the default) when no group
    /// keeps history. Messages sent to a group that keeps history are stored with the group's next offset and carry
    /// their position on the wire, and <see cref="MessageContext.JoinGroupAsync"/> replays them (docs/protocol.md,
    /// "History and recovery"). It must answer the same for a group every time, on every node.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set after the engine was opened: set it before the server starts.</exception>
    public Func<string, GroupHistory?>? History
    {
        get => _history;
        set
        {
            ThrowIfOpened(nameof(History));
            _history = value;
        }
    }

    /// <summary>The endpoint's side of the engine seam on this node.</summary>
    internal EngineNode Node { get; }

    /// <summary>The engine once it is open, or null before.</summary>
    internal IEndpointEngine? OpenedEngine => _engine;

    /// <summary>The history options of <paramref name="group"/>, or null when it keeps none.</summary>
    internal GroupHistory? HistoryOf(string group) => _history?.Invoke(group);

    private void ThrowIfOpened(string property)
    {
        if (Volatile.Read(ref _open) is not null)
            throw new InvalidOperationException($"MessageEndpoint.{property} is set after the endpoint's engine was opened: set it before the server starts and before the first send");
    }

    /// <summary>
    /// The endpoint's engine, opened on first use. Every caller awaits the same open; one that failed is tried again by
    /// the next caller, and its failure goes to the callers that awaited it.
    /// </summary>
    internal ValueTask<IEndpointEngine> GetEngineAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_engine is { } engine) return ValueTask.FromResult(engine);
        Task<IEndpointEngine> open;
        lock (_opening)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_open is not { IsFaulted: false, IsCanceled: false } current) _open = current = OpenAsync();
            open = current;
        }
        return new ValueTask<IEndpointEngine>(open.WaitAsync(cancellationToken));
    }

    private async Task<IEndpointEngine> OpenAsync()
    {
        await Task.Yield(); // out of the opening lock
        var engine = await (_engineFactory ?? new InMemoryEngine()).OpenAsync(new EngineEndpoint
        {
            Name = _name,
            UserComparer = UserComparer,
            History = _history ?? NoHistory,
            Node = Node,
            TimeProvider = TimeProvider,
        }, CancellationToken.None).ConfigureAwait(false);
        if (engine.NodeNumber is < 0 or > MaxNodeNumber)
            throw new InvalidOperationException($"the engine's node number {engine.NodeNumber} is outside 0 to {MaxNodeNumber}");
        _engine = engine;
        return engine;
    }

    private const int MaxNodeNumber = (1 << 23) - 1;

    private static readonly Func<string, GroupHistory?> NoHistory = static _ => null;

    /// <summary>
    /// The endpoint's clock: its rate limits refill by it, unless the <see cref="EndpointOptions"/> it is mapped with
    /// name a clock other than <see cref="TimeProvider.System"/> (<see cref="EndpointOptions.TimeProvider"/>), which
    /// then wins. <c>services.AddMessageEndpoint</c> passes the container's <see cref="System.TimeProvider"/> when one is
    /// registered.
    /// </summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// The services handlers get: when set, every handler call (<see cref="On{T}"/> handlers, and the
    /// <see cref="OnConnected"/>, <see cref="OnDisconnected"/> and <see cref="OnUnhandled"/> hooks) runs in a scope of its
    /// own created from it, which <see cref="MessageContext.Services"/> returns during the call and which is disposed
    /// (asynchronously) once the call's task completes, also when it throws. Null by default: then no scope is made and
    /// <see cref="MessageContext.Services"/> resolves nothing. A host sets it from its container when it is null
    /// (the ASP.NET Core host from the app's services); <c>services.AddMessageEndpoint</c> sets it to the container.
    /// </summary>
    /// <exception cref="ArgumentException">The provider has no <see cref="IServiceScopeFactory"/> to make scopes with.</exception>
    /// <exception cref="InvalidOperationException">Set after the endpoint's first connection opened: set it before the server starts.</exception>
    public IServiceProvider? Services
    {
        get => _services;
        set
        {
            if (_attached) throw new InvalidOperationException("MessageEndpoint.Services is set after the endpoint's first connection: set it before the server starts");
            _scopes = value is null ? null : value.GetService<IServiceScopeFactory>()
                ?? throw new ArgumentException("the service provider has no IServiceScopeFactory, which the scope of each handler call is made from", nameof(value));
            _services = value;
        }
    }

    /// <summary>The messages this endpoint knows: incoming types outside it are unknown, and only its messages can have handlers.</summary>
    public MessageCatalog Catalog { get; }

    /// <summary>Every connection of the endpoint, on every node.</summary>
    public Recipients All => new(this, MessageTarget.All());

    /// <summary>The number of open connections on this node.</summary>
    public int ConnectionCount => _registry.Count;

    /// <summary>The users with at least one open connection on any node, each once, in ordinal order.</summary>
    /// <exception cref="EngineUnavailableException">The engine cannot be reached.</exception>
    public async ValueTask<IReadOnlyList<string>> UsersAsync(CancellationToken cancellationToken = default)
        => await (await GetEngineAsync(cancellationToken).ConfigureAwait(false)).UsersAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Every connection except <paramref name="connectionId"/>.</summary>
    public Recipients AllExcept(long connectionId) => new(this, MessageTarget.All(connectionId));

    /// <summary>Every connection of <paramref name="user"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="user"/> is null.</exception>
    public Recipients User(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new(this, MessageTarget.User(user));
    }

    /// <summary>Every member of <paramref name="group"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="group"/> is null.</exception>
    public Recipients Group(string group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return new(this, MessageTarget.Group(group));
    }

    /// <summary>One connection, if it is still open.</summary>
    public Recipients Connection(long connectionId) => new(this, MessageTarget.Connection(connectionId));

    /// <summary>Whether <paramref name="user"/> has an open connection on any node.</summary>
    /// <exception cref="EngineUnavailableException">The engine cannot be reached.</exception>
    public async ValueTask<bool> IsConnectedAsync(string user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        return await (await GetEngineAsync(cancellationToken).ConfigureAwait(false)).IsConnectedAsync(user, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// How user names compare wherever a user is looked up: <see cref="MessageContext.TrySetUniqueUserAsync"/> and
    /// <see cref="MessageContext.SetUserAsync"/>, <see cref="User"/>, <see cref="IsConnectedAsync"/> and <see cref="UsersAsync"/>
    /// (which lists each user once, as one of its connections names it).
    /// <see cref="StringComparer.Ordinal"/> by default; with <see cref="StringComparer.OrdinalIgnoreCase"/>,
    /// <c>Alice</c> and <c>alice</c> are one user, and <see cref="MessageContext.User"/> keeps the name as the
    /// connection gave it. The comparer compares code units: canonically equivalent spellings (a precomposed
    /// <c>é</c> and <c>e</c> with a combining accent) differ unless the application normalizes names first (<see cref="string.Normalize()"/> returns its input unchanged
    /// when the app runs with InvariantGlobalization, so restricting names to ASCII is the dependable way).
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    /// <exception cref="InvalidOperationException">Set after the engine was opened (which compares users by it too): set it before the server starts.</exception>
    public StringComparer UserComparer
    {
        get => _registry.UserComparer;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            ThrowIfOpened(nameof(UserComparer));
            _registry.UserComparer = value;
        }
    }

    /// <summary>The members of <paramref name="group"/> on every node right now: their connection ids and users.</summary>
    /// <exception cref="ArgumentException"><paramref name="group"/> is null or empty.</exception>
    /// <exception cref="EngineUnavailableException">The engine cannot be reached.</exception>
    public async ValueTask<IReadOnlyList<GroupMember>> GroupMembersAsync(string group, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        return await (await GetEngineAsync(cancellationToken).ConfigureAwait(false)).MembersAsync(group, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A page of <paramref name="group"/>'s history (<see cref="History"/>), for a request that loads older messages:
    /// the at most <paramref name="limit"/> newest messages kept with an offset below <paramref name="before"/> (the newest
    /// kept when null), oldest first, each with its <see cref="EngineMessage.Offset"/> and its envelope as it was sent.
    /// Empty for a group that keeps no history.
    /// </summary>
    /// <param name="group">The group.</param>
    /// <param name="before">Only messages with a lower offset; null for the newest.</param>
    /// <param name="limit">The most messages to return; at least 1.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The messages, oldest first.</returns>
    /// <exception cref="ArgumentException"><paramref name="group"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is less than 1.</exception>
    /// <exception cref="EngineUnavailableException">The engine cannot be reached.</exception>
    public async ValueTask<IReadOnlyList<EngineMessage>> ReadHistoryAsync(string group, long? before, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (HistoryOf(group) is not { } history) return [];
        var engine = await GetEngineAsync(cancellationToken).ConfigureAwait(false);
        // The engine reads the newest messages; a page further back reads all it keeps and takes the page from them.
        var read = await engine.ReadHistoryAsync(group, null, before is null ? limit : history.MaxLength, cancellationToken).ConfigureAwait(false);
        var messages = before is { } offset ? read.Messages.Where(m => m.Offset < offset).ToList() : read.Messages.ToList();
        return messages.Count > limit ? messages.GetRange(messages.Count - limit, limit) : messages;
    }

    /// <summary>Handles every incoming <typeparamref name="T"/>; one handler per type.</summary>
    /// <typeparam name="T">A message of the endpoint's <see cref="Catalog"/>.</typeparam>
    /// <param name="handler">Runs for each <typeparamref name="T"/>, one message of a connection at a time.</param>
    /// <returns>This endpoint, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    /// <exception cref="InvalidOperationException">
    /// <typeparamref name="T"/> is not in <see cref="Catalog"/>, is a request (<see cref="OnRequest{TRequest, TResponse}"/>
    /// handles those), or a handler for it is already registered.
    /// </exception>
    public MessageEndpoint On<T>(Func<MessageContext, T, ValueTask> handler) where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (Catalog.Get<T>().Kind == Serialization.MessageKind.Request)
            throw new InvalidOperationException($"'{T.MessageType}' is a request: handle it with OnRequest, whose handler returns the response");
        if (!_handlers.TryAdd(T.MessageType, (MessageContext context, in ReadOnlySequence<byte> data) => DispatchAsync(context, data, handler)))
            throw new InvalidOperationException($"a handler for '{T.MessageType}' is already registered");
        return this;
    }

    /// <summary>Runs after a connection opens, before its first message: identify the user, join groups, greet.</summary>
    public MessageEndpoint OnConnected(Func<MessageContext, ValueTask> hook)
    {
        _onConnected = hook;
        return this;
    }

    /// <summary>Runs once after a connection has ended, with the close code the peer sent (null if none).</summary>
    public MessageEndpoint OnDisconnected(Func<MessageContext, CloseCode?, ValueTask> hook)
    {
        _onDisconnected = hook;
        return this;
    }

    /// <summary>
    /// Runs for a well-formed envelope that no handler takes, with its type and why: <see cref="UnhandledReason.UnknownType"/>
    /// when the type is not in <see cref="Catalog"/>, <see cref="UnhandledReason.NoHandler"/> when it is but has no
    /// <see cref="On{T}"/> handler. Either way it is logged first (as unknown or as unhandled) and the connection lives
    /// on; without a hook nothing else happens. A request without an <see cref="OnRequest{TRequest, TResponse}"/>
    /// handler does not come here: its client gets the <c>no_handler</c> failure as the reply.
    /// </summary>
    /// <param name="hook">Receives the connection, the envelope's type and the reason.</param>
    /// <returns>This endpoint, for chaining.</returns>
    public MessageEndpoint OnUnhandled(Func<MessageContext, string, UnhandledReason, ValueTask> hook)
    {
        _onUnhandled = hook;
        return this;
    }

    /// <summary>
    /// What the server routes the endpoint's WebSocket connections to. The endpoint is not a <see cref="WebSocketHandler"/>
    /// itself, so the raw hooks stay out of the typed API and mapping it can only take the typed path.
    /// </summary>
    internal WebSocketHandler WebSocketSide { get; }

    /// <summary>
    /// A connection opened, over any transport, with the history positions its client presented: opens the engine if
    /// need be and registers the connection there and here; <see cref="ConnectedAsync"/> comes next.
    /// </summary>
    /// <exception cref="EngineUnavailableException">The engine cannot be opened or reached; nothing is registered then.</exception>
    internal async ValueTask<MessageContext> AttachAsync(IMessageChannel channel, Dictionary<string, StreamPosition>? positions)
    {
        _attached = true;
        var engine = await GetEngineAsync(CancellationToken.None).ConfigureAwait(false);
        var id = ((long)engine.NodeNumber << 40) | channel.Id;
        var context = new MessageContext(channel, this, _registry, engine, id, positions) { RateLimiter = _rates?.NewConnection() };
        await engine.AddConnectionAsync(id, CancellationToken.None).ConfigureAwait(false);
        _registry.Add(context);
        try
        {
            // The user the handshake authenticated, there before the connected hook (which may still change it).
            if (channel.User is { } user)
            {
                await engine.SetUserAsync(id, null, user, unique: false, CancellationToken.None).ConfigureAwait(false);
                _registry.SetUser(context, user);
            }
        }
        catch
        {
            // The host refuses the connection and never ends it: whatever got registered goes now.
            _registry.Remove(context);
            try
            {
                await engine.RemoveConnectionAsync(new ConnectionPresence(id, null, []), CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The engine is failing already: its lease frees what it still holds; the first failure is the one to report.
            catch (Exception e)
#pragma warning restore CA1031
            {
                MessageLog.RemoveFailed(_logger, id, e);
            }
            throw;
        }
        return context;
    }

    /// <summary>Runs the connected hook of a context <see cref="AttachAsync"/> made, before its first message.</summary>
    internal ValueTask ConnectedAsync(MessageContext context)
    {
        if (_onConnected is not { } hook) return ValueTask.CompletedTask;
        return CallAsync(context, hook, static (c, h) => h(c));
    }

    /// <summary>Runs one handler or hook call: in a service scope of its own when the endpoint has <see cref="Services"/>.</summary>
    private ValueTask CallAsync<TState>(MessageContext context, TState state, Func<MessageContext, TState, ValueTask> call)
        => _scopes is { } scopes ? HandlerScope.RunAsync(scopes, context, state, call) : call(context, state);

    /// <summary>One envelope (the UTF-8 JSON of a text message) from a connection, over any transport.</summary>
    /// <remarks>
    /// Each envelope is counted on <c>switchboard.server.messages.received</c> where its fate is known: with its type
    /// once the header is read (a type outside the catalogue as <see cref="SwitchboardServerDiagnostics.UnknownMessageType"/>,
    /// so only catalogue names ever become tags), without one when it is dropped or malformed before that.
    /// </remarks>
    internal ValueTask ReceiveAsync(MessageContext context, in ReadOnlySequence<byte> payload)
    {
        var channel = context.Channel;
        // Before anything is read: a flood costs the server a clock read and a subtraction per message.
        if (context.RateLimiter is { } limiter && limiter.Take(payload.Length) is var verdict and not RateVerdict.Allowed)
        {
            channel.Metrics.MessagesReceived(channel.Transport, null);
            return OverRateAsync(context, verdict);
        }

        if (!Envelope.TryRead(payload, out var header, out var error))
        {
            channel.Metrics.MessagesReceived(channel.Transport, null);
            MessageLog.MalformedEnvelope(_logger, context.ConnectionId, error);
            return context.CloseAsync(CloseCode.InvalidPayloadData, $"malformed envelope: {error.Describe()}");
        }

        // Every handler's type is in the catalogue (On<T> checks), so the catalogue is only asked when no handler is found.
        if (_handlers.TryGetValue(header.Type, out var dispatch))
        {
            channel.Metrics.MessagesReceived(channel.Transport, header.Type);
            return dispatch(context, header.Data(payload));
        }

        if (_requests.TryGetValue(header.Type, out var request))
        {
            channel.Metrics.MessagesReceived(channel.Transport, header.Type);
            return RequestFailure.IsValidId(header.Id) ? request(context, header.Id!, header.Data(payload)) : RequestWithoutIdAsync(context);
        }

        UnhandledReason reason;
        if (Catalog.TryGet(header.Type, out var known) && known.Kind == Serialization.MessageKind.Request)
        {
            channel.Metrics.MessagesReceived(channel.Transport, header.Type);
            if (!RequestFailure.IsValidId(header.Id)) return RequestWithoutIdAsync(context);
            return NoRequestHandlerAsync(context, header.Type, header.Id!);
        }
        else if (known is not null)
        {
            reason = UnhandledReason.NoHandler;
            channel.Metrics.MessagesReceived(channel.Transport, header.Type);
            MessageLog.Unhandled(_logger, context.ConnectionId, header.Type);
        }
        else
        {
            reason = UnhandledReason.UnknownType;
            channel.Metrics.MessagesReceived(channel.Transport, SwitchboardServerDiagnostics.UnknownMessageType);
            MessageLog.UnknownType(_logger, context.ConnectionId, header.Type);
        }
        if (_onUnhandled is not { } hook) return ValueTask.CompletedTask;
        return CallAsync(context, (hook, header.Type, reason), static (c, s) => s.hook(c, s.Type, s.reason));
    }

    /// <summary>
    /// Takes the rate limits <paramref name="options"/> sets (when the server maps the endpoint); every connection
    /// that opens from then on is judged by them. Mapping one endpoint again with the same limits (or none) is fine.
    /// </summary>
    /// <exception cref="InvalidOperationException">The endpoint was mapped before with other rate limits.</exception>
    internal void UseRateLimits(EndpointOptions options, LimitReporter reporter)
    {
        UseRequestLimits(options, reporter);
        if (!options.LimitsRate) return;
        // The mapping's clock left at its default: the endpoint's own (the container's, when registered) is used.
        if (ReferenceEquals(options.TimeProvider, TimeProvider.System) && !ReferenceEquals(TimeProvider, TimeProvider.System))
            options = new EndpointOptions { MessageRate = options.MessageRate, ByteRate = options.ByteRate, TimeProvider = TimeProvider };
        if (_rates is { } mapped)
        {
            if (mapped.SameAs(options)) return;
            throw new InvalidOperationException("this endpoint is already mapped with other rate limits: an endpoint has one set of rate limits for all its routes");
        }
        _rates = new InboundRateLimits(options, reporter);
    }

    /// <summary>The message that went over a rate limit is dropped, the limit hit reported and the connection closed with 1013.</summary>
    private ValueTask OverRateAsync(MessageContext context, RateVerdict verdict)
    {
        if (verdict == RateVerdict.Dropped) return ValueTask.CompletedTask; // closing already; counted once
        var rates = _rates!;
        var (limit, reason) = verdict == RateVerdict.OverMessageRate
            ? (ServerLimit.MessageRate, rates.MessageReason)
            : (ServerLimit.ByteRate, rates.ByteReason);
        rates.Reporter.Hit(limit, context.Channel.RemoteEndPoint, $"connection {context.ConnectionId}: {reason}");
        return context.CloseAsync(CloseCode.TryAgainLater, reason);
    }

    /// <summary>A connection ended, over any transport: forgets it and runs the disconnected hook.</summary>
    internal async ValueTask EndAsync(MessageContext context, CloseCode? status)
    {
        var groups = _registry.GroupsOf(context);
        _registry.Remove(context);
        bool ours;
        try
        {
            // False: the engine reported this connection lost already (another node reaped this one while it hung),
            // and that node ran the hook for it.
            ours = await _engine!.RemoveConnectionAsync(new ConnectionPresence(context.ConnectionId, context.User, groups), CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The engine forgets the connection by its lease then; the hook runs all the same.
        catch (Exception e)
#pragma warning restore CA1031
        {
            MessageLog.RemoveFailed(_logger, context.ConnectionId, e);
            ours = true;
        }
        if (!ours || _onDisconnected is not { } hook) return;
        await CallAsync(context, (hook, status), static (c, s) => s.hook(c, s.status)).ConfigureAwait(false);
    }

    /// <summary>
    /// A connection of another node that ended unannounced: the disconnected hook runs here, with no close code, for a
    /// context with its id, user and groups whose sends go nowhere.
    /// </summary>
    internal async ValueTask LostAsync(ConnectionPresence connection)
    {
        if (_onDisconnected is not { } hook) return;
        var context = new MessageContext(new LostChannel(connection), this, _registry, _engine!, connection.ConnectionId, null);
        foreach (var group in connection.Groups) context.GroupsUnsafe.Add(group);
        context.UserUnsafe = connection.User;
        try
        {
            await CallAsync(context, hook, static (c, h) => h(c, null)).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Application hooks may throw anything; the other lost connections still get theirs.
        catch (Exception e)
#pragma warning restore CA1031
        {
            MessageLog.HandlerFailed(_logger, "disconnected", connection.ConnectionId, e);
        }
    }

    /// <summary>
    /// Closes the endpoint's engine (<see cref="IEndpointEngine"/>): with a scale-out engine this node leaves the
    /// cluster and the presence of any connection still registered goes with it. Stop the servers that map the endpoint
    /// first, so that their connections end (and their disconnected hooks run) here. The endpoint takes no connection
    /// and makes no send after this; the <see cref="Engine"/> it opened on is not disposed. Calling it again does nothing.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Task<IEndpointEngine>? open;
        lock (_opening)
        {
            if (_disposed) return;
            _disposed = true;
            open = _open;
        }
        if (open is null) return;
        IEndpointEngine engine;
        try
        {
            engine = await open.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // An open that failed left nothing to close.
        catch (Exception)
#pragma warning restore CA1031
        {
            return;
        }
        await engine.DisposeAsync().ConfigureAwait(false);
    }

    private ValueTask DispatchAsync<T>(MessageContext context, in ReadOnlySequence<byte> data, Func<MessageContext, T, ValueTask> handler)
        where T : IMessage<T>
    {
        T value;
        try
        {
            var reader = new Utf8JsonReader(data);
            value = T.Read(ref reader);
        }
        catch (MessageFormatException e)
        {
            MessageLog.InvalidMessage(_logger, context.ConnectionId, T.MessageType, e.Message);
            return context.CloseAsync(CloseCode.InvalidPayloadData, e.Message);
        }
        return InvokeAsync(context, value, handler);
    }

#pragma warning disable CA1031 // Application handlers may throw anything; the connection must survive it.
    private async ValueTask InvokeAsync<T>(MessageContext context, T value, Func<MessageContext, T, ValueTask> handler) where T : IMessage<T>
    {
        // Null unless a listener wants the span: then nothing else is made either.
        var activity = ServerActivities.StartMessage(T.MessageType, context);
        try
        {
            await CallAsync(context, (handler, value), static (c, s) => s.handler(c, s.value)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            MessageLog.HandlerFailed(_logger, T.MessageType, context.ConnectionId, e);
            context.Channel.Metrics.HandlerFailed(context.Channel.Transport, HandlerKinds.Message, T.MessageType);
            ServerActivities.Failed(activity, e);
        }
        finally
        {
            activity?.Dispose();
        }
    }
#pragma warning restore CA1031

    /// <summary>The endpoint's WebSocket connections, passed on to the transport-blind members above.</summary>
    private sealed class WebSocketAdapter(MessageEndpoint endpoint) : WebSocketHandler
    {
        public override async ValueTask OnConnectedAsync(WebSocketConnection connection)
        {
            // Judged at the upgrade already (EndpointGate): read again here rather than carried through the host.
            var positions = RecoverPositions.TryParse(connection.Query, out var presented, out _) ? presented : null;
            MessageContext context;
            try
            {
                context = await endpoint.AttachAsync(connection, positions).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Whatever the engine throws, the connection is closed and the server lives on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                MessageLog.EngineOpenFailed(endpoint._logger, connection.Id, e);
                await connection.CloseAsync(CloseCode.InternalError, "the message engine is unavailable").ConfigureAwait(false);
                return;
            }
            connection.MessageContext = context;
            await endpoint.ConnectedAsync(context).ConfigureAwait(false);
        }

        public override ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message)
        {
            if (connection.MessageContext is not { } context) return ValueTask.CompletedTask; // closing: the engine was unavailable
            if (message.Opcode != Opcode.Text)
            {
                MessageLog.BinaryMessage(endpoint._logger, context.ConnectionId);
                return connection.CloseAsync(CloseCode.UnsupportedData, "this endpoint speaks JSON text messages");
            }
            return endpoint.ReceiveAsync(context, message.Payload);
        }

        public override ValueTask OnDisconnectedAsync(WebSocketConnection connection, CloseCode? status)
            => connection.MessageContext is { } context ? endpoint.EndAsync(context, status) : ValueTask.CompletedTask;
    }
}
