using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;

namespace Switchboard.Connections;

/// <summary>
/// A connected socket, optionally wrapped in TLS, with pipes over it. Owns and disposes all of them.
/// <see cref="Abort"/> is thread-safe; the rest belongs to the session that runs over the transport.
/// </summary>
public sealed class SocketTransport : IAsyncDisposable
{
    private readonly Stream _stream;
    private int _disposed;

    /// <summary>Wraps <paramref name="socket"/>, reading and writing through <paramref name="stream"/> (a TLS stream, say) or the socket itself.</summary>
    public SocketTransport(Socket socket, Stream? stream = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Socket = socket;
        _stream = stream ?? new NetworkStream(socket, ownsSocket: false);
        // Zero-byte reads: an idle connection holds no receive buffer while it waits.
        Input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true));
        Output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    /// <summary>The underlying socket.</summary>
    public Socket Socket { get; }

    /// <summary>Bytes from the peer.</summary>
    public PipeReader Input { get; }

    /// <summary>Bytes to the peer.</summary>
    public PipeWriter Output { get; }

    /// <summary>Drops the connection at once; pending reads and writes fail.</summary>
    public void Abort()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        try { Socket.Dispose(); } catch (ObjectDisposedException) { }
    }

    /// <summary>
    /// The orderly end: send FIN (after TLS close_notify), then read and discard until the peer closes its side or
    /// <paramref name="timeout"/> runs out. Draining first keeps unread bytes from turning the close into a reset
    /// that could destroy the last frame sent.
    /// </summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            if (_stream is SslStream tls) await tls.ShutdownAsync().WaitAsync(cts.Token).ConfigureAwait(false);
            Socket.Shutdown(SocketShutdown.Send);
            while (true)
            {
                var result = await Input.ReadAsync(cts.Token).ConfigureAwait(false);
                Input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled) break;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The peer is gone or too slow; either way the socket is disposed next.
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await Input.CompleteAsync().ConfigureAwait(false);
        // Completing flushes anything left; after a TLS shutdown or a reset there is no one to flush to.
        try { await Output.CompleteAsync().ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException) { }
        await _stream.DisposeAsync().ConfigureAwait(false);
        Socket.Dispose();
    }
}
