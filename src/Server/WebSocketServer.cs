using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Protocol.Compression;
using Switchboard.Protocol.Framing;
using Switchboard.Server.Admission;
using Switchboard.Server.Diagnostics;
using Switchboard.Server.Endpoints;
using Switchboard.Server.Handshake;
using Switchboard.Server.Hosting;
using Switchboard.Server.Http;
using Switchboard.Server.LongPolling;
using Switchboard.Server.Loops;
using Switchboard.Server.Routing;
using Switchboard.Server.WebSockets;

namespace Switchboard.Server;

/// <summary>
/// A standalone WebSocket server: accepts TCP connections, performs the opening handshake, routes each
/// connection by request path to a typed <see cref="MessageEndpoint"/> (or a raw <see cref="WebSocketHandler"/>), and
/// runs it until it closes. The same port answers plain HTTP/1.1 requests from the routes added with <see cref="MapGet"/>
/// and its siblings, on persistent connections. Configure with <see cref="Map(string, MessageEndpoint)"/> and the other
/// map methods before <see cref="Start"/>; after that the members are thread-safe.
/// </summary>
public sealed partial class WebSocketServer : IAsyncDisposable
{
    private readonly WebSocketServerOptions _options;
    private readonly SessionHost _host;
    private readonly ILogger _logger;
    private readonly ServerMetrics _metrics;
    private readonly LimitReporter _limits;
    private readonly RouteTable _routes = new();
    // Counted, not listed: shutdown waits for the count to reach zero, and a connection costs no entry or continuation.
    private readonly TaskCompletionSource _sessionsEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _liveSessions; // every accepted connection's task that has not finished
    private readonly ConcurrentDictionary<long, SocketTransport> _httpTransports = new();
    private readonly HttpConnectionLoop _http;
    private readonly LongPollTransport _longPolling;
    private readonly Action<Socket> _startSession; // one for all connections
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;
    private IoLoops? _loops; // null when connections wait on the runtime's sockets
    private Task _acceptLoop = Task.CompletedTask;
    private Task _heartbeat = Task.CompletedTask;
    private readonly ConnectionSlots _slots;
    private int _stopped;

    /// <summary>Creates a server; nothing is bound until <see cref="Start"/>.</summary>
    public WebSocketServer(WebSocketServerOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new WebSocketServerOptions();
        var settings = new SessionHostSettings
        {
            Frames = _options.Frames,
            CloseTimeout = _options.CloseTimeout,
            KeepAliveInterval = _options.KeepAliveInterval,
            KeepAliveTimeout = _options.KeepAliveTimeout,
            SendQueueLimit = _options.SendQueueLimit,
            LongPolling = _options.LongPolling,
            Secure = _options.Tls is not null,
            RetryAfter = _options.ConnectionLimitRetryAfter,
        };
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Switchboard.Server");
        _host = new SessionHost(settings, _logger, connection => ConnectionClosed(connection.Slot));
        _metrics = _host.Metrics;
        _limits = _host.Limits;
        _longPolling = _host.LongPolling;
        _slots = new ConnectionSlots(_options.MaxConnections, _options.MaxConnectionsPerAddress);
        _startSession = socket => _ = StartSessionAsync(socket);
        _http = new HttpConnectionLoop(_options, _httpRoutes, _routes, HostFilter.For(_options), Admission.ForwardedHeaders.For(_options.ForwardedHeaders), _slots, _limits, _logger, _stopping.Token);
    }

    /// <summary>The bound address; valid after <see cref="Start"/> (the real port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener?.LocalEndPoint ?? throw new InvalidOperationException("the server has not started"));

    /// <summary>Whether connections come over TLS (every one does when <see cref="WebSocketServerOptions.Tls"/> is set), which decides the scheme of the server's own origin.</summary>
    private bool IsSecure => _options.Tls is not null;

    /// <summary>The number of open WebSocket connections.</summary>
    public int ConnectionCount => _host.ConnectionCount;

    /// <summary>The number of long-polling sessions that have not ended.</summary>
    public int LongPollingSessionCount => _longPolling.Count;

    /// <summary>This server's instruments; tests listen to its meter alone.</summary>
    internal ServerMetrics Metrics => _metrics;

