using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Connections;
using Switchboard.Protocol;

namespace Switchboard.Client;

/// <summary>
/// A typed client: connects with Switchboard's own WebSocket stack, sends messages with <see cref="SendAsync{T}"/>,
/// delivers incoming ones to <see cref="On{T}(Func{T, ValueTask})"/> handlers by their wire type, and reconnects
/// with exponential backoff and full jitter when the connection is lost. The client speaks the protocol of its
/// <see cref="Catalog"/>: only the catalogue's messages can have handlers, and an incoming type outside it is
/// reported as <see cref="ClientErrorKind.UnknownType"/>, one in it without a handler as <see cref="ClientErrorKind.NoHandler"/>.
/// </summary>
/// <remarks>
/// Thread safety: every member may be called from any thread. Handlers run one at a time, in arrival order, on the
/// receive loop; <see cref="StateChanged"/> and <see cref="Error"/> are raised synchronously from the loop too.
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
    private Dictionary<string, Func<ReadOnlySequence<byte>, ValueTask>[]> _handlers = new(StringComparer.Ordinal);
    private WebSocketSession? _session;
    private Task _loop = Task.CompletedTask;
    private int _state;

    /// <summary>Creates a client for <paramref name="uri"/> (ws://, wss://); nothing happens until <see cref="ConnectAsync"/>.</summary>
    /// <param name="uri">The endpoint.</param>
    /// <param name="catalog">
    /// The messages the client knows, usually the generated <c>{AssemblyName}.SwitchboardMessages.Catalog</c> of the
    /// assembly that declares them (<see cref="MessageCatalog.Combine"/> merges several).
    /// </param>
    /// <param name="options">How to connect, reconnect and queue; the defaults when null.</param>
    /// <param name="loggerFactory">Where the client logs; none by default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="uri"/> or <paramref name="catalog"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A reconnect delay of <paramref name="options"/> is negative.</exception>
    public SwitchboardClient(Uri uri, MessageCatalog catalog, SwitchboardClientOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(catalog);
        _uri = uri;
        Catalog = catalog;
        _options = options ?? new SwitchboardClientOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ReconnectInitialDelay, TimeSpan.Zero, "options.ReconnectInitialDelay");
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ReconnectMaxDelay, TimeSpan.Zero, "options.ReconnectMaxDelay");
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Switchboard.Client");
    }

    /// <summary>The messages this client knows: incoming types outside it are unknown, and only its messages can have handlers.</summary>
    public MessageCatalog Catalog { get; }

    /// <summary>The connection's current state.</summary>
    public ConnectionState State => (ConnectionState)Volatile.Read(ref _state);

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
    /// Opens the first connection. Throws when it cannot be made (refused upgrade, unreachable, timeout); after it
    /// succeeds, lost connections are retried automatically according to the options.
    /// </summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, (int)ConnectionState.Connecting, (int)ConnectionState.Disconnected) != (int)ConnectionState.Disconnected)
            throw new InvalidOperationException($"ConnectAsync can be called once, while disconnected; the client is {State}");
        RaiseStateChanged(ConnectionState.Disconnected, ConnectionState.Connecting, null, null);
        WebSocketSession session;
        try
        {
            session = await WebSocketConnector.ConnectAsync(_uri, _options.Connection, _logger, cancellationToken).ConfigureAwait(false);
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
    public async ValueTask SendAsync<T>(T message, CancellationToken cancellationToken = default) where T : IMessage<T>
    {
        var encoded = EncodedMessage.Create(message);
        var queued = false;
        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = State;
            if (state == ConnectionState.Connected && _session is { State: WebSocketState.Open } session)
            {
                await session.SendAsync(encoded, cancellationToken).ConfigureAwait(false);
                return;
            }
            if (state is ConnectionState.Disconnected or ConnectionState.Closed)
                throw new InvalidOperationException($"cannot send {T.MessageType}: the client is {state.ToString().ToLowerInvariant()}");
            if (!_options.QueueWhileDisconnected)
                throw new InvalidOperationException($"cannot send {T.MessageType}: the client is {state.ToString().ToLowerInvariant()} and queueing is off");
            if (_queue.Count >= _options.MaxQueuedMessages)
                throw new InvalidOperationException($"cannot send {T.MessageType}: {_queue.Count} messages are already queued while disconnected (MaxQueuedMessages)");
            _queue.Enqueue(encoded);
            queued = true;
        }
        finally
        {
            _sendGate.Release();
            if (!queued) encoded.Dispose();
        }
    }

    /// <summary>Closes the connection with 1000 and stops reconnecting; queued messages are discarded.</summary>
    public async Task CloseAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        if (_session is { } session) await session.CloseAsync(CloseCode.NormalClosure).ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        finally
        {
            SetState(ConnectionState.Closed, null, null);
            await DiscardQueueAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Same as <see cref="CloseAsync"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        _closing.Dispose();
    }

    /// <summary>Receives until the connection ends, then reconnects while the policy allows.</summary>
    private async Task RunAsync(WebSocketSession session)
    {
        var attempt = 0;
        while (true)
        {
            using (var heartbeat = new Timer(static s => ((WebSocketSession)s!).Heartbeat(Environment.TickCount64), session, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)))
            {
                var status = await session.RunAsync(OnMessageAsync).ConfigureAwait(false);
                if (_closing.IsCancellationRequested || !_options.ShouldReconnect(status))
                {
                    SetState(ConnectionState.Closed, status, null);
                    await DiscardQueueAsync().ConfigureAwait(false);
                    return;
                }
                SetState(ConnectionState.Reconnecting, status, null);
            }

            while (true)
            {
                if (_options.MaxReconnectAttempts is { } max && attempt >= max)
                {
                    SetState(ConnectionState.Closed, null, null);
                    await DiscardQueueAsync().ConfigureAwait(false);
                    return;
                }
                try
                {
                    await Task.Delay(BackoffDelay(attempt++, _options, Random.Shared.NextDouble()), _closing.Token).ConfigureAwait(false);
                    session = await WebSocketConnector.ConnectAsync(_uri, _options.Connection, _logger, _closing.Token).ConfigureAwait(false);
                    attempt = 0;
                    break;
                }
                catch (OperationCanceledException) when (_closing.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    RaiseStateChanged(ConnectionState.Reconnecting, ConnectionState.Reconnecting, null, e);
                }
            }
            await OpenAsync(session).ConfigureAwait(false);
        }
    }

    /// <summary>Makes <paramref name="session"/> current and sends what was queued, before any new send.</summary>
    private async Task OpenAsync(WebSocketSession session)
    {
        await _sendGate.WaitAsync().ConfigureAwait(false);
        try
        {
            _session = session;
            while (_queue.TryDequeue(out var queued))
            {
                using (queued) await session.SendAsync(queued).ConfigureAwait(false);
            }
            SetState(ConnectionState.Connected, null, null);
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
    /// spreads reconnecting clients apart; <paramref name="random"/> is the uniform sample in [0, 1).
    /// </summary>
    internal static TimeSpan BackoffDelay(int attempt, SwitchboardClientOptions options, double random)
    {
        // Doubling stops at 2^30: any sane cap is reached long before, and the product stays finite.
        var exponential = options.ReconnectInitialDelay.Ticks * Math.Pow(2, Math.Clamp(attempt, 0, 30));
        var ceiling = Math.Min(options.ReconnectMaxDelay.Ticks, exponential);
        return TimeSpan.FromTicks((long)(Math.Clamp(random, 0, 1) * ceiling));
    }

    private ValueTask OnMessageAsync(WebSocketMessage message)
    {
        if (message.Opcode != Opcode.Text)
        {
            RaiseError(new ClientErrorEventArgs(ClientErrorKind.MalformedEnvelope, null, "binary message: envelopes are JSON text"));
            return ValueTask.CompletedTask;
        }
        var payload = message.Payload;
        if (!Envelope.TryRead(payload, out var header, out var error))
        {
            RaiseError(new ClientErrorEventArgs(ClientErrorKind.MalformedEnvelope, null, error.Describe()));
            return ValueTask.CompletedTask;
        }
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

    private void SetState(ConnectionState next, CloseCode? status, Exception? error)
    {
        var previous = (ConnectionState)Interlocked.Exchange(ref _state, (int)next);
        if (previous != next) RaiseStateChanged(previous, next, status, error);
    }

    private void RaiseStateChanged(ConnectionState previous, ConnectionState current, CloseCode? status, Exception? error)
        => StateChanged?.Invoke(this, new ConnectionStateChangedEventArgs(previous, current, status, error));

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
