using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;

namespace Switchboard.Server;

/// <summary>
/// One accepted WebSocket connection. Sending is thread-safe: any number of tasks may call
/// <see cref="SendAsync(Opcode, ReadOnlyMemory{byte}, CancellationToken)"/> at once and each frame goes out whole.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "RunAsync disposes what the connection owns when the connection ends.")]
public sealed partial class WebSocketConnection
{
    private readonly Transport _transport;
    private readonly WebSocketServerOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closeTimeout = new();
    private Dictionary<string, object?>? _items;
    private int _closeSent;
    private int _state;
    private long _lastReceived = Environment.TickCount64;
    private long _pingSent;

    internal WebSocketConnection(long id, Transport transport, HandshakeRequest request, IReadOnlyDictionary<string, string> routeValues,
        string? subprotocol, WebSocketHandler handler, WebSocketServerOptions options, ILogger logger)
    {
        Handler = handler;
        Id = id;
        _transport = transport;
        Request = request;
        RouteValues = routeValues;
        Subprotocol = subprotocol;
        _options = options;
        _logger = logger;
        RemoteEndPoint = transport.Socket.RemoteEndPoint;
        _closeTimeout.Token.Register(static state => ((WebSocketConnection)state!).OnCloseTimeout(), this);
    }

    internal WebSocketHandler Handler { get; }

    /// <summary>A number unique among the server's connections.</summary>
    public long Id { get; }

    /// <summary>The upgrade request the connection was opened with.</summary>
    public HandshakeRequest Request { get; }

    /// <summary>The request path the connection was opened on.</summary>
    public string Path => Request.Path;

    /// <summary>Values captured by the route template, e.g. <c>username</c> for <c>/ws/{username}</c>.</summary>
    public IReadOnlyDictionary<string, string> RouteValues { get; }

    /// <summary>The negotiated subprotocol, or <see langword="null"/>.</summary>
    public string? Subprotocol { get; }

    /// <summary>The peer's address.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>Per-connection storage for the application. Not thread-safe: use it from the connection's handler calls.</summary>
    public IDictionary<string, object?> Items => _items ??= new(StringComparer.Ordinal);

    /// <summary>The connection's current state.</summary>
    public WebSocketConnectionState State => (WebSocketConnectionState)Volatile.Read(ref _state);

    /// <summary>
    /// Sends one complete message. Once the close handshake has begun, messages are dropped (the peer can no
    /// longer receive them); a transport failure drops the connection and is not thrown.
    /// </summary>
    public ValueTask SendAsync(Opcode opcode, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
        => SendAsync(opcode, new ReadOnlySequence<byte>(payload), cancellationToken);

    /// <inheritdoc cref="SendAsync(Opcode, ReadOnlyMemory{byte}, CancellationToken)"/>
    public ValueTask SendAsync(Opcode opcode, ReadOnlySequence<byte> payload, CancellationToken cancellationToken = default)
    {
        if (opcode is not (Opcode.Text or Opcode.Binary))
            throw new ArgumentOutOfRangeException(nameof(opcode), opcode, "only Text and Binary messages can be sent; use CloseAsync to close");
        return WriteAsync(opcode, payload, cancellationToken);
    }

    /// <summary>Sends <paramref name="text"/> as one text message.</summary>
    public ValueTask SendTextAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return SendAsync(Opcode.Text, Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    /// <summary>
    /// Starts the closing handshake (RFC 6455 section 7.1.2). The connection ends when the peer answers, or after
    /// <see cref="WebSocketServerOptions.CloseTimeout"/>. Calling it again does nothing.
    /// </summary>
    public ValueTask CloseAsync(CloseCode code = CloseCode.NormalClosure, string? reason = null)
        => SendCloseAsync(code, reason);

    /// <summary>Drops the TCP connection at once, without a closing handshake.</summary>
    public void Abort()
    {
        Volatile.Write(ref _state, (int)WebSocketConnectionState.Closed);
        _transport.Abort();
    }

    /// <summary>
    /// The one way out: frames leave whole and in order under the write lock. Nothing follows our close frame;
    /// for <see cref="Opcode.Close"/> a null <paramref name="closeCode"/> sends an empty close payload.
    /// </summary>
    private async ValueTask WriteAsync(Opcode opcode, ReadOnlySequence<byte> payload, CancellationToken cancellationToken,
        CloseCode? closeCode = null, string? reason = null)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var output = _transport.Output;
            if (opcode == Opcode.Close && closeCode is { } code)
            {
                FrameWriter.WriteClose(output, code, reason);
            }
            else
            {
                if (opcode != Opcode.Close && Volatile.Read(ref _closeSent) != 0) return;
                var header = output.GetSpan(FrameWriter.MaxHeaderLength);
                output.Advance(FrameWriter.WriteHeader(header, fin: true, opcode, payload.Length));
                foreach (var segment in payload) output.Write(segment.Span);
            }
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Log.TransportError(_logger, Id, e);
            Abort();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Sends our one close frame (RFC 6455 section 5.5.1) and starts the close timeout.</summary>
    private ValueTask SendCloseAsync(CloseCode? code, string? reason)
    {
        if (Interlocked.Exchange(ref _closeSent, 1) != 0) return ValueTask.CompletedTask;
        Interlocked.CompareExchange(ref _state, (int)WebSocketConnectionState.Closing, (int)WebSocketConnectionState.Open);
        _closeTimeout.CancelAfter(_options.CloseTimeout);
        return WriteAsync(Opcode.Close, ReadOnlySequence<byte>.Empty, CancellationToken.None, code, reason);
    }

    /// <summary>Called by the server's heartbeat: pings a silent peer and drops one that stays silent.</summary>
    internal void Heartbeat(long now)
    {
        var interval = (long)_options.KeepAliveInterval.TotalMilliseconds;
        if (interval <= 0 || State != WebSocketConnectionState.Open) return;

        var lastReceived = Volatile.Read(ref _lastReceived);
        var pingSent = Volatile.Read(ref _pingSent);
        if (pingSent > lastReceived)
        {
            if (now - pingSent >= (long)_options.KeepAliveTimeout.TotalMilliseconds)
            {
                Log.DeadPeer(_logger, Id);
                Abort();
            }
        }
        else if (now - lastReceived >= interval)
        {
            Volatile.Write(ref _pingSent, now);
            _ = WriteAsync(Opcode.Ping, ReadOnlySequence<byte>.Empty, CancellationToken.None).AsTask();
        }
    }

    private void OnCloseTimeout()
    {
        if (State == WebSocketConnectionState.Closed) return;
        Log.CloseTimedOut(_logger, Id);
        Abort();
    }
}
