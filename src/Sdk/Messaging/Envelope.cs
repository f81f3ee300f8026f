using System.Buffers;
using System.Text.Json;
using Switchboard.Messaging;
using Switchboard.Serialization;

namespace Switchboard.Messaging;

/// <summary>
/// Writes and reads the wire envelope <c>{"type":"chat.send","id":"7","data":{...}}</c>
/// (docs/protocol.md, "Messages (wire format v1)"), and reads the position a message sent to a group that keeps
/// history carries after its data: <c>"group":"room","offset":17</c> (docs/protocol.md, "History and recovery").
/// </summary>
/// <remarks>
/// <para>
/// Writers put <c>type</c> first, then <c>id</c> when there is one, then <c>data</c>. Readers accept
/// the properties in any order and ignore unknown ones. The reader never deserializes <c>data</c>: it
/// returns where it lies, so that a runtime can find the handler for the type first and then read the
/// data with that type's <see cref="IMessage{TSelf}.Read(ref Utf8JsonReader)"/>.
/// </para>
/// <para>All members are pure and thread-safe.</para>
/// </remarks>
public static class Envelope
{
    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText DataName = JsonEncodedText.Encode("data");

    /// <summary>Writes <paramref name="message"/> in an envelope. Allocates nothing.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="writer">The writer, positioned where a JSON value may be written.</param>
    /// <param name="message">The message.</param>
    /// <param name="id">The correlation id, or null for none.</param>
    public static void Write<T>(Utf8JsonWriter writer, T message, string? id = null)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (CompactJsonWriter.IsCompact(writer))
        {
            // The usual writer: the whole envelope in one piece, behind the pre-encoded {"type":"...",
            var json = CompactJsonWriter.Rent();
            json.WriteRaw(Names<T>.Start);
            if (id is not null)
            {
                json.WriteRaw("\"id\":"u8);
                json.WriteString(id);
                json.WriteRaw(","u8);
            }

            json.WriteRaw("\"data\":"u8);
            T.Write(ref json, message);
            json.WriteRaw("}"u8);
            json.CommitTo(writer);
            return;
        }

        writer.WriteStartObject();
        writer.WriteString(TypeName, Names<T>.Type);
        if (id is not null)
        {
            writer.WriteString(IdName, id);
        }

