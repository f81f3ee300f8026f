using System.IO.Pipelines;

namespace Switchboard.Connections;

/// <summary>
/// A duplex byte connection a <see cref="WebSocketSession"/> runs over, after the opening handshake: where its bytes come
/// from and go to (a socket, a TLS stream, an upgraded HTTP connection of another server). The session knows nothing
/// else about it.
/// </summary>
/// <remarks>
/// <para>
/// <b>Output.</b> A flush of <see cref="IDuplexPipe.Output"/> must not wait for the peer: what the peer has not taken
/// yet waits in the transport, counted by <see cref="QueuedBytes"/>, so a server that sends to many peers is never held
/// up by one that reads slowly. Writers keep that queue bounded themselves: a client waits with
/// <see cref="WaitForRoomAsync"/>, a server gives up on a peer over <see cref="SendQueueLimit"/>. A flush whose result
/// is completed means the connection is gone.
/// </para>
/// <para>
/// <b>Thread safety.</b> <see cref="Abort"/>, <see cref="QueuedBytes"/> and the waits may be called from any thread; the
/// pipes have one reader and one writer at a time, as any pipe.
/// </para>
/// </remarks>
public interface IDuplexTransport : IDuplexPipe, IAsyncDisposable
{
    /// <summary>The bound writers keep <see cref="QueuedBytes"/> to; see <see cref="WaitForRoomAsync"/>.</summary>
    long SendQueueLimit { get; }

    /// <summary>Bytes written to the output that the peer has not taken yet.</summary>
    long QueuedBytes { get; }

    /// <summary>
    /// Completes when <see cref="QueuedBytes"/> is at most <see cref="SendQueueLimit"/>: at once when it is, otherwise once
    /// the peer has taken enough (or the connection is gone). Only flushed bytes drain: flush before waiting.
    /// </summary>
    /// <param name="cancellationToken">Gives up waiting.</param>
    /// <returns>A task that completes when there is room.</returns>
    Task WaitForRoomAsync(CancellationToken cancellationToken = default);

    /// <summary>Completes once every flushed byte has gone to the peer (at once when none waits), or the connection is gone.</summary>
    /// <returns>A task that completes when nothing flushed waits.</returns>
    Task WaitForDrainAsync();

    /// <summary>
    /// The orderly end after the closing handshake: sends what is queued, ends the byte stream where the transport can,
    /// and waits for the peer's end for at most <paramref name="timeout"/>. Never throws for a peer that is gone; nothing
    /// may be written after it.
    /// </summary>
    /// <param name="timeout">How long the peer has to take the rest and end its side.</param>
    /// <returns>A task that completes when the transport is done or gave up.</returns>
    Task CloseAsync(TimeSpan timeout);

    /// <summary>Drops the connection at once: pending reads and writes fail. Harmless when it is gone already.</summary>
    void Abort();
}
