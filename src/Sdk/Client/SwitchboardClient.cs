using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Connections;
using Switchboard.Messaging;

namespace Switchboard.Client;

/// <summary>
/// A typed client: connects with Switchboard's own WebSocket stack, or over HTTP long polling where WebSocket is
/// refused (see <see cref="SwitchboardClientOptions.Transport"/>), sends messages with <see cref="SendAsync{T}"/>,
/// delivers incoming ones to <see cref="On{T}(Func{T, ValueTask})"/> handlers by their wire type, and reconnects
/// with exponential backoff and full jitter when the connection is lost. The client speaks the protocol of its
/// <see cref="Catalog"/>: only the catalogue's messages can have handlers, and an incoming type outside it is
/// reported as <see cref="ClientErrorKind.UnknownType"/>, one in it without a handler as <see cref="ClientErrorKind.NoHandler"/>.
/// </summary>
/// <remarks>
/// Thread safety: every member may be called from any thread. Handlers run one at a time, in arrival order, on the
/// receive loop; <see cref="StateChanged"/> and <see cref="Error"/> are raised synchronously from the loop too.
/// Handlers cannot tell the transports apart: both deliver every envelope once, in order, through the same dispatch.
/// </remarks>
public sealed class SwitchboardClient : IAsyncDisposable
{
    private readonly Uri _uri;
    private readonly SwitchboardClientOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _handlersLock = new();
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly Queue<EncodedMessage> _queue = new();
    private readonly CancellationTokenSource _closing = new();
    private int _disposed;
    private readonly PositionBook _positions;
    private readonly PendingRequests _requests = new();
    private Dictionary<string, Func<ReadOnlySequence<byte>, ValueTask>[]> _handlers = new(StringComparer.Ordinal);
    private readonly Lock _httpLock = new();
    private ClientConnection? _connection;
    private HttpClient? _http;
    private Task _loop = Task.CompletedTask;
    private int _state;
    private int _transport; // 0 until a connection is made, then 1 + the SwitchboardTransport that worked