    /// <summary>Accepted sockets not closed yet, HTTP and WebSocket alike (what <see cref="WebSocketServerOptions.MaxConnections"/> counts).</summary>
    internal int OpenSocketCount => _slots.Open;

    /// <summary>Keep-alive HTTP connections waiting between requests: the ones a newcomer at capacity may take the place of.</summary>
    internal int IdleHttpConnectionCount => _slots.IdleCount;

    /// <summary>Client addresses with an open connection: the size of the table <see cref="WebSocketServerOptions.MaxConnectionsPerAddress"/> keeps.</summary>
    internal int TrackedAddressCount => _slots.AddressCount;

    /// <summary>Tasks still running for accepted sockets, refused ones included.</summary>
    internal int RunningSessionCount => Volatile.Read(ref _liveSessions);

    /// <summary>Entries of the long-polling session table, ended sessions whose close is kept for a lost answer included.</summary>
    internal int LongPollingTableCount => _longPolling.TableCount;

    /// <summary>Bytes long-polling sessions hold for their clients, as <see cref="LongPollingOptions.MaxQueuedBytesTotal"/> counts them.</summary>
    internal long LongPollingQueuedBytes => _longPolling.QueuedBytes;

    /// <summary>
    /// Routes connections whose path matches <paramref name="template"/> (e.g. <c>/ws/{username}</c>, or <c>/{*path}</c> for
    /// every path) to the typed <paramref name="endpoint"/>: the usual way to serve messages. With long polling enabled
    /// (<see cref="WebSocketServerOptions.LongPolling"/>) the same path serves it to clients without WebSocket. Routes are
    /// tried in the order they were added.
    /// </summary>
    /// <remarks>Browsers may connect from the server's own origin only, and no one is authenticated: the defaults of
    /// <see cref="EndpointOptions"/>.</remarks>
    /// <param name="template">The route template, e.g. <c>/ws/{room}</c>.</param>
    /// <param name="endpoint">The endpoint that dispatches the connections' messages.</param>
    /// <returns>This server, for chaining.</returns>
    /// <exception cref="InvalidOperationException">The server has started.</exception>
    public WebSocketServer Map(string template, MessageEndpoint endpoint) => Map(template, endpoint, new EndpointOptions());

    /// <summary>
    /// Routes connections whose path matches <paramref name="template"/> to the typed <paramref name="endpoint"/>, as
    /// <see cref="Map(string, MessageEndpoint)"/> does, admitting only the connections <paramref name="options"/> allows:
    /// its origin rule and authentication hook judge the opening request of every transport before the endpoint hears
    /// of the connection, and its rate limits hold every connection of the endpoint.
    /// </summary>
    /// <param name="template">The route template, e.g. <c>/ws/{room}</c>.</param>
    /// <param name="endpoint">The endpoint that dispatches the connections' messages.</param>
    /// <param name="options">Who may connect, and how fast they may send.</param>
    /// <returns>This server, for chaining.</returns>
    /// <exception cref="ArgumentException">An entry of <see cref="EndpointOptions.AllowedOrigins"/> is not an origin, <c>null</c> or <c>*</c>.</exception>
    /// <exception cref="InvalidOperationException">The server has started, or the endpoint is mapped already with other rate limits.</exception>
    public WebSocketServer Map(string template, MessageEndpoint endpoint, EndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        if (_listener is not null) throw new InvalidOperationException("routes must be added before Start");
        var route = RouteTemplate.Parse(template);
        var gate = new EndpointGate(options, readsPositions: true);
        endpoint.UseRateLimits(options, _limits);
        _routes.Add(route, endpoint.WebSocketSide, gate);
        if (_options.LongPolling.Enabled)
        {
            // The same path over HTTP long polling (upgrade requests still go to the WebSocket side), readable by the
            // pages of every origin the endpoint admits (CORS).
            var secure = IsSecure;
            _httpRoutes.AddEndpoint("GET", route, LongPollCors.Actual(_longPolling.Poll(endpoint), gate, secure));
            _httpRoutes.AddEndpoint("POST", route, LongPollCors.Actual(_longPolling.Post(endpoint, gate, route.Text), gate, secure));
            _httpRoutes.AddEndpoint("DELETE", route, LongPollCors.Actual(_longPolling.Delete(endpoint), gate, secure));
            _httpRoutes.AddEndpoint("OPTIONS", route, LongPollCors.Preflight(gate, secure, _logger));
            _httpRoutes.AddEndpointFields(route, LongPollCors.Fields(gate, secure));
        }
        return this;
    }

