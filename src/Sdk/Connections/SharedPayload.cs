namespace Switchboard.Connections;

/// <summary>
/// An immutable, never pooled copy of one <see cref="EncodedMessage"/>'s payload, made at most once per message, that
/// any number of receivers may keep by reference after the message itself has gone back to the pool (a server's
/// long-polling sessions queue it until their clients acknowledge it).
/// </summary>
internal sealed class SharedPayload(ReadOnlyMemory<byte> bytes)
{
    /// <summary>The envelope's UTF-8 JSON bytes; nobody writes them.</summary>
    public ReadOnlyMemory<byte> Bytes { get; } = bytes;

    /// <summary>
    /// How many queues hold this payload now; kept by whoever accounts for queued memory (the server's long-polling
    /// budget), under a lock on this object.
    /// </summary>
    public int Holders { get; set; }
}