    /// <summary>Creates a client for <paramref name="uri"/> (ws://, wss://); nothing happens until <see cref="ConnectAsync"/>.</summary>
    /// <param name="uri">The endpoint.</param>
    /// <param name="catalog">
    /// The messages the client knows, usually the generated <c>{AssemblyName}.SwitchboardMessages.Catalog</c> of the
    /// assembly that declares them (<see cref="MessageCatalog.Combine"/> merges several).
    /// </param>
    /// <param name="options">How to connect, reconnect and queue; the defaults when null.</param>
    /// <param name="loggerFactory">Where the client logs; none by default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="uri"/> or <paramref name="catalog"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A reconnect delay of <paramref name="options"/> is negative, its connect attempts fewer than 1, or its transport is not a <see cref="SwitchboardTransport"/>.
    /// </exception>
    /// <exception cref="ArgumentException">A seeded position of <paramref name="options"/> (<see cref="SwitchboardClientOptions.Positions"/>) has an invalid epoch or a negative offset.</exception>
    public SwitchboardClient(Uri uri, MessageCatalog catalog, SwitchboardClientOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(catalog);
        _uri = uri;
        Catalog = catalog;
        _options = options ?? new SwitchboardClientOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ReconnectInitialDelay, TimeSpan.Zero, "options.ReconnectInitialDelay");
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ReconnectMaxDelay, TimeSpan.Zero, "options.ReconnectMaxDelay");
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.TryAgainLaterDelay, TimeSpan.Zero, "options.TryAgainLaterDelay");
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxConnectAttempts, 1, "options.MaxConnectAttempts");
        if (!Enum.IsDefined(_options.Transport))
            throw new ArgumentOutOfRangeException(nameof(options), _options.Transport, "options.Transport is not a SwitchboardTransport");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.RequestTimeout, TimeSpan.Zero, "options.RequestTimeout");
        _positions = new PositionBook(_options);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Switchboard.Client");
    }

    /// <summary>The messages this client knows: incoming types outside it are unknown, and only its messages can have handlers.</summary>
    public MessageCatalog Catalog { get; }

    /// <summary>The connection's current state.</summary>
    public ConnectionState State => (ConnectionState)Volatile.Read(ref _state);

    /// <summary>
    /// The transport in use: <see cref="SwitchboardTransport.WebSocket"/> or <see cref="SwitchboardTransport.LongPolling"/>
    /// once the first connection has been made (with <see cref="SwitchboardTransport.Auto"/>, the one that worked, which
    /// reconnects keep using); null before.
    /// </summary>
    public SwitchboardTransport? Transport => Volatile.Read(ref _transport) is var value and > 0 ? (SwitchboardTransport)(value - 1) : null;

    /// <summary>
    /// The client's place in each group that keeps history, by group: the epoch of the group's last
    /// <c>switchboard.joined</c> notice and the offset of the last message of that group delivered (or the notice's, when
    /// the join did not recover). A snapshot: later messages do not change it. Every reconnect presents these positions
    /// (with <see cref="SwitchboardClientOptions.Recover"/>); an app that saves them and passes them back as
    /// <see cref="SwitchboardClientOptions.Positions"/> recovers across restarts too (docs/protocol.md, "History and recovery").
    /// </summary>
    public IReadOnlyDictionary<string, StreamPosition> Positions => _positions.Snapshot();

    /// <summary>
    /// Raised for each <c>switchboard.joined</c> notice: the connection joined a group that keeps history. It is raised on
    /// the receive loop before the group's replayed messages are handled, so a handler that sees
    /// <see cref="GroupJoinedEventArgs.Recovered"/> false (messages were missed) can reload the group's state first.
    /// A handler that throws is reported through <see cref="Error"/> as <see cref="ClientErrorKind.HandlerFailed"/>.
    /// </summary>
    public event EventHandler<GroupJoinedEventArgs>? GroupJoined;

    /// <summary>Raised on every state change.</summary>
    public event EventHandler<ConnectionStateChangedEventArgs>? StateChanged;

    /// <summary>Raised for an incoming message that could not be delivered; the connection lives on.</summary>
    public event EventHandler<ClientErrorEventArgs>? Error;

    /// <summary>Delivers every incoming <typeparamref name="T"/> to <paramref name="handler"/>; dispose the result to stop.</summary>
    /// <typeparam name="T">A message of the client's <see cref="Catalog"/>.</typeparam>
    /// <param name="handler">Runs for each <typeparamref name="T"/>, after the handlers registered before it.</param>
    /// <returns>The subscription.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not in <see cref="Catalog"/>.</exception>
    public IDisposable On<T>(Func<T, ValueTask> handler) where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(handler);
        Catalog.Get<T>();
        Func<ReadOnlySequence<byte>, ValueTask> dispatch = data => DispatchAsync(data, handler);
        lock (_handlersLock)
        {
            var next = new Dictionary<string, Func<ReadOnlySequence<byte>, ValueTask>[]>(_handlers, StringComparer.Ordinal);
            next[T.MessageType] = next.TryGetValue(T.MessageType, out var existing) ? [.. existing, dispatch] : [dispatch];
            _handlers = next;
        }
        return new Subscription(this, T.MessageType, dispatch);
    }

    /// <inheritdoc cref="On{T}(Func{T, ValueTask})"/>
    public IDisposable On<T>(Action<T> handler) where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(handler);
        return On<T>(message =>
        {
            handler(message);
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>
    /// Opens the first connection, trying up to <see cref="SwitchboardClientOptions.MaxConnectAttempts"/> times with
    /// backoff while the failures are worth retrying. Throws <see cref="SwitchboardConnectionException"/> when it cannot
    /// be made: at once for a refusal (<see cref="SwitchboardConnectionErrorKind.Refused"/>,
    /// <see cref="SwitchboardConnectionErrorKind.NotFound"/>, with the server's status and reason), otherwise with the last
    /// attempt's failure; the client is then <see cref="ConnectionState.Closed"/>. After it succeeds, lost connections are
    /// retried automatically according to the options (docs/protocol.md, "Reconnecting").
    /// </summary>
    /// <exception cref="SwitchboardConnectionException">The connection could not be made.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="InvalidOperationException">The client is not <see cref="ConnectionState.Disconnected"/>.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, (int)ConnectionState.Connecting, (int)ConnectionState.Disconnected) != (int)ConnectionState.Disconnected)
            throw new InvalidOperationException($"ConnectAsync can be called once, while disconnected; the client is {State}");
        RaiseStateChanged(ConnectionState.Disconnected, ConnectionState.Connecting, null, null);
        ClientConnection session;
        try
        {
            session = await ConnectFirstAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            SetState(ConnectionState.Closed, null, e);
            throw;
        }
        await OpenAsync(session).ConfigureAwait(false);
        _loop = RunAsync(session);
    }

    /// <summary>
    /// Sends <paramref name="message"/>. While reconnecting it is queued (see <see cref="SwitchboardClientOptions.QueueWhileDisconnected"/>)
    /// and goes out in order on the next connection. Throws <see cref="InvalidOperationException"/> when the client is
    /// closed, never connected, or the queue is full.
    /// </summary>
    /// <remarks>
    /// Over WebSocket the send completes once the frame is in the socket's send queue. Over long polling it completes once
    /// the envelope is in the session's send buffer; the send loop posts it with whatever else is waiting, and when the
    /// session is lost before the server confirmed it, it goes out again on the next connection (so an envelope whose
    /// POST was answered by nobody may reach a restarted server twice).
    /// </remarks>
    public async ValueTask SendAsync<T>(T message, CancellationToken cancellationToken = default) where T : IMessage<T>
    {
        var encoded = EncodedMessage.Create(message);
        var handedOff = false;
        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = State;
            if (state == ConnectionState.Connected && _connection is { } connection
                && await connection.TrySendAsync(encoded, cancellationToken).ConfigureAwait(false))
            {
                handedOff = true; // the connection owns it now
                return;
            }
            if (state is ConnectionState.Disconnected or ConnectionState.Closed)
                throw new InvalidOperationException($"cannot send {T.MessageType}: the client is {state.ToString().ToLowerInvariant()}");
            if (!_options.QueueWhileDisconnected)
                throw new InvalidOperationException($"cannot send {T.MessageType}: the client is {state.ToString().ToLowerInvariant()} and queueing is off");
            if (_queue.Count >= _options.MaxQueuedMessages)
                throw new InvalidOperationException($"cannot send {T.MessageType}: {_queue.Count} messages are already queued while disconnected (MaxQueuedMessages)");
            _queue.Enqueue(encoded);
            handedOff = true;
        }
        finally
        {
            _sendGate.Release();
            if (!handedOff) encoded.Dispose();
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> and waits for its reply (docs/protocol.md, "Request/response"), for at most
    /// <see cref="SwitchboardClientOptions.RequestTimeout"/>. The response type is inferred from the request's
    /// <see cref="IRequest{TResponse}"/>.
    /// </summary>
    /// <typeparam name="TResponse">The response type the request declares.</typeparam>
    /// <param name="request">The request, a message that implements <see cref="IRequest{TResponse}"/>.</param>
    /// <param name="cancellationToken">Stops waiting; a reply that comes later is ignored.</param>
    /// <returns>The response.</returns>
    /// <exception cref="RequestFailedException">
    /// The server answered with one of the request's typed errors (<see cref="RequestFailedException.Error"/>) or a built-in
    /// failure (<see cref="RequestFailedException.Code"/>), or the connection was lost or is not open
    /// (<see cref="RequestFailure.ConnectionLost"/>) before the reply came.
    /// </exception>
    /// <exception cref="TimeoutException">No reply came in time.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="InvalidOperationException">The client is closed or was never connected.</exception>
    public Task<TResponse> RequestAsync<TResponse>(IRequest<TResponse> request, CancellationToken cancellationToken = default)
        where TResponse : IMessage<TResponse>
        => RequestAsync(request, _options.RequestTimeout, cancellationToken);

    /// <summary>
    /// Sends <paramref name="request"/> and waits for its reply for at most <paramref name="timeout"/>; otherwise as
    /// <see cref="RequestAsync{TResponse}(IRequest{TResponse}, CancellationToken)"/>.
    /// </summary>
    /// <typeparam name="TResponse">The response type the request declares.</typeparam>
    /// <param name="request">The request.</param>
    /// <param name="timeout">How long to wait for the reply; positive, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="cancellationToken">Stops waiting; a reply that comes later is ignored.</param>
    /// <returns>The response.</returns>
    /// <exception cref="RequestFailedException">The request failed (see the other overload).</exception>
    /// <exception cref="TimeoutException">No reply came in time.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="InvalidOperationException">The client is closed or was never connected.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is neither positive nor infinite.</exception>
    public async Task<TResponse> RequestAsync<TResponse>(IRequest<TResponse> request, TimeSpan timeout, CancellationToken cancellationToken = default)
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        if (timeout != Timeout.InfiniteTimeSpan) ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var id = _requests.NextId();
        var (encoded, type) = EncodeRequest(request, id);
        var pending = _requests.Add(id, request, type);
        try
        {
            var sent = false;
            try
            {
                await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    var state = State;
                    if (state is ConnectionState.Disconnected or ConnectionState.Closed)
                        throw new InvalidOperationException($"cannot send the request {type}: the client is {state.ToString().ToLowerInvariant()}");
                    // A request is never queued: its reply could only come over the connection that carries it.
                    sent = state == ConnectionState.Connected && _connection is { } connection
                        && await connection.TrySendAsync(encoded, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _sendGate.Release();
                }
            }
            finally
            {
                if (!sent) encoded.Dispose();
            }
            if (!sent) throw new RequestFailedException(type, RequestFailure.ConnectionLost, $"the client is {State.ToString().ToLowerInvariant()}, not connected");
            try
            {
                return await pending.Reply.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"request '{type}' (id {id}) got no reply within {timeout}", e);
            }
        }
        finally
        {
            _requests.Remove(id);
        }
    }

    private static (EncodedMessage Encoded, string Type) EncodeRequest<TResponse>(IRequest<TResponse> request, string id)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            request.WriteRequest(writer, id);
        }
        // The request's wire name, for errors, from the envelope it just wrote.
        var type = Envelope.TryRead(buffer.WrittenSpan, out var header, out _) ? header.Type : request.GetType().Name;
        return (EncodedMessage.FromPayload(buffer.WrittenSpan), type);
    }

    /// <summary>A connection ended: the requests it carried can get no reply any more.</summary>
    private void FailPendingRequests(CloseCode? status)
    {
        if (_requests.Count == 0) return;
        _requests.FailAll(status is { } code ? $"the connection was lost (close code {(int)code})" : "the connection was lost");
    }

    /// <summary>Closes the connection with 1000 and stops reconnecting; queued messages are discarded and every socket the client holds is closed.</summary>
    public async Task CloseAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _connection) is { } connection) await connection.CloseAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        finally
        {
            SetState(ConnectionState.Closed, null, null);
            _requests.FailAll("the client was closed");
            await DiscardQueueAsync().ConfigureAwait(false);
            // A closed client never connects again: its kept-alive long-polling connections go now, not when the
            // server's idle timeout or the client's disposal gets round to them.
            lock (_httpLock)
            {
                _http?.Dispose();
                _http = null;
            }
        }
    }

    /// <summary>Same as <see cref="CloseAsync"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        // Disposing twice (an app's `await using` plus its own shutdown path) is harmless, as IAsyncDisposable asks.
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await CloseAsync().ConfigureAwait(false);
        _closing.Dispose();
    }

    /// <summary>The attempts of <see cref="ConnectAsync"/>: retryable failures are retried with backoff, up to the bound.</summary>
    private async Task<ClientConnection> ConnectFirstAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await ConnectTransportAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SwitchboardConnectionException e) when (!e.IsFinal && attempt + 1 < _options.MaxConnectAttempts)
            {
                RaiseStateChanged(ConnectionState.Connecting, ConnectionState.Connecting, null, e);
            }
            catch (SwitchboardConnectionException e) when (e.IsFinal)
            {
                ClientLog.Refused(_logger, _uri, e.Message);
                throw;
            }
            await Task.Delay(BackoffDelay(attempt, _options, Random.Shared.NextDouble()), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The refusal a connection that ended with <paramref name="status"/> carries: a close with 1008 or 4000-4999 that the
    /// policy does not retry; null for any other end.
    /// </summary>
    private SwitchboardConnectionException? RefusalOf(CloseCode? status, string? reason)
    {
        if (status is not { } code || !(code == CloseCode.PolicyViolation || (ushort)code is >= 4000 and <= 4999)) return null;
        var refusal = new SwitchboardConnectionException(SwitchboardConnectionErrorKind.Refused,
            $"{_uri} closed the connection with {(int)code}" + (reason is null ? "" : $": {reason}"), closeStatus: code, reason: reason);
        ClientLog.Refused(_logger, _uri, refusal.Message);
        return refusal;
    }

    /// <summary>Receives until the connection ends, then reconnects while the policy allows; a refusal ends it for good.</summary>
    private async Task RunAsync(ClientConnection session)
    {
        var attempt = 0;
        while (true)
        {
            var status = await session.RunAsync(OnEnvelopeAsync, OnMalformed).ConfigureAwait(false);
            FailPendingRequests(status);
            var reason = status is null ? null : session.CloseReason;
            await ReclaimAsync(session).ConfigureAwait(false);
            if (_closing.IsCancellationRequested || !_options.ShouldReconnect(status))
            {
                SetState(ConnectionState.Closed, status, _closing.IsCancellationRequested ? null : RefusalOf(status, reason), reason);
                await DiscardQueueAsync().ConfigureAwait(false);
                return;
            }
            SetState(ConnectionState.Reconnecting, status, null, reason);

            Exception? last = null;
            while (true)
            {
                if (_options.MaxReconnectAttempts is { } max && attempt >= max)
                {
                    SetState(ConnectionState.Closed, null, last);
                    await DiscardQueueAsync().ConfigureAwait(false);
                    return;
                }
                try
                {
                    await Task.Delay(BackoffDelay(attempt++, _options, Random.Shared.NextDouble(), status), _closing.Token).ConfigureAwait(false);
                    session = await ConnectTransportAsync(_closing.Token).ConfigureAwait(false);
                    attempt = 0;
                    break;
                }
                catch (OperationCanceledException) when (_closing.IsCancellationRequested)
                {
                    return;
                }
                catch (SwitchboardConnectionException e) when (e.IsFinal)
                {
                    // Refused (401, 403) or gone (404): the same request would fail again.
                    ClientLog.Refused(_logger, _uri, e.Message);
                    SetState(ConnectionState.Closed, null, e);
                    await DiscardQueueAsync().ConfigureAwait(false);
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    last = e;
                    RaiseStateChanged(ConnectionState.Reconnecting, ConnectionState.Reconnecting, null, e);
                }
            }
            await OpenAsync(session).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Opens a connection over the transport that worked before, or, for the first one, the configured transport; with
    /// <see cref="SwitchboardTransport.Auto"/>, long polling when the WebSocket upgrade fails in a way that suggests
    /// WebSocket is blocked on the way (<see cref="SwitchboardConnectionErrorKind.HandshakeFailed"/>): never on a refusal,
    /// a 404, an unreachable server or a timeout, which long polling would meet as well.
    /// </summary>
    private async Task<ClientConnection> ConnectTransportAsync(CancellationToken cancellationToken)
    {
        var transport = Transport ?? _options.Transport;
        var recover = RecoverQuery();
        ClientConnection connection;
        if (transport == SwitchboardTransport.LongPolling)
        {
            connection = await LongPollingClientConnection.OpenAsync(Http, _uri, recover, _options.Connection, _logger, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            try
            {
                var uri = recover is null ? _uri : LongPollingClientConnection.WithQuery(_uri, recover);
                connection = await WebSocketClientConnection.ConnectAsync(uri, _options.Connection, _logger, cancellationToken).ConfigureAwait(false);
            }
            catch (SwitchboardConnectionException e) when (transport == SwitchboardTransport.Auto && e.Kind == SwitchboardConnectionErrorKind.HandshakeFailed)
            {
                ClientLog.FallingBack(_logger, _uri, e.Message);
                connection = await LongPollingClientConnection.OpenAsync(Http, _uri, recover, _options.Connection, _logger, cancellationToken).ConfigureAwait(false);
            }
        }
        Volatile.Write(ref _transport, (int)connection.Transport + 1);
        return connection;
    }

    /// <summary>The <c>recover</c> parameters of the next connect request: every position held, unless recovery is off.</summary>
    private string? RecoverQuery()
    {
        if (!_options.Recover) return null;
        var query = _positions.RecoverQuery(out var leftOut);
        if (leftOut > 0) ClientLog.PositionsLeftOut(_logger, _uri, leftOut, PositionBook.MaxPresented);
        return query;
    }

    /// <summary>The HTTP client of long polling, made on first use and shared by the client's sessions.</summary>
    private HttpClient Http
    {
        get
        {
            lock (_httpLock) return _http ??= CreateHttpClient(_options.Connection);
        }
    }

    private static HttpClient CreateHttpClient(WebSocketClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            // A held poll, a send and a closing DELETE can be out at once; each needs its own HTTP/1.1 connection.
            MaxConnectionsPerServer = 3,
            ConnectTimeout = options.ConnectTimeout,
            AllowAutoRedirect = false,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = options.RemoteCertificateValidation },
        };
        // Each request has its own deadline: the poll's is the server's hold time plus a margin.
        return new HttpClient(handler, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    /// <summary>Makes <paramref name="session"/> current and sends what was queued, before any new send.</summary>
    private async Task OpenAsync(ClientConnection session)
    {
        await _sendGate.WaitAsync().ConfigureAwait(false);
        try
        {
            Volatile.Write(ref _connection, session);
            // A connection that ends meanwhile refuses the rest; they stay queued for the next one.
            while (_queue.TryPeek(out var queued) && await session.TrySendAsync(queued, CancellationToken.None).ConfigureAwait(false))
                _queue.Dequeue();
            SetState(ConnectionState.Connected, null, null);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>Puts what an ended connection never got confirmed in front of the queue, in order.</summary>
    private async Task ReclaimAsync(ClientConnection session)
    {
        await _sendGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var unconfirmed = session.TakeUnconfirmed();
            if (unconfirmed.Count == 0) return;
            var later = _queue.ToArray();
            _queue.Clear();
            foreach (var message in unconfirmed) _queue.Enqueue(message);
            foreach (var message in later) _queue.Enqueue(message);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    private async Task DiscardQueueAsync()
    {
        await _sendGate.WaitAsync().ConfigureAwait(false);
        try
        {
            while (_queue.TryDequeue(out var queued)) queued.Dispose();
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>
    /// The wait before reconnect attempt <paramref name="attempt"/> (0 for the first retry after a loss). Full jitter: a
    /// uniform time in [0, min(<see cref="SwitchboardClientOptions.ReconnectMaxDelay"/>, initial * 2^attempt)), which
    /// spreads reconnecting clients apart; <paramref name="random"/> is the uniform sample in [0, 1). After a loss
    /// with 1013 (<paramref name="status"/>) the wait is <see cref="SwitchboardClientOptions.TryAgainLaterDelay"/> more,
    /// and its jitter grows from the larger of that delay and the initial one.
    /// </summary>
    internal static TimeSpan BackoffDelay(int attempt, SwitchboardClientOptions options, double random, CloseCode? status = null)
    {
        var later = status == CloseCode.TryAgainLater;
        var initial = later ? Math.Max(options.TryAgainLaterDelay.Ticks, options.ReconnectInitialDelay.Ticks) : options.ReconnectInitialDelay.Ticks;
        // Doubling stops at 2^30: any sane cap is reached long before, and the product stays finite.
        var exponential = initial * Math.Pow(2, Math.Clamp(attempt, 0, 30));
        var ceiling = Math.Min(options.ReconnectMaxDelay.Ticks, exponential);
        var jitter = (long)(Math.Clamp(random, 0, 1) * ceiling);
        return TimeSpan.FromTicks(later ? options.TryAgainLaterDelay.Ticks + jitter : jitter);
    }

    /// <summary>
    /// The one dispatch path of every transport: an incoming envelope, by its type, to its handlers; a notice to the
    /// client itself. A message of a group's history moves the group's position once it has been handled.
    /// </summary>
    private ValueTask OnEnvelopeAsync(ReadOnlySequence<byte> payload)
    {
        if (!Envelope.TryRead(payload, out var header, out var error))
        {
            RaiseError(new ClientErrorEventArgs(ClientErrorKind.MalformedEnvelope, null, error.Describe()));
            return ValueTask.CompletedTask;
        }
        if (header.Id is { } id)
        {
            // Only replies carry an id (docs/protocol.md, "Request/response").
            if (!_requests.TryComplete(id, header, payload)) ClientLog.UnknownReply(_logger, header.Type, id);
            return ValueTask.CompletedTask;
        }
        if (header.Type.StartsWith(JoinedNotice.Prefix, StringComparison.Ordinal))
        {
            OnNotice(header, payload);
            return ValueTask.CompletedTask;
        }
        if (header.Group is not { } group || header.Offset is not { } offset) return DeliverAsync(header, payload);
        var delivery = DeliverAsync(header, payload);
        if (!delivery.IsCompletedSuccessfully) return AdvanceAfterAsync(delivery, group, offset);
        delivery.GetAwaiter().GetResult();
        _positions.Delivered(group, offset);
        return ValueTask.CompletedTask;
    }

    private async ValueTask AdvanceAfterAsync(ValueTask delivery, string group, long offset)
    {
        await delivery.ConfigureAwait(false);
        _positions.Delivered(group, offset);
    }

    /// <summary>
    /// A <c>switchboard.</c> notice: <c>switchboard.joined</c> sets the group's position and raises <see cref="GroupJoined"/>;
    /// the prefix is reserved for such notices, so one this client does not know is ignored, not an unknown type.
    /// </summary>
    private void OnNotice(in EnvelopeHeader header, ReadOnlySequence<byte> payload)
    {
        if (header.Type != JoinedNotice.Type)
        {
            ClientLog.NoticeIgnored(_logger, header.Type);
            return;
        }
        if (!JoinedNotice.TryRead(header.Data(payload), out var notice, out var detail))
        {
            RaiseError(new ClientErrorEventArgs(ClientErrorKind.InvalidMessage, header.Type, $"'{header.Type}' notice: {detail}"));
            return;
        }
        _positions.Joined(notice!.Group, notice.Epoch, notice.Offset, notice.Recovered);
        RaiseGroupJoined(notice);
    }

#pragma warning disable CA1031 // An app's handler may throw anything; the connection must survive it.
    private void RaiseGroupJoined(GroupJoinedEventArgs notice)
    {
        try
        {
            GroupJoined?.Invoke(this, notice);
        }
        catch (Exception e)
        {
            RaiseError(new ClientErrorEventArgs(ClientErrorKind.HandlerFailed, JoinedNotice.Type, e.Message, e));
        }
    }
#pragma warning restore CA1031

    private ValueTask DeliverAsync(in EnvelopeHeader header, ReadOnlySequence<byte> payload)
    {
        // Every handler's type is in the catalogue (On<T> checks), so the catalogue is only asked when no handler is found.
        if (!Volatile.Read(ref _handlers).TryGetValue(header.Type, out var handlers))
        {
            RaiseError(Catalog.Contains(header.Type)
                ? new ClientErrorEventArgs(ClientErrorKind.NoHandler, header.Type, $"'{header.Type}' is in the catalogue but has no handler")
                : new ClientErrorEventArgs(ClientErrorKind.UnknownType, header.Type, $"'{header.Type}' is not in the catalogue"));
            return ValueTask.CompletedTask;
        }
        return DispatchAllAsync(handlers, header.Data(payload));
    }

    private void OnMalformed(string detail) => RaiseError(new ClientErrorEventArgs(ClientErrorKind.MalformedEnvelope, null, detail));

    private static async ValueTask DispatchAllAsync(Func<ReadOnlySequence<byte>, ValueTask>[] handlers, ReadOnlySequence<byte> data)
    {
        foreach (var handler in handlers) await handler(data).ConfigureAwait(false);
    }

#pragma warning disable CA1031 // Application handlers may throw anything; the connection must survive it.
    private async ValueTask DispatchAsync<T>(ReadOnlySequence<byte> data, Func<T, ValueTask> handler) where T : IMessage<T>
    {
        T value;
        try
        {
            var reader = new Utf8JsonReader(data);
            value = T.Read(ref reader);
        }
        catch (MessageFormatException e)
        {
            RaiseError(new ClientErrorEventArgs(ClientErrorKind.InvalidMessage, T.MessageType, e.Message, e));
            return;
        }
        try
        {
            await handler(value).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            RaiseError(new ClientErrorEventArgs(ClientErrorKind.HandlerFailed, T.MessageType, e.Message, e));
        }
    }
#pragma warning restore CA1031

    private void SetState(ConnectionState next, CloseCode? status, Exception? error, string? reason = null)
    {
        var previous = (ConnectionState)Interlocked.Exchange(ref _state, (int)next);
        if (previous != next) RaiseStateChanged(previous, next, status, error, reason);
    }

    private void RaiseStateChanged(ConnectionState previous, ConnectionState current, CloseCode? status, Exception? error, string? reason = null)
        => StateChanged?.Invoke(this, new ConnectionStateChangedEventArgs(previous, current, status, error, Transport) { CloseReason = reason });

    private void RaiseError(ClientErrorEventArgs error)
    {
        if (error.Kind == ClientErrorKind.NoHandler) ClientLog.Unhandled(_logger, error.MessageType!);
        else ClientLog.IncomingError(_logger, error.Kind, error.MessageType, error.Detail);
        Error?.Invoke(this, error);
    }

    private void Remove(string type, Func<ReadOnlySequence<byte>, ValueTask> dispatch)
    {
        lock (_handlersLock)
        {
            if (!_handlers.TryGetValue(type, out var existing)) return;
            var next = new Dictionary<string, Func<ReadOnlySequence<byte>, ValueTask>[]>(_handlers, StringComparer.Ordinal);
            var remaining = Array.FindAll(existing, d => d != dispatch);
            if (remaining.Length == 0) next.Remove(type);
            else next[type] = remaining;
            _handlers = next;
        }
    }

    private sealed class Subscription(SwitchboardClient client, string type, Func<ReadOnlySequence<byte>, ValueTask> dispatch) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) client.Remove(type, dispatch);
        }
    }
}