    /// <summary>
    /// Routes WebSocket connections whose path matches <paramref name="template"/> to a raw <paramref name="handler"/>,
    /// which gets each message's bytes as they came, with no envelope; for typed messages map a <see cref="MessageEndpoint"/>
    /// instead. Raw handlers are served over WebSocket only.
    /// </summary>
    /// <remarks>Browsers may connect from the server's own origin only, and no one is authenticated: the defaults of
    /// <see cref="EndpointOptions"/>.</remarks>
    /// <param name="template">The route template, e.g. <c>/raw/{name}</c>.</param>
    /// <param name="handler">The handler of the connections.</param>
    /// <returns>This server, for chaining.</returns>
    /// <exception cref="InvalidOperationException">The server has started.</exception>
    public WebSocketServer Map(string template, WebSocketHandler handler) => Map(template, handler, new EndpointOptions());

    /// <summary>
    /// Routes WebSocket connections whose path matches <paramref name="template"/> to a raw <paramref name="handler"/>, as
    /// <see cref="Map(string, WebSocketHandler)"/> does, admitting only the connections <paramref name="options"/> allows.
    /// </summary>
    /// <param name="template">The route template, e.g. <c>/raw/{name}</c>.</param>
    /// <param name="handler">The handler of the connections.</param>
    /// <param name="options">Who may connect; rate limits are for typed endpoints and must be unset.</param>
    /// <returns>This server, for chaining.</returns>
    /// <exception cref="ArgumentException">
    /// An entry of <see cref="EndpointOptions.AllowedOrigins"/> is not an origin, <c>null</c> or <c>*</c>; or a rate limit
    /// is set: a raw handler reads no messages for the limit to count.
    /// </exception>
    /// <exception cref="InvalidOperationException">The server has started.</exception>
    public WebSocketServer Map(string template, WebSocketHandler handler, EndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        if (_listener is not null) throw new InvalidOperationException("routes must be added before Start");
        if (options.LimitsRate) throw new ArgumentException("rate limits apply to typed endpoints (MessageEndpoint) only", nameof(options));
        _routes.Add(RouteTemplate.Parse(template), handler, new EndpointGate(options));
        return this;
    }

    /// <summary>Binds the listener and starts accepting connections.</summary>
    public void Start()
    {
        if (_listener is not null) throw new InvalidOperationException("the server has already started");
        var listener = new Socket(_options.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(_options.EndPoint);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        if (_options.IoThreads > 0 && _options.Tls is null && IoLoops.IsSupported) _loops = new IoLoops(_options.IoThreads, _logger, _options.UnsafePreferInlineScheduling);
        Log.Listening(_logger, listener.LocalEndPoint);
        _acceptLoop = AcceptAsync(listener);
        _heartbeat = HeartbeatAsync();
    }

    /// <summary>
    /// Graceful shutdown: stops accepting, sends 1001 (going away) to every connection, waits up to
    /// <see cref="WebSocketServerOptions.ShutdownTimeout"/> for the closing handshakes, then drops whatever is left.
    /// Long-polling sessions hear the close from their waiting poll; one with no poll out ends once the rest have,
    /// without a close code. Every connection's disconnected hook has run when the task completes.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0 || _listener is null) return;
        // Long-polling clients learn of the shutdown from their poll, which answers at once with the close.
        _host.CloseLongPolling();
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        await _heartbeat.ConfigureAwait(false);

        await _host.CloseConnectionsAsync().ConfigureAwait(false);

        // Accepting has stopped: no session starts from now on, so a count of zero stays zero.
        if (Volatile.Read(ref _liveSessions) == 0) _sessionsEnded.TrySetResult();
        var all = _sessionsEnded.Task;
        try
        {
            await all.WaitAsync(_options.ShutdownTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            _host.AbortAll();
            foreach (var transport in _httpTransports.Values) transport.Abort();
            await all.ConfigureAwait(false);
        }
        // Sessions whose polls carried the close have ended; the rest (no poll came, and none can now) end here.
        await _host.EndLongPollingAsync().ConfigureAwait(false);
        _loops?.Dispose();
        _stopping.Dispose();
        _host.Dispose();
    }

    /// <summary>Same as <see cref="StopAsync"/>.</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task AcceptAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Per-connection accept failures (e.g. a reset before accept) must not stop the server.
                Log.AcceptFailed(_logger, e);
                continue;
            }

