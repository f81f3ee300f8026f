using System.ComponentModel;
using System.Text.Json;
using Switchboard.Messaging;
using Switchboard.Serialization;

namespace Switchboard;

/// <summary>
/// Binds a message type to its wire name and its serializer. Implemented by the Switchboard
/// generator for every type marked with <see cref="MessageAttribute"/>; never implement it by hand.
/// </summary>
/// <typeparam name="TSelf">The message type itself.</typeparam>
/// <remarks>The members are pure functions of their arguments and are thread-safe.</remarks>
public interface IMessage<TSelf> where TSelf : IMessage<TSelf>
{
    /// <summary>The wire name: the envelope's <c>type</c> property.</summary>
    static abstract string MessageType { get; }

    /// <summary>
    /// Whether the message may be sent compressed on a connection that negotiated permessage-deflate; false for a
    /// message declared <c>[Message(..., Compress = false)]</c> (<see cref="MessageAttribute.Compress"/>).
    /// </summary>
    static virtual bool Compress => true;

    /// <summary>
    /// Writes <paramref name="value"/> as the envelope's <c>data</c> object, byte for byte as
    /// <c>System.Text.Json</c> would with camelCase names and string enums. Allocates nothing.
    /// </summary>
    /// <param name="writer">The writer, positioned where a JSON value may be written.</param>
    /// <param name="value">The message to write.</param>
    static abstract void Write(Utf8JsonWriter writer, TSelf value);

    /// <summary>
    /// Writes <paramref name="value"/> as the envelope's <c>data</c> object on the fast path for
    /// compact writers with the default encoder (see <see cref="CompactJsonWriter"/>). Called by
    /// <see cref="Write(Utf8JsonWriter, TSelf)"/> and <see cref="Envelope"/>; not meant to be called by hand.
    /// </summary>
    /// <param name="writer">The compact writer, positioned where a JSON value may be written.</param>
    /// <param name="value">The message to write.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    static abstract void Write(ref CompactJsonWriter writer, TSelf value);

    /// <summary>
    /// Reads the <c>data</c> object. The reader is positioned on its <c>StartObject</c> token (or just
    /// before it) and must cover the whole value; on return it is positioned on the matching
    /// <c>EndObject</c>.
    /// </summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The message.</returns>
    /// <exception cref="MessageFormatException">
    /// The JSON is malformed or truncated, a required property is missing or repeated, a value has the
    /// wrong JSON type, is null where null is not allowed, or is out of range.
    /// </exception>
    static abstract TSelf Read(ref Utf8JsonReader reader);
}