        writer.WritePropertyName(DataName);
        T.Write(writer, message);
        writer.WriteEndObject();
    }

    /// <summary>Reads the envelope of one complete text message. Never throws on any input.</summary>
    /// <param name="utf8Json">The whole text message.</param>
    /// <param name="header">On success, the type, the id, the range of the <c>data</c> object, and the group and offset when present.</param>
    /// <param name="error">On failure, why the message is not an envelope.</param>
    /// <param name="options">Reader options; the default allows a nesting depth of 64.</param>
    /// <returns>True when <paramref name="utf8Json"/> is a valid envelope.</returns>
    public static bool TryRead(ReadOnlySpan<byte> utf8Json, out EnvelopeHeader header, out EnvelopeError error, JsonReaderOptions options = default)
    {
        var reader = new Utf8JsonReader(utf8Json, options);
        return TryReadCore(ref reader, out header, out error);
    }

    /// <summary>Reads the envelope of one complete text message. Never throws on any input.</summary>
    /// <param name="utf8Json">The whole text message, possibly in several segments.</param>
    /// <param name="header">On success, the type, the id, the range of the <c>data</c> object, and the group and offset when present.</param>
    /// <param name="error">On failure, why the message is not an envelope.</param>
    /// <param name="options">Reader options; the default allows a nesting depth of 64.</param>
    /// <returns>True when <paramref name="utf8Json"/> is a valid envelope.</returns>
    public static bool TryRead(in ReadOnlySequence<byte> utf8Json, out EnvelopeHeader header, out EnvelopeError error, JsonReaderOptions options = default)
    {
        var reader = new Utf8JsonReader(utf8Json, options);
        return TryReadCore(ref reader, out header, out error);
    }

    /// <summary>Reads the <c>data</c> of an envelope read by <see cref="TryRead(ReadOnlySpan{byte}, out EnvelopeHeader, out EnvelopeError, JsonReaderOptions)"/>.</summary>
    /// <typeparam name="T">The message type selected by <see cref="EnvelopeHeader.Type"/>.</typeparam>
    /// <param name="utf8Json">The same text message.</param>
    /// <param name="header">Its header.</param>
    /// <param name="options">Reader options; the default allows a nesting depth of 64.</param>
    /// <returns>The message.</returns>
    /// <exception cref="MessageFormatException">The data does not match <typeparamref name="T"/>.</exception>
    public static T ReadData<T>(ReadOnlySpan<byte> utf8Json, in EnvelopeHeader header, JsonReaderOptions options = default)
        where T : IMessage<T>
    {
        var reader = new Utf8JsonReader(header.Data(utf8Json), options);
        return T.Read(ref reader);
    }

    /// <summary>Reads the <c>data</c> of an envelope read by <see cref="TryRead(in ReadOnlySequence{byte}, out EnvelopeHeader, out EnvelopeError, JsonReaderOptions)"/>.</summary>
    /// <typeparam name="T">The message type selected by <see cref="EnvelopeHeader.Type"/>.</typeparam>
    /// <param name="utf8Json">The same text message.</param>
    /// <param name="header">Its header.</param>
    /// <param name="options">Reader options; the default allows a nesting depth of 64.</param>
    /// <returns>The message.</returns>
    /// <exception cref="MessageFormatException">The data does not match <typeparamref name="T"/>.</exception>
    public static T ReadData<T>(in ReadOnlySequence<byte> utf8Json, in EnvelopeHeader header, JsonReaderOptions options = default)
        where T : IMessage<T>
    {
        var reader = new Utf8JsonReader(header.Data(utf8Json), options);
        return T.Read(ref reader);
    }

    private static bool TryReadCore(ref Utf8JsonReader reader, out EnvelopeHeader header, out EnvelopeError error)
    {
        header = default;
        try
        {
            error = ReadProperties(ref reader, out header);
        }
        catch (JsonException)
        {
            error = EnvelopeError.InvalidJson;
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader.GetString on a string that is not valid UTF-8.
            error = EnvelopeError.InvalidJson;
        }

        if (error != EnvelopeError.None)
        {
            header = default;
        }

        return error == EnvelopeError.None;
    }

    private static EnvelopeError ReadProperties(ref Utf8JsonReader reader, out EnvelopeHeader header)
    {
        header = default;
        if (!reader.Read())
        {
            return EnvelopeError.InvalidJson;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            // Validate the rest so that a broken document is reported as such.
            reader.Skip();
            return reader.Read() ? EnvelopeError.InvalidJson : EnvelopeError.NotAnObject;
        }

        string? type = null;
        string? id = null;
        bool hasId = false;
        long dataOffset = -1;
        long dataLength = 0;
        string? group = null;
        long offset = 0;
        while (true)
        {
            if (!reader.Read())
            {
                return EnvelopeError.InvalidJson;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            if (reader.ValueTextEquals("type"u8))
            {
                if (type is not null)
                {
                    return EnvelopeError.DuplicateProperty;
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return EnvelopeError.TypeNotString;
                }

                type = reader.GetString()!;
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                if (dataOffset >= 0)
                {
                    return EnvelopeError.DuplicateProperty;
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return EnvelopeError.DataNotObject;
                }

                dataOffset = reader.TokenStartIndex;
                reader.Skip();
                dataLength = reader.BytesConsumed - dataOffset;
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                if (hasId)
                {
                    return EnvelopeError.DuplicateProperty;
                }

                hasId = true;
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    id = reader.GetString();
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    return EnvelopeError.IdNotString;
                }
            }
            else if (reader.ValueTextEquals("group"u8))
            {
                // Checked after the three every envelope has, so that envelopes without a position pay nothing more.
                if (group is not null)
                {
                    return EnvelopeError.DuplicateProperty;
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return EnvelopeError.GroupNotString;
                }

                group = reader.GetString()!;
            }
            else if (reader.ValueTextEquals("offset"u8))
            {
                if (offset != 0)
                {
                    return EnvelopeError.DuplicateProperty;
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out offset) || offset <= 0)
                {
                    return EnvelopeError.OffsetNotPositive;
                }
            }
            else
            {
                // Unknown properties are reserved for later versions and ignored.
                reader.Skip();
            }
        }

        // Nothing but whitespace may follow the object; Read throws on anything else.
        if (reader.Read())
        {
            return EnvelopeError.InvalidJson;
        }

        if (type is null)
        {
            return EnvelopeError.MissingType;
        }

        if (type.Length == 0)
        {
            return EnvelopeError.EmptyType;
        }

        if (dataOffset < 0)
        {
            return EnvelopeError.MissingData;
        }

        header = new EnvelopeHeader(type, id, dataOffset, dataLength, group, offset == 0 ? null : offset);
        return EnvelopeError.None;
    }

    /// <summary>A message type's wire name, encoded once.</summary>
    private static class Names<T>
        where T : IMessage<T>
    {
        public static readonly JsonEncodedText Type = JsonEncodedText.Encode(T.MessageType);

        // {"type":"chat.message",
        public static readonly byte[] Start = [.. "{\"type\":\""u8, .. Type.EncodedUtf8Bytes, .. "\","u8];
    }
}
