using Switchboard.Connections;

namespace Switchboard.Server;

/// <summary>
/// A typed message serialized once, to be sent to any number of connections, at any time, for as long as the
/// application keeps it: a room's history replayed to every newcomer, a notice sent again and again. Every send shares
/// its bytes: a WebSocket connection writes them, a long-polling session queues them by reference, and none copies or
/// serializes them again.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. Its bytes are its own, never pooled and never reused, so a prepared message may be sent
/// again while earlier sends are still queued; there is nothing to dispose, and the garbage collector reclaims it once
/// neither the application nor a connection's queue references it. Send it with
/// <see cref="MessageContext.SendAsync(PreparedMessage, CancellationToken)"/> or
/// <see cref="Recipients.SendAsync(PreparedMessage, CancellationToken)"/>.
/// </remarks>
public sealed class PreparedMessage
{
    private PreparedMessage(EncodedMessage encoded, string type)
    {
        Encoded = encoded;
        Type = type;
    }

    /// <summary>The message's wire name, the <c>switchboard.message.type</c> its sends are counted under.</summary>
    internal string Type { get; }

    /// <summary>The envelope's UTF-8 JSON bytes, <c>{"type":…,"data":…}</c>, exactly as every connection receives them.</summary>
    public ReadOnlyMemory<byte> Payload => Encoded.Payload;

    /// <summary>The serialized message; unpooled, so its <see cref="EncodedMessage.Dispose"/> does nothing.</summary>
    internal EncodedMessage Encoded { get; }

    /// <summary>Serializes <paramref name="message"/> once, as its wire envelope.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="message">The message.</param>
    /// <returns>The prepared message, ready to be sent any number of times.</returns>
    public static PreparedMessage Create<T>(T message) where T : IMessage<T> => new(EncodedMessage.CreateUnpooled(message), T.MessageType);
}
