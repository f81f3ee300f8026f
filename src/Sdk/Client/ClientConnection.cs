using System.Buffers;
using Switchboard.Connections;

namespace Switchboard.Client;

/// <summary>
/// One connection of a <see cref="SwitchboardClient"/>, whatever the transport: envelopes in, envelopes out, one end.
/// The client owns the reconnect policy, the queue and dispatch; a connection only moves envelopes.
/// </summary>
/// <remarks>
/// Thread safety: <see cref="TrySendAsync"/> is called by one caller at a time (the client's send gate), concurrently
/// with <see cref="RunAsync"/>; <see cref="CloseAsync"/> may be called from any thread, more than once.
/// </remarks>
internal abstract class ClientConnection
{
    /// <summary>The transport this connection uses: <see cref="SwitchboardTransport.WebSocket"/> or <see cref="SwitchboardTransport.LongPolling"/>.</summary>
    public abstract SwitchboardTransport Transport { get; }

    /// <summary>
    /// Hands <paramref name="message"/> to the connection, in order after the ones before it. True: the connection owns
    /// it from now on (and disposes it). False: the connection has ended and the caller still owns it.
    /// </summary>
    public abstract ValueTask<bool> TrySendAsync(EncodedMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Receives until the connection ends, calling <paramref name="onEnvelope"/> for each incoming envelope in order (never
    /// concurrently) and <paramref name="onMalformed"/> for incoming data that cannot be an envelope. Completes, never
    /// throwing, with the close code the server sent, or null when the connection was lost without one.
    /// </summary>
    public abstract Task<CloseCode?> RunAsync(Func<ReadOnlySequence<byte>, ValueTask> onEnvelope, Action<string> onMalformed);

    /// <summary>After <see cref="RunAsync"/> has completed with a close code: the reason the server gave with it, or null.</summary>
    public abstract string? CloseReason { get; }

    /// <summary>Ends the connection with 1000, after what was already handed to it has gone out where the transport allows.</summary>
    public abstract ValueTask CloseAsync();

    /// <summary>
    /// After <see cref="RunAsync"/> has completed: the messages handed to the connection that the server never confirmed,
    /// in order, which the client sends again on its next connection. Ownership passes to the caller.
    /// </summary>
    public virtual IReadOnlyList<EncodedMessage> TakeUnconfirmed() => [];
}
