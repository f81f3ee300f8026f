using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using Microsoft.Extensions.Logging;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Switchboard.Server.Admission;
using Switchboard.Server.Diagnostics;
using Switchboard.Server.Handshake;
using Switchboard.Server.LongPolling;
using Switchboard.Server.WebSockets;

namespace Switchboard.Server.Hosting;

/// <summary>
/// What every host of Switchboard endpoints does once a connection has been admitted, whoever owns the socket (the
/// standalone <see cref="WebSocketServer"/>, or an ASP.NET Core app): the connection object, its metrics, span and logs,
/// the handler's hooks, the session's start and end with the slow-consumer and frame-limit reports, the long-polling
/// session table, and the close of everything at shutdown. The host keeps the listener, the upgrade's request and
/// answer, and the sockets' slots. Thread-safe.
/// </summary>
internal sealed class SessionHost : IDisposable
{
    /// <summary>The reason of the 1001 every connection gets when its host stops.</summary>
    public const string ShutdownReason = "server shutting down";

    private readonly ConcurrentDictionary<long, WebSocketConnection> _connections = new();
    private readonly WebSocketSessionOptions _sessionOptions;
    private readonly Func<WebSocketConnection, CloseCode?, ValueTask> _onSessionEnded; // one for all sessions
    private readonly Action<WebSocketConnection> _closed;
    private long _nextId;
    private int _stopping;

    /// <summary>Creates the shared part of a host.</summary>
    /// <param name="settings">The protocol limits and timeouts every connection runs with.</param>
    /// <param name="logger">The server's logger (category <c>Switchboard.Server</c>).</param>
    /// <param name="closed">
    /// Called last for every connection started with <see cref="StartAsync"/>, after its disconnected hook: the host gives
    /// back what it holds for the connection (a socket slot, a request).
    /// </param>
    public SessionHost(SessionHostSettings settings, ILogger logger, Action<WebSocketConnection> closed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        Logger = logger;
        _closed = closed;
        _sessionOptions = new WebSocketSessionOptions
        {
            Frames = settings.Frames,
            CloseTimeout = settings.CloseTimeout,
            KeepAliveInterval = settings.KeepAliveInterval,
            KeepAliveTimeout = settings.KeepAliveTimeout,
        };
        Limits = new LimitReporter(logger, Metrics);
        LongPolling = new LongPollTransport(settings.LongPolling, settings.Frames, settings.Secure, settings.RetryAfter, logger, Limits, Metrics, NextId);
        _onSessionEnded = OnSessionEndedAsync;
    }

    /// <summary>The settings the host was made with.</summary>
    public SessionHostSettings Settings { get; }

    /// <summary>The server's logger.</summary>
    public ILogger Logger { get; }

    /// <summary>The server's instruments.</summary>
    public ServerMetrics Metrics { get; } = new();

    /// <summary>Where limit hits are counted and logged.</summary>
    public LimitReporter Limits { get; }

    /// <summary>The long-polling side of the typed endpoints, with its session table.</summary>
    public LongPollTransport LongPolling { get; }

    /// <summary>The open WebSocket connections.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Whether <see cref="CloseConnectionsAsync"/> has run: a connection started from now on gets its 1001 at once.</summary>
    public bool IsStopping => Volatile.Read(ref _stopping) != 0;

    /// <summary>A number unique among the host's connections, WebSocket and long polling alike.</summary>
    public long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>
    /// Counts a refused opening request (a <see cref="RefusalReasons"/> value), ends its span and logs it; the host
    /// writes the answer.
    /// </summary>
    public void Refused(Activity? activity, EndPoint? remote, int statusCode, string reason, string refusal, string? route)
    {
        Metrics.HandshakeRefused(ServerTransport.WebSocket, statusCode, refusal);
        ServerActivities.Answered(activity, route, statusCode);
        Log.HandshakeRejected(Logger, remote, statusCode, reason);
    }