            ClientAddress client;
            try
            {
                socket.NoDelay = true;
                client = ClientAddress.Of(socket.RemoteEndPoint);
            }
            catch (SocketException e)
            {
                // Some platforms (macOS, the BSDs) refuse socket options on a connection the peer reset while it
                // waited to be accepted; that one connection is gone, and the loop must go on.
                Log.AcceptFailed(_logger, e);
                socket.Dispose();
                continue;
            }
            // Only this loop takes slots, so the count passes the limit only while an evicted connection closes;
            // sessions give their slots back as their sockets close.
            var verdict = _slots.Admit(client, out var evicted);
            Interlocked.Increment(ref _liveSessions);
            switch (verdict)
            {
                case SlotVerdict.Admitted:
                    RunSession(socket);
                    break;
                case SlotVerdict.AdmittedByEviction:
                    Evict(evicted!, socket.RemoteEndPoint);
                    RunSession(socket);
                    break;
                default:
                    _ = RefuseOverLimitAsync(socket, verdict == SlotVerdict.OverAddress);
                    break;
            }
        }
    }

    /// <summary>
    /// Closes an idle keep-alive HTTP connection whose place a newcomer takes: it waits between requests with none in
    /// flight, so nothing is lost (RFC 9112 section 9.5 lets a server close such a connection at any time, and clients
    /// retry on a new one). Its own task sees the socket go and ends without serving another request.
    /// </summary>
    private void Evict(IdleHttpConnection idle, EndPoint? newcomer)
    {
        _limits.Hit(ServerLimit.IdleHttpEvicted, idle.Remote, $"idle keep-alive HTTP connection closed to make room for {newcomer}");
        idle.Transport.Abort();
    }

    /// <summary>The end of a connection's task; the last one to end once the server is stopping lets shutdown go on.</summary>
    private void SessionEnded()
    {
        if (Interlocked.Decrement(ref _liveSessions) == 0 && Volatile.Read(ref _stopped) != 0) _sessionsEnded.TrySetResult();
    }

    /// <summary>
    /// Answers a connection over <see cref="WebSocketServerOptions.MaxConnections"/> with 503 and closes it, without
    /// reading its request; over TLS it is dropped, as an answer would first cost a handshake.
    /// </summary>
    private async Task RefuseOverLimitAsync(Socket socket, bool overAddress)
    {
        try
        {
            await AnswerOverLimitAsync(socket, overAddress).ConfigureAwait(false);
        }
        finally
        {
            SessionEnded(); // whatever happened: shutdown waits for the count
        }
    }

    private async Task AnswerOverLimitAsync(Socket socket, bool overAddress)
    {
        await Task.Yield(); // leave the accept loop before any work
        if (overAddress)
            _limits.Hit(ServerLimit.ConnectionsPerAddress, socket.RemoteEndPoint, $"{_options.MaxConnectionsPerAddress} connections already open from this address");
        else
            _limits.Hit(ServerLimit.Connections, socket.RemoteEndPoint, $"{_options.MaxConnections} connections already open");
        if (_options.Tls is not null)
        {
            socket.Dispose();
            return;
        }
        var transport = new SocketTransport(socket);
        try
        {
            var retryAfter = ((long)_options.ConnectionLimitRetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            HttpResponseWriter.WriteText(transport.Output, 503, "Too many connections", keepAlive: false, headers: [new("Retry-After", retryAfter)]);
            await transport.Output.FlushAsync().ConfigureAwait(false);
            // The drain reads (and discards) the request, so the close cannot turn into a reset that loses the 503.
            await transport.CloseAsync(_options.CloseTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The client is gone; nothing more to tell it.
        }
        finally
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs the server side of the TLS handshake within <paramref name="timeout"/>; null, with the socket disposed, when
    /// it fails or does not finish in time.
    /// </summary>
    private async Task<SslStream?> AuthenticateAsync(Socket socket, SslServerAuthenticationOptions tls, TimeSpan timeout)
    {
        var remote = socket.RemoteEndPoint;
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        deadline.CancelAfter(timeout);
        try
        {
            await stream.AuthenticateAsServerAsync(tls, deadline.Token).ConfigureAwait(false);
            return stream;
        }
        catch (OperationCanceledException)
        {
            if (!_stopping.IsCancellationRequested) Log.TlsHandshakeTimedOut(_logger, remote, timeout);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SocketException or ObjectDisposedException or Win32Exception
            or InvalidOperationException or NotSupportedException)
        {
            Log.TlsHandshakeFailed(_logger, remote, e);
        }
        await stream.DisposeAsync().ConfigureAwait(false);
        socket.Dispose();
        return null;
    }

    /// <summary>
    /// A connection's start, from accept to the handler's first hook and the start of its session, on the thread pool:
    /// the accept loop goes on at once. What follows the session's end runs in the session's own ended hook
    /// (<see cref="SessionHost"/>), so while the connection is idle the session's receive loop is the only state
    /// machine it keeps, and an opening that never waits (the usual upgrade, whose head has arrived by the time it is
    /// read) makes none at all.
    /// </summary>
    /// <remarks>The work item carries the socket alone, with the server's one delegate, and the connection's id is taken
    /// when it starts: the smallest item the thread pool has.</remarks>
    private void RunSession(Socket socket) => ThreadPool.QueueUserWorkItem(_startSession, socket, preferLocal: false);

    private async Task StartSessionAsync(Socket socket)
    {
        var id = _host.NextId();
        // The accepted socket keeps the end point it was accepted with: the same key the slot was taken under.
        var client = ClientAddress.Of(socket.RemoteEndPoint);
        var started = false;
        try
        {
            // What the opening took (TLS, the HTTP requests before the upgrade) is left behind with OpenAsync: only the
            // connection stays for as long as it is open.
            var connection = await OpenAsync(id, socket).ConfigureAwait(false);
            if (connection is null) return;
            // From here the host's closed callback gives the slot back.
            started = true;
            await _host.StartAsync(connection).ConfigureAwait(false);
        }
        finally
        {
            // Closed before it became a session (refused, failed, or the server stopped): the socket is closed by now.
            if (!started) ConnectionClosed(client);
        }
    }

    /// <summary>An accepted connection's socket is closed: it no longer counts against the limit, and its task is over.</summary>
    private void ConnectionClosed(ClientAddress client)
    {
        _slots.Release(client);
        SessionEnded();
    }

    /// <summary>
    /// Takes an accepted socket through TLS (when set), the plain HTTP requests before an upgrade and the upgrade itself;
    /// null, with the socket closed, when the connection ends before it becomes a WebSocket connection.
    /// </summary>
    /// <remarks>A pooled state machine, which exists only while the opening waits (for TLS, a head, a hook).</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<WebSocketConnection?> OpenAsync(long id, Socket socket)
    {
        var firstHeadTimeout = _options.HandshakeTimeout;
        Stream? stream = null;
        if (_options.Tls is { } tls)
        {
            // One HandshakeTimeout from accept covers the TLS handshake and the first request head.
            var started = Stopwatch.GetTimestamp();
            stream = await AuthenticateAsync(socket, tls, firstHeadTimeout).ConfigureAwait(false);
            if (stream is null) return null;
            firstHeadTimeout = TimeSpan.FromTicks(Math.Max(1, (firstHeadTimeout - Stopwatch.GetElapsedTime(started)).Ticks));
        }
        // Loops exist only without TLS: with one, the stream is null and the socket waits on the next loop in turn.
        var transport = new SocketTransport(socket, stream, _options.SendQueueLimit, _loops?.Next());
        var negotiation = NegotiateAsync(id, transport, firstHeadTimeout);
        WebSocketConnection? connection;
        if (negotiation.IsCompleted)
        {
            connection = negotiation.Result;
        }
        else
        {
            // Listed for shutdown to abort only while the opening waits (for a head, a plain request's answer, a hook):
            // the usual upgrade, whose head has arrived by the time it is read, never waits, and costs no entry.
            _httpTransports[id] = transport;
            try
            {
                connection = await negotiation.ConfigureAwait(false);
            }
            finally
            {
                _httpTransports.TryRemove(id, out _);
            }
        }
        if (connection is null) await transport.DisposeAsync().ConfigureAwait(false);
        return connection;
    }

    /// <summary>Answers plain HTTP requests until one is for a WebSocket endpoint, then judges and answers that one.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<WebSocketConnection?> NegotiateAsync(long id, SocketTransport transport, TimeSpan firstHeadTimeout)
    {
        var head = await _http.RunAsync(id, transport, firstHeadTimeout).ConfigureAwait(false);
        return head is null ? null : await UpgradeAsync(id, transport, head).ConfigureAwait(false);
    }

    /// <summary>Judges the request head the HTTP side handed over and answers it; null when refused.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<WebSocketConnection?> UpgradeAsync(long id, SocketTransport transport, HttpRequestHead head)
    {
        // The client a trusted proxy named, or the peer; the slot stays the peer's, which it was taken under.
        var peer = transport.Socket.RemoteEndPoint;
        var remote = head.Forwarded?.Client ?? peer;
        var activity = ServerActivities.StartConnect(ServerTransport.WebSocket, remote);
        if (!WebSocketUpgrade.TryValidate(head, out var request, out var error))
        {
            await RejectAsync(transport, error.ToStatusCode(), error.Describe(), RefusalReasons.InvalidRequest, null, activity).ConfigureAwait(false);
            return null;
        }

        if (!_routes.TryMatch(request.Path, out var handler, out var gate, out var routeValues, out var route))
        {
            await RejectAsync(transport, 404, "no WebSocket endpoint at this path", RefusalReasons.NoRoute, null, activity).ConfigureAwait(false);
            return null;
        }

        // The endpoint's origin rule and authentication, exactly as for a long-polling open; no 101 before them. The
        // request an authentication hook sees is made only for an endpoint that has one.
        var verdict = gate.Authenticates
            ? await gate.CheckAsync(new ServerRequest(head, routeValues, default, remote, _stopping.Token), IsSecure, _logger).ConfigureAwait(false)
            : gate.CheckOrigin(head, remote, IsSecure, _logger);
        if (!verdict.Allowed)
        {
            await RejectAsync(transport, verdict.Status, verdict.Reason!, RefusalReasons.ForGate(verdict.Status), route!.Text, activity, gate.RefusalFields(verdict.Status))
                .ConfigureAwait(false);
            return null;
        }

        var subprotocol = HandshakeResponse.SelectSubprotocol(request.Subprotocols, _options.Subprotocols);
        request.Deflate = DeflateNegotiation.Accept(request.ExtensionOffers(), _options.Deflate);
        try
        {
            HandshakeResponse.WriteAccept(transport.Output, request, subprotocol);
            await transport.Output.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Log.TransportError(_logger, id, e);
            activity?.Dispose();
            return null;
        }
        return _host.Open(id, transport, request, subprotocol,
            new SessionHost.Accepted(handler!, routeValues, route!.Text, remote, ClientAddress.Of(peer), verdict.User, verdict.Principal), activity);
    }

    /// <summary>Refuses an upgrade with <paramref name="statusCode"/>: counted by <paramref name="refusal"/> (a <see cref="RefusalReasons"/> value), its span ended, answered and closed.</summary>
    private async Task RejectAsync(SocketTransport transport, int statusCode, string reason, string refusal, string? route, Activity? activity,
        KeyValuePair<string, string>[]? fields = null)
    {
        _host.Refused(activity, transport.Socket.RemoteEndPoint, statusCode, reason, refusal, route);
        try
        {
            HandshakeResponse.WriteReject(transport.Output, statusCode, reason, fields);
            await transport.Output.FlushAsync().ConfigureAwait(false);
            await transport.CloseAsync(_options.CloseTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The client is gone; nothing more to tell it.
        }
    }

    private async Task HeartbeatAsync()
    {
        // WebSocket sessions keep their own keepalive; this sweeps what has no timer of its own.
        using var timer = new PeriodicTimer(_host.SweepPeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false)) _host.Sweep(Environment.TickCount64);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
