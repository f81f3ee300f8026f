using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;

namespace Switchboard.Connections;

/// <summary>
/// A connected socket, optionally wrapped in TLS, with pipes over it. Owns and disposes all of them.
/// <see cref="Abort"/> is thread-safe; the rest belongs to the session that runs over the transport.
/// </summary>
/// <remarks>
/// What is flushed to <see cref="Output"/> goes to the socket at once when it can take it; what it cannot take waits in
/// a send queue that a pump hands to the socket, so a flush never waits for the peer. The queue and its pump exist only
/// while bytes wait: an idle connection holds neither, nor any send buffer. <see cref="QueuedBytes"/> says how much waits; a writer that should slow down for a peer
/// that reads slowly awaits <see cref="WaitForRoomAsync"/>, and one that must not wait (a server broadcasting to
/// many peers) compares <see cref="QueuedBytes"/> with <see cref="SendQueueLimit"/> and gives up on that peer.
/// </remarks>
public sealed class SocketTransport : IDuplexTransport
{
    /// <summary>The default <see cref="SendQueueLimit"/>: 1 MiB.</summary>
    public const long DefaultSendQueueLimit = 1024 * 1024;

    // Over TLS, zero-byte reads: an idle connection holds no receive buffer while it waits.
    private static readonly StreamPipeReaderOptions InputOptions = new(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true);

    // Bounded by its writers (see WaitForRoomAsync), not by itself: its flushes never wait. It keeps the stream over
    // the socket, when there is one, for the transport as well.
    private readonly SendQueue _output;
    private int _disposed;

    /// <summary>Wraps <paramref name="socket"/>, reading and writing through <paramref name="stream"/> (a TLS stream, say) or the socket itself.</summary>
    /// <param name="socket">The connected socket; the transport owns it.</param>
    /// <param name="stream">A stream over the socket, such as an authenticated <see cref="SslStream"/>; null uses the socket directly.</param>
    /// <param name="sendQueueLimit">Bytes queued for the peer before flushes wait; see <see cref="SendQueueLimit"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sendQueueLimit"/> is below 2 bytes.</exception>
    public SocketTransport(Socket socket, Stream? stream = null, long sendQueueLimit = DefaultSendQueueLimit)
        : this(socket, stream, sendQueueLimit, loop: null)
    {
    }

    /// <summary>Wraps <paramref name="socket"/> as the public constructor does, waiting for bytes on <paramref name="loop"/>.</summary>
    /// <param name="socket">The connected socket; the transport owns it.</param>
    /// <param name="stream">A stream over the socket; null uses the socket directly.</param>
    /// <param name="sendQueueLimit">Bytes queued for the peer before flushes wait.</param>
    /// <param name="loop">
    /// Where a plain socket waits for bytes: on a server's I/O loop, whose thread takes them and completes the read on
    /// the thread pool (or on its own thread, for a loop that prefers inline scheduling); null (or a
    /// <paramref name="stream"/>) leaves waiting to the runtime's sockets.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sendQueueLimit"/> is below 2 bytes.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="loop"/> has stopped.</exception>
    internal SocketTransport(Socket socket, Stream? stream, long sendQueueLimit, IReadinessSource? loop)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentOutOfRangeException.ThrowIfLessThan(sendQueueLimit, 2);
        Socket = socket;
        if (stream is null)
        {
            // Reads and sends are tried at once and wait only when the socket has nothing for them or no room: a
            // connection whose peer keeps up never needs the socket's state for waiting sends, and an idle one waits
            // for bytes holding no buffer: on a loop, which reads its descriptor itself, or with a zero-byte receive.
            if (loop is null) socket.Blocking = false;
            else LoopSocket.MakeNonBlocking(socket.SafeHandle);
            Input = new SocketReader(socket, loop);
        }
        else
        {
            Input = PipeReader.Create(stream, InputOptions);
        }
        _output = new SendQueue(this, socket, onLoop: SocketReader?.OnLoop ?? false, stream, sendQueueLimit);
    }

    /// <summary>The underlying socket.</summary>
    public Socket Socket { get; }

    /// <summary>Bytes from the peer.</summary>
    public PipeReader Input { get; }

    /// <summary>
    /// Bytes to the peer, in order. Its flush completes at once: on a plain socket it sends what the socket takes before
    /// it returns, and queues the rest for a pump; only the pump waits for the peer.
    /// </summary>
    public PipeWriter Output => _output;

    /// <summary>The bound the writers keep the send queue to; see <see cref="WaitForRoomAsync"/>.</summary>
    public long SendQueueLimit => _output.Limit;

    /// <summary>Bytes written to <see cref="Output"/> that the socket has not taken yet.</summary>
    public long QueuedBytes => _output.QueuedBytes;

    /// <summary>
    /// Completes when the send queue holds at most <see cref="SendQueueLimit"/> bytes: at once when it does, otherwise
    /// once the peer has taken enough for the queue to fall to half the limit (or the connection is gone). A writer
    /// that awaits it before each write keeps the queue near the limit: one write may go past it.
    /// </summary>
    /// <param name="cancellationToken">Gives up waiting.</param>
    /// <returns>A task that completes when there is room.</returns>
    public Task WaitForRoomAsync(CancellationToken cancellationToken = default) => _output.WaitForRoomAsync(cancellationToken);

    /// <inheritdoc/>
    public Task WaitForDrainAsync() => _output.WaitForDrainAsync();

    /// <summary>Drops the connection at once; pending reads and writes fail.</summary>
    public void Abort()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        CloseSocket();
    }

    /// <summary>
    /// The orderly end: hand everything queued to the socket, send FIN (after TLS close_notify), then read and discard
    /// until the peer closes its side or <paramref name="timeout"/> runs out. Draining first keeps unread bytes from
    /// turning the close into a reset that could destroy the last frame sent. Nothing may be written after it.
    /// </summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await _output.CompleteAsync().ConfigureAwait(false);
            await _output.WaitForDrainAsync().WaitAsync(cts.Token).ConfigureAwait(false);
            if (_output.Stream is SslStream tls) await tls.ShutdownAsync().WaitAsync(cts.Token).ConfigureAwait(false);
            Socket.Shutdown(SocketShutdown.Send);
            while (true)
            {
                var result = await Input.ReadAsync(cts.Token).ConfigureAwait(false);
                Input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled) break;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException or TimeoutException)
        {
            // The peer is gone or too slow; either way the socket is disposed next.
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await Input.CompleteAsync().ConfigureAwait(false);
        // Whatever is still queued now has no one to go to: the socket goes first, so the pump cannot hang on it.
        CloseSocket();
        _output.Break();
        await _output.WaitForDrainAsync().ConfigureAwait(false);
        if (_output.Stream is { } stream) await stream.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Closes the socket: pending sends and receives fail, a read waiting on a loop included.</summary>
    internal void CloseSocket()
    {
        try { Socket.Dispose(); } catch (ObjectDisposedException) { }
        SocketReader?.OnSocketClosed();
    }

    /// <summary>The input of a plain socket; null over a stream. Not a field of its own: every connection would pay for it.</summary>
    private SocketReader? SocketReader => Input as SocketReader;
}