    /// <summary>
    /// A transport over an upgraded HTTP connection's stream (an ASP.NET Core upgrade), with the host's send queue limit;
    /// <paramref name="abort"/> drops the connection at once.
    /// </summary>
    public IDuplexTransport OverStream(Stream stream, Action abort) => new StreamTransport(stream, Settings.SendQueueLimit, abort);

    /// <summary>
    /// The connection an accepted upgrade makes, after its 101 has been written: its span answered, its log line, and its
    /// session over <paramref name="transport"/>. Nothing runs until <see cref="StartAsync"/>.
    /// </summary>
    public WebSocketConnection Open(long id, IDuplexTransport transport, HandshakeRequest request, string? subprotocol, Accepted accepted, Activity? activity)
    {
        ServerActivities.Answered(activity, accepted.Route, 101);
        Log.Connected(Logger, id, accepted.Remote, request.Path);
        var session = new WebSocketSession(id, transport, WebSocketRole.Server, _sessionOptions, Logger, subprotocol, request.Deflate);
        return new WebSocketConnection(session, request, accepted.RouteValues, accepted.Remote, accepted.Handler)
        {
            Slot = accepted.Slot,
            User = accepted.User,
            Principal = accepted.Principal,
            Metrics = Metrics,
            Route = accepted.Route,
        };
    }

#pragma warning disable CA1031 // Application handlers may throw anything; the connection must survive it.
    /// <summary>
    /// Lists the connection, counts it, runs its handler's connected hook and starts its session, which runs on its own
    /// from then on; when it ends, the disconnected hook runs and then the host's closed callback.
    /// </summary>
    public async ValueTask StartAsync(WebSocketConnection connection)
    {
        _connections[connection.Id] = connection;
        connection.CountedActive = Metrics.ConnectionOpened(ServerTransport.WebSocket, connection.Route);
        // A connection that opened while CloseConnectionsAsync was sending 1001 may have been listed after that round; it gets its
        // own. Stopping is flagged before the round reads the list, so no connection misses both (a second close is a no-op).
        if (IsStopping) await connection.CloseAsync(CloseCode.GoingAway, ShutdownReason).ConfigureAwait(false);

        try
        {
            await connection.Handler.OnConnectedAsync(connection).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.HandlerFailed(Logger, connection.Id, e);
            Metrics.HandlerFailed(ServerTransport.WebSocket, HandlerKinds.Connected, null);
        }
        // Static, with the connection as its state, and one ended hook for the host: no delegate per connection.
        // The session runs on its own, keeping no task: its ended hook catches what the handler throws.
        connection.Session.Start(static (c, message) =>
        {
            c.CountReceived(message);
            return HandleMessage(c, message);
        }, _onSessionEnded, connection);
    }

    /// <summary>
    /// The handler's call for one message, counted on the meter when it fails; the exception goes on to the session,
    /// which logs it (event 102) and carries on. A call that completes at once, as most do, costs nothing more.
    /// </summary>
    private static ValueTask HandleMessage(WebSocketConnection connection, WebSocketMessage message)
    {
        ValueTask handled;
        try
        {
            handled = connection.Handler.OnMessageAsync(connection, message);
        }
        catch
        {
            CountMessageFailure(connection);
            throw;
        }
        if (handled.IsCompletedSuccessfully) return handled;
        if (handled.IsCompleted)
        {
            CountMessageFailure(connection);
            return handled;
        }
        return CountingFailureAsync(connection, handled);
    }

    /// <summary>Awaits a handler that waits; pooled, so a handler that waits on every message allocates nothing here.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask CountingFailureAsync(WebSocketConnection connection, ValueTask handled)
    {
        try
        {
            await handled.ConfigureAwait(false);
        }
        catch
        {
            CountMessageFailure(connection);
            throw;
        }
    }

    /// <summary>A raw handler's message has no type the server read, so none is tagged (a typed endpoint counts its own).</summary>
    private static void CountMessageFailure(WebSocketConnection connection) =>
        connection.Metrics.HandlerFailed(ServerTransport.WebSocket, HandlerKinds.Message, null);

