using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Switchboard.Benchmarks.Load.Wire;

namespace Switchboard.Benchmarks.Load;

/// <summary>Receives the data frames a <see cref="LoadConnection"/> parses, in order, synchronously.</summary>
internal interface IFrameSink
{
    /// <summary>One data frame; <paramref name="fin"/> ends its message. The span is valid only during the call.</summary>
    void OnData(ReadOnlySpan<byte> payload, bool fin);
}

/// <summary>A sink that also learns each data frame's header: its length on the wire and whether it is compressed.</summary>
internal interface IFrameHeaderSink : IFrameSink
{
    /// <summary>Called before <see cref="IFrameSink.OnData"/> for the same frame.</summary>
    void OnFrame(in ServerFrame frame);
}

/// <summary>The connection could not be opened: refused, invalid answer, or a broken socket.</summary>
internal sealed class ConnectFailedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One client WebSocket on a raw socket: connect and upgrade, then a receive buffer the owner's loop parses with
/// <see cref="Drain"/> (many frames per read) and refills with <see cref="ReceiveAsync"/>. Pings are answered with
/// pongs and the server's close frame is noted; data frames go to the sink. Sending and receiving are each driven by
/// one loop; nothing here allocates per message.
/// </summary>
internal sealed class LoadConnection : IDisposable
{
    private static readonly byte[] CloseFrame = FrameBlock.Close();
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private byte[]? _pendingPong;
    private bool _closeSent;

