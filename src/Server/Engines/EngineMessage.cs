using Switchboard.Connections;

namespace Switchboard.Server.Engines;

/// <summary>
/// A message on its way through the engine: its wire name and its envelope, serialized once on the node that sent it,
/// and, once stored in a group's history, its offset there.
/// </summary>
public readonly struct EngineMessage
{
    /// <summary>A message as it arrives from the engine's store or another node.</summary>
    /// <param name="type">The message's wire name.</param>
    /// <param name="envelope">The envelope's UTF-8 JSON bytes, <c>{"type":…,"data":…}</c>, without a position.</param>
    /// <param name="offset">Its offset in the target group's history; 0 when it is not stored.</param>
    public EngineMessage(string type, ReadOnlyMemory<byte> envelope, long offset = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        Type = type;
        Envelope = envelope;
        Offset = offset;
    }

    internal EngineMessage(string type, EncodedMessage encoded, long offset = 0)
    {
        Type = type;
        Envelope = encoded.Payload;
        Encoded = encoded;
        Offset = offset;
    }

    /// <summary>The message's wire name (what its sends are counted under).</summary>
    public string Type { get; }

    /// <summary>
    /// The envelope's UTF-8 JSON bytes, without a position. A message handed to
    /// <see cref="IEndpointEngine.PublishAsync"/> may lie in the sender's pooled buffer, which goes back to its pool once
    /// the publish completes: an engine that keeps the bytes past that (a history, a queue to a store) copies them.
    /// </summary>
    public ReadOnlyMemory<byte> Envelope { get; }

    /// <summary>Its offset in the target group's history; 0 when it is not stored.</summary>
    public long Offset { get; }

    /// <summary>The sending node's own serialized frame, handed through without a copy by an engine that stays in-process.</summary>
    internal EncodedMessage? Encoded { get; }

    /// <summary>The same message at <paramref name="offset"/> of its group's history.</summary>
    public EngineMessage WithOffset(long offset) => Encoded is { } encoded ? new(Type, encoded, offset) : new(Type, Envelope, offset);
}