    /// <summary>The rest of a connection's life, once its session has ended and its transport is closed.</summary>
    private async ValueTask OnSessionEndedAsync(WebSocketConnection connection, CloseCode? status)
    {
        try
        {
            OnEnded(connection, status);
            await connection.Handler.OnDisconnectedAsync(connection, status).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.HandlerFailed(Logger, connection.Id, e);
            Metrics.HandlerFailed(ServerTransport.WebSocket, HandlerKinds.Disconnected, null);
        }
        finally
        {
            _closed(connection);
        }
    }
#pragma warning restore CA1031

    private void OnEnded(WebSocketConnection connection, CloseCode? status)
    {
        _connections.TryRemove(connection.Id, out _);
        Log.Disconnected(Logger, connection.Id, status);
        Metrics.ConnectionClosed(ServerTransport.WebSocket, connection.Route, connection.CountedActive, connection.OpenedAt);
        // Counted only: the session logged the frame error itself (event 101).
        if (FrameLimitOf(connection.Session.ProtocolError) is { } frameLimit) Limits.Count(frameLimit);
        if (connection.Session.ClosedAsSlowConsumer)
        {
            Metrics.SendQueueOverflow(ServerTransport.WebSocket);
            Limits.Hit(ServerLimit.SendQueue, connection.RemoteEndPoint, $"connection {connection.Id}: over {Settings.SendQueueLimit} bytes waited to go out");
        }
    }

    /// <summary>The frame limit a session closed over, if it closed over one.</summary>
    private static ServerLimit? FrameLimitOf(FrameError error) => error switch
    {
        FrameError.FrameTooBig => ServerLimit.FrameSize,
        FrameError.MessageTooBig => ServerLimit.MessageSize,
        FrameError.TooManyFragments => ServerLimit.Fragments,
        _ => null,
    };

    /// <summary>
    /// The first step of a graceful stop: every long-polling session gets its close, which its waiting poll carries at
    /// once (before the host cancels what its requests wait on).
    /// </summary>
    public void CloseLongPolling() => LongPolling.CloseAll(CloseCode.GoingAway, ShutdownReason);

    /// <summary>
    /// Sends 1001 (going away) to every WebSocket connection; a connection that starts from now on gets it at once. The
    /// task completes once each close has been sent, not when the connections have ended.
    /// </summary>
    public Task CloseConnectionsAsync()
    {
        Interlocked.Exchange(ref _stopping, 1);
        Log.ShuttingDown(Logger, _connections.Count);
        return Task.WhenAll(_connections.Values.Select(c => c.CloseAsync(CloseCode.GoingAway, ShutdownReason).AsTask()));
    }

    /// <summary>Drops every WebSocket connection that is still open: the shutdown timeout has passed.</summary>
    public void AbortAll()
    {
        foreach (var connection in _connections.Values) connection.Abort();
    }

    /// <summary>
    /// The periodic sweep of what has no timer of its own: idle long-polling sessions and the limit warnings' memory.
    /// <paramref name="now"/> is <see cref="Environment.TickCount64"/>.
    /// </summary>
    public void Sweep(long now)
    {
        LongPolling.Sweep(now);
        Limits.Sweep(now);
    }

    /// <summary>The period of <see cref="Sweep"/>: a quarter of the long-polling idle timeout, within 10 ms to 1 s.</summary>
    public TimeSpan SweepPeriod => TimeSpan.FromMilliseconds(Math.Clamp(Settings.LongPolling.IdleTimeout.TotalMilliseconds / 4, 10, 1000));

    /// <summary>Ends the long-polling sessions that are left; the last step of a stop.</summary>
    public Task EndLongPollingAsync() => LongPolling.EndAllAsync();

    /// <inheritdoc/>
    public void Dispose() => Metrics.Dispose();

    /// <summary>What the host decided about an accepted upgrade: where it goes and who it is.</summary>
    internal readonly record struct Accepted(WebSocketHandler Handler, IReadOnlyDictionary<string, string> RouteValues, string Route, EndPoint? Remote,
        ClientAddress Slot, string? User, ClaimsPrincipal? Principal);
}