    private LoadConnection(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    /// <summary>The server's close frame has arrived.</summary>
    public bool CloseReceived { get; private set; }

    /// <summary>The server's <c>Sec-WebSocket-Extensions</c> answer, or null when it accepted none.</summary>
    public string? Extensions { get; private set; }

    /// <summary>The server accepted permessage-deflate.</summary>
    public bool Deflate => Extensions?.StartsWith("permessage-deflate", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The frames were not RFC 6455 (the run reports it as an error).</summary>
    public bool ProtocolError { get; private set; }

    /// <summary>Connects (from <paramref name="source"/> when given) and completes the opening handshake.</summary>
    public static async Task<LoadConnection> OpenAsync(Target target, ClientHandshake handshake, IPAddress? source, CancellationToken cancellationToken)
    {
        var socket = new Socket(target.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var connection = new LoadConnection(socket);
        try
        {
            if (source is not null) socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(new IPEndPoint(target.Address, target.Port), cancellationToken);
            await socket.SendAsync(handshake.Request, SocketFlags.None, cancellationToken);
            while (true)
            {
                if (!await connection.ReceiveAsync(cancellationToken)) throw new ConnectFailedException("the server closed the connection during the handshake");
                switch (handshake.TryParseResponse(connection._buffer.AsSpan(connection._start, connection._end - connection._start), out var consumed, out var status,
                            out var extensions))
                {
                    case HandshakeStatus.NeedMore:
                        continue;
                    case HandshakeStatus.Accepted:
                        connection._start += consumed;
                        connection.Extensions = extensions;
                        if (target.Format == WireFormat.SignalR) await connection.SignalRHandshakeAsync(cancellationToken);
                        return connection;
                    case HandshakeStatus.Refused:
                        throw new ConnectFailedException($"the server refused the upgrade with {status}");
                    default:
                        throw new ConnectFailedException("the server's handshake response is not a valid 101");
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            connection.Dispose();
            throw new ConnectFailedException(e.Message, e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Sends bytes (frames) as one write.</summary>
    public ValueTask<int> SendAsync(ReadOnlyMemory<byte> frames, CancellationToken cancellationToken = default)
        => Socket.SendAsync(frames, SocketFlags.None, cancellationToken);

    /// <summary>
    /// Reads more bytes into the buffer after what is unparsed; false when the server has closed the TCP connection.
    /// Pooled: a read that waits reuses its state machine instead of allocating one.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        var read = await Socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        _end += read;
        return read > 0;
    }

    /// <summary>
    /// Parses every whole frame in the buffer: data to <paramref name="sink"/>, a ping to a pong sent by
    /// <see cref="FlushControlAsync"/>, a close to <see cref="CloseReceived"/> (nothing after it is read).
    /// </summary>
    public void Drain(IFrameSink sink)
    {
        while (!CloseReceived && !ProtocolError)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            switch (ServerFrame.TryRead(available, out var frame, out var required, deflate: Extensions is not null))
            {
                case FrameStatus.NeedMore:
                    if (required > _buffer.Length) Grow(required);
                    return;
                case FrameStatus.Invalid:
                    ProtocolError = true;
                    return;
            }

            var payload = available.Slice(frame.HeaderLength, frame.PayloadLength);
            switch (frame.Opcode)
            {
                case ServerFrame.Ping:
                    _pendingPong = FrameBlock.Pong(payload);
                    break;
                case ServerFrame.Close:
                    CloseReceived = true;
                    break;
                case ServerFrame.Pong:
                    break;
                default:
                    if (sink is IFrameHeaderSink headers) headers.OnFrame(frame);
                    sink.OnData(payload, frame.Fin);
                    break;
            }
            _start += frame.Length;
        }
    }

    /// <summary>Sends the pong a ping asked for, if any; after the server's close frame, our close answer.</summary>
    public async ValueTask FlushControlAsync(CancellationToken cancellationToken = default)
    {
        if (_pendingPong is { } pong)
        {
            _pendingPong = null;
            await SendAsync(pong, cancellationToken);
        }
        if (CloseReceived && !_closeSent)
        {
            _closeSent = true;
            await SendAsync(CloseFrame, cancellationToken);
        }
    }

    /// <summary>
    /// The closing handshake from our side (section 7.1.2): our close frame, the server's, then the server's end of the
    /// TCP connection (the server closes first, section 7.1.1). Gives up quietly after <paramref name="timeout"/>.
    /// </summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            if (!_closeSent)
            {
                _closeSent = true;
                await SendAsync(CloseFrame, cts.Token);
            }
            var sink = new DiscardSink();
            while (true)
            {
                Drain(sink);
                if (CloseReceived)
                {
                    _start = _end; // ignore anything after it; wait for the server's FIN
                }
                if (ProtocolError || !await ReceiveAsync(cts.Token)) return;
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection is going anyway.
        }
    }

    /// <summary>SignalR's handshake (hub protocol: <c>{"protocol":"json","version":1}</c> and 0x1E, answered by <c>{}</c> and 0x1E).</summary>
    private async Task SignalRHandshakeAsync(CancellationToken cancellationToken)
    {
        var request = "{\"protocol\":\"json\",\"version\":1}\u001e"u8;
        var frame = new byte[6 + request.Length];
        FrameBlock.Write(frame, ServerFrame.Text, request, 0x12345678);
        await SendAsync(frame, cancellationToken);
        var sink = new FirstMessageSink();
        while (true)
        {
            Drain(sink);
            if (sink.Message is { } answer)
            {
                if (!answer.StartsWith("{}", StringComparison.Ordinal)) throw new ConnectFailedException($"SignalR refused the handshake: {answer.TrimEnd('\u001e')}");
                return;
            }
            if (CloseReceived || ProtocolError || !await ReceiveAsync(cancellationToken)) throw new ConnectFailedException("SignalR closed during its handshake");
        }
    }

    private void Grow(int required)
    {
        var next = new byte[Math.Max(required, _buffer.Length * 2)];
        Array.Copy(_buffer, _start, next, 0, _end - _start);
        _end -= _start;
        _start = 0;
        _buffer = next;
    }

    public void Dispose() => Socket.Dispose();

    private sealed class DiscardSink : IFrameSink
    {
        public void OnData(ReadOnlySpan<byte> payload, bool fin)
        {
        }
    }

    private sealed class FirstMessageSink : IFrameSink
    {
        public string? Message { get; private set; }

        public void OnData(ReadOnlySpan<byte> payload, bool fin) => Message ??= Encoding.UTF8.GetString(payload);
    }
}
