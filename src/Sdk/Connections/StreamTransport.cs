using System.IO.Pipelines;

namespace Switchboard.Connections;

/// <summary>
/// A transport over any duplex <see cref="Stream"/>: an upgraded HTTP connection handed over by another server, a
/// <see cref="System.Net.Sockets.NetworkStream"/>, a pipe. Reads wait with zero-byte reads, so an idle connection holds
/// no receive buffer; flushes queue for a pump that writes the stream, so they never wait for the peer.
/// </summary>
/// <remarks>
/// A stream has no half-close: <see cref="CloseAsync"/> sends what is queued and flushes, and the connection ends when
/// the transport is disposed (which disposes the stream). Thread safety as <see cref="IDuplexTransport"/> says.
/// </remarks>
internal sealed class StreamTransport : IDuplexTransport
{
    private static readonly StreamPipeReaderOptions InputOptions = new(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true);

    private readonly Stream _stream;
    private readonly Action? _abort;
    private readonly SendQueue _output;
    private int _disposed;

    /// <summary>Runs over <paramref name="stream"/>, which the transport owns from now on.</summary>
    /// <param name="stream">The connection's bytes, both ways.</param>
    /// <param name="sendQueueLimit">See <see cref="SendQueueLimit"/>.</param>
    /// <param name="abort">
    /// How to drop the connection at once when the stream alone cannot (an HTTP server's abort of the request, say);
    /// null disposes the stream.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sendQueueLimit"/> is below 2 bytes.</exception>
    public StreamTransport(Stream stream, long sendQueueLimit = SocketTransport.DefaultSendQueueLimit, Action? abort = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(sendQueueLimit, 2);
        _stream = stream;
        _abort = abort;
        Input = PipeReader.Create(stream, InputOptions);
        _output = new SendQueue(this, socket: null, onLoop: false, stream, sendQueueLimit);
    }

    /// <inheritdoc/>
    public PipeReader Input { get; }

    /// <inheritdoc/>
    public PipeWriter Output => _output;

    /// <inheritdoc/>
    public long SendQueueLimit => _output.Limit;

    /// <inheritdoc/>
    public long QueuedBytes => _output.QueuedBytes;

    /// <inheritdoc/>
    public Task WaitForRoomAsync(CancellationToken cancellationToken = default) => _output.WaitForRoomAsync(cancellationToken);

    /// <inheritdoc/>
    public Task WaitForDrainAsync() => _output.WaitForDrainAsync();

    /// <inheritdoc/>
    public async Task CloseAsync(TimeSpan timeout)
    {
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            await _output.CompleteAsync().ConfigureAwait(false);
            await _output.WaitForDrainAsync().WaitAsync(cts.Token).ConfigureAwait(false);
            await _stream.FlushAsync(cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException or NotSupportedException)
        {
            // The peer is gone or too slow; either way the stream is disposed next.
        }
    }

    /// <inheritdoc/>
    public void Abort()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        if (_abort is { } abort)
        {
            abort();
            return;
        }
        try { _stream.Dispose(); } catch (Exception e) when (e is IOException or ObjectDisposedException) { }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await Input.CompleteAsync().ConfigureAwait(false);
        // Whatever is still queued now has no one to go to: the stream goes first, so the pump cannot hang on it.
        _output.Break();
        try { await _stream.DisposeAsync().ConfigureAwait(false); } catch (Exception e) when (e is IOException or ObjectDisposedException) { }
        await _output.WaitForDrainAsync().ConfigureAwait(false);
    }
}
