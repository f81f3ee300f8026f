using System.Buffers;

namespace Switchboard.Messaging;

/// <summary>
/// What <see cref="Envelope.TryRead(ReadOnlySpan{byte}, out EnvelopeHeader, out EnvelopeError, System.Text.Json.JsonReaderOptions)"/>
/// found in an envelope: the message type, the optional correlation id, where the still unread
/// <c>data</c> object lies in the input, and the optional group and offset of a message from a group's history.
/// </summary>
/// <remarks>An immutable value; thread-safe.</remarks>
public readonly struct EnvelopeHeader
{
    // 0 when absent: a valid offset is 1 or more, and a plain long keeps the header small.
    private readonly long _offset;

    /// <summary>Creates a header.</summary>
    /// <param name="type">The <c>type</c> property.</param>
    /// <param name="id">The <c>id</c> property, or null when absent or null.</param>
    /// <param name="dataOffset">The offset of the <c>data</c> object's <c>{</c> in the input.</param>
    /// <param name="dataLength">The length of the <c>data</c> object, through its <c>}</c>.</param>
    public EnvelopeHeader(string type, string? id, long dataOffset, long dataLength)
        : this(type, id, dataOffset, dataLength, null, null)
    {
    }

    /// <summary>Creates a header of a message that carries its place in a group's history.</summary>
    /// <param name="type">The <c>type</c> property.</param>
    /// <param name="id">The <c>id</c> property, or null when absent or null.</param>
    /// <param name="dataOffset">The offset of the <c>data</c> object's <c>{</c> in the input.</param>
    /// <param name="dataLength">The length of the <c>data</c> object, through its <c>}</c>.</param>
    /// <param name="group">The <c>group</c> property, or null when absent.</param>
    /// <param name="offset">The <c>offset</c> property (1 or more), or null when absent.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is less than 1.</exception>
    public EnvelopeHeader(string type, string? id, long dataOffset, long dataLength, string? group, long? offset)
    {
        if (offset is { } value)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(offset));
        }

        Type = type;
        Id = id;
        DataOffset = dataOffset;
        DataLength = dataLength;
        Group = group;
        _offset = offset ?? 0;
    }

    /// <summary>The <c>type</c> property: the message's wire name.</summary>
    public string Type { get; }

    /// <summary>The <c>id</c> property (request/response correlation), or null when absent or null.</summary>
    public string? Id { get; }

    /// <summary>
    /// The <c>group</c> property: the group whose history the message belongs to, sent with <see cref="Offset"/> on a
    /// message to a group that keeps history (docs/protocol.md, "History and recovery"); null when absent.
    /// </summary>
    public string? Group { get; }

    /// <summary>The <c>offset</c> property: the message's offset in <see cref="Group"/>'s history (1 or more); null when absent.</summary>
    public long? Offset => _offset == 0 ? null : _offset;

    /// <summary>The offset in the input of the <c>data</c> object's first byte (<c>{</c>).</summary>
    public long DataOffset { get; }

    /// <summary>The length in bytes of the <c>data</c> object, through its closing <c>}</c>.</summary>
    public long DataLength { get; }

    /// <summary>The bytes of the <c>data</c> object within the envelope they were read from.</summary>
    /// <param name="envelope">The same input that was passed to <see cref="Envelope"/>'s reader.</param>
    /// <returns>The slice holding the <c>data</c> object.</returns>
    public ReadOnlySpan<byte> Data(ReadOnlySpan<byte> envelope) => envelope.Slice((int)DataOffset, (int)DataLength);

    /// <summary>The bytes of the <c>data</c> object within the envelope they were read from.</summary>
    /// <param name="envelope">The same input that was passed to <see cref="Envelope"/>'s reader.</param>
    /// <returns>The slice holding the <c>data</c> object.</returns>
    public ReadOnlySequence<byte> Data(in ReadOnlySequence<byte> envelope) => envelope.Slice(DataOffset, DataLength);
}
