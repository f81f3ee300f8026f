using System.IO.Pipelines;
using System.Net.Sockets;

namespace Switchboard.Server;

/// <summary>The accepted socket with the pipes over it; owns and disposes all three.</summary>
internal sealed class Transport : IAsyncDisposable
{
    private int _disposed;

    public Transport(Socket socket)
    {
        Socket = socket;
        var stream = new NetworkStream(socket, ownsSocket: false);
        // Zero-byte reads: an idle connection holds no receive buffer while it waits.
        Input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true));
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    public Socket Socket { get; }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    /// <summary>Drops the connection at once; pending reads and writes fail.</summary>
    public void Abort()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        try { Socket.Dispose(); } catch (ObjectDisposedException) { }
    }

    /// <summary>
    /// The orderly end: send FIN, then read and discard until the peer closes its side or the time runs out.
    /// Draining first keeps unread bytes from turning the close into a reset that could destroy our last frame.
    /// </summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        try
        {
            Socket.Shutdown(SocketShutdown.Send);
            using var cts = new CancellationTokenSource(timeout);
            while (true)
            {
                var result = await Input.ReadAsync(cts.Token).ConfigureAwait(false);
                Input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled) break;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer is gone or too slow; either way the socket is disposed next.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await Input.CompleteAsync().ConfigureAwait(false);
        try { await Output.CompleteAsync().ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException) { }
        Socket.Dispose();
    }
}
