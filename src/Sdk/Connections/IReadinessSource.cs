using System.Net.Sockets;

namespace Switchboard.Connections;

/// <summary>
/// What a <see cref="SocketReader"/> needs of a thread that waits for its socket to turn readable (the server's I/O
/// loops): registering the socket, leaving a read to the thread's next turn, and knowing whether it runs there. The
/// loops themselves live with the server, the only side that has them; a client's reader waits with the runtime's
/// zero-byte receive instead and never sees one.
/// </summary>
/// <remarks>
/// A socket that waits on one is non-blocking at its descriptor and read and written with <see cref="LoopSocket"/>'s
/// calls, which need nothing of the source: they stay out of it so that a read that completes at once costs a
/// single call through this interface (<see cref="IsOwnThread"/>).
/// </remarks>
internal interface IReadinessSource
{
    /// <summary>
    /// Whether a read that waited here completes on the source's thread, running what awaited it right there. False:
    /// the listener takes the bytes on that thread and completes the read on the thread pool. Fixed for the source's life.
    /// </summary>
    bool PreferInlineScheduling { get; }

    /// <summary>Whether the caller runs on the source's thread.</summary>
    bool IsOwnThread { get; }

    /// <summary>Whether the source still waits for its sockets: false once it is disposed (or its wait failed).</summary>
    bool IsRunning { get; }

    /// <summary>
    /// Adds <paramref name="socket"/>, edge-triggered; <paramref name="listener"/> hears of it until <see cref="Unregister"/>.
    /// Closing the socket removes it without a word, so its owner tells the listener itself (see <see cref="IReadinessListener"/>).
    /// </summary>
    /// <returns>The registration's tag, for <see cref="Unregister"/>.</returns>
    /// <exception cref="ObjectDisposedException">The source has stopped, or the socket is closed.</exception>
    /// <exception cref="SocketException">The socket cannot be added.</exception>
    ulong Register(Socket socket, IReadinessListener listener);

    /// <summary>Stops telling the listener of <paramref name="registration"/>.</summary>
    void Unregister(ulong registration);

    /// <summary>
    /// Runs <paramref name="item"/> on the source's thread in its next turn, after the events that turn brings: a read
    /// that yields to the other sockets. Only on the source's own thread (see <see cref="IsOwnThread"/>).
    /// </summary>
    void RunNextTurn(IThreadPoolWorkItem item);
}

/// <summary>
/// What an <see cref="IReadinessSource"/> tells when its socket may have something to read. As a thread-pool item it
/// hears the same from elsewhere: when the socket was closed under it, or the source stopped.
/// </summary>
internal interface IReadinessListener : IThreadPoolWorkItem
{
    /// <summary>
    /// The socket may be readable, at its end, or broken. Called on the source's thread, one call at a time; may be
    /// spurious, so a listener tries its read and waits again when it finds nothing.
    /// </summary>
    /// <param name="hangUp">The peer has ended its side or the socket broke: after what it holds, a read finds that.</param>
    void OnReady(bool hangUp);
}
