using System.Buffers;

namespace Switchboard.Messaging;

/// <summary>
/// What <see cref="Envelope.TryRead(ReadOnlySpan{byte}, out EnvelopeHeader, out EnvelopeError, System.Text.Json.JsonReaderOptions)"/>
/// found in an envelope: the message type, the optional correlation id, and where the still unread
/// <c>data</c> object lies in the input.
/// </summary>
/// <remarks>An immutable value; thread-safe.</remarks>
public readonly struct EnvelopeHeader
{
    /// <summary>Creates a header.</summary>
    /// <param name="type">The <c>type</c> property.</param>
    /// <param name="id">The <c>id</c> property, or null when absent or null.</param>
    /// <param name="dataOffset">The offset of the <c>data</c> object's <c>{</c> in the input.</param>
    /// <param name="dataLength">The length of the <c>data</c> object, through its <c>}</c>.</param>
    public EnvelopeHeader(string type, string? id, long dataOffset, long dataLength)
    {
        Type = type;
        Id = id;
        DataOffset = dataOffset;
        DataLength = dataLength;
    }

    /// <summary>The <c>type</c> property: the message's wire name.</summary>
    public string Type { get; }

    /// <summary>The <c>id</c> property (request/response correlation), or null when absent or null.</summary>
    public string? Id { get; }

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
