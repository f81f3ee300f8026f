using System.Buffers;
using System.Buffers.Text;
using System.ComponentModel;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Switchboard.Serialization;

/// <summary>
/// Used by generated code: building blocks of the serializers the Switchboard generator emits. Not meant to be called by
/// hand; the signatures may change between versions together with the generator.
/// </summary>
/// <remarks>
/// <para>
/// Readers expect the <see cref="Utf8JsonReader"/> to be positioned on the value and leave it on the
/// value's last token. They throw a <see cref="MessageFormatException"/> whose path is relative to
/// the value; generated code prefixes property names, indexes and keys while the exception
/// unwinds (<see cref="AtProperty"/>, <see cref="AtIndex"/>, <see cref="AtKey"/>) and names the
/// message at the top (<see cref="ForMessage"/>), so the happy path pays nothing for paths.
/// </para>
/// <para>Writers produce the bytes <c>System.Text.Json</c> would and allocate nothing.</para>
/// <para>All members are thread-safe.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class MessageJson
{
    // The longest escaped form of one UTF-16 code unit: \uXXXX.
    private const int MaxEscapedCharLength = 6;

    // "-10675199.02:48:05.4775808" and every character escaped as \uXXXX.
    internal const int MaxTimeSpanLength = 26;
    private const int MinTimeSpanLength = 8;
    private const int MaxEscapedTimeSpanLength = MaxTimeSpanLength * MaxEscapedCharLength;

    // "yyyy-MM-dd", possibly escaped.
    internal const int DateOnlyLength = 10;
    private const int MaxEscapedDateOnlyLength = DateOnlyLength * MaxEscapedCharLength;

    // "h:m" to "hh:mm:ss.fffffff", possibly escaped, as System.Text.Json's TimeOnlyConverter bounds them.
    private const int MinTimeOnlyLength = 3;
    internal const int MaxTimeOnlyLength = 16;
    private const int MaxEscapedTimeOnlyLength = MaxTimeOnlyLength * MaxEscapedCharLength;

    /// <summary>Moves to the first token when the reader has not read yet or is on a property name.</summary>
    /// <param name="reader">The reader.</param>
    public static void Start(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.None or JsonTokenType.PropertyName)
        {
            Next(ref reader);
        }
    }

    /// <summary>Moves to the next token; the data ending first is an error.</summary>
    /// <param name="reader">The reader.</param>
    public static void Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw Error("the data ends before the value is complete");
        }
    }

    /// <summary>Skips the value of the property the reader is on.</summary>
    /// <param name="reader">The reader, on a property name.</param>
    public static void SkipValue(ref Utf8JsonReader reader)
    {
        if (!reader.TrySkip())
        {
            throw Error("the data ends before the value is complete");
        }
    }

    /// <summary>Checks that the reader is on the start of an object.</summary>
    /// <param name="reader">The reader.</param>
    public static void ExpectObject(ref Utf8JsonReader reader) => Expect(ref reader, JsonTokenType.StartObject, "an object");

    /// <summary>Checks that the reader is on the start of an array.</summary>
    /// <param name="reader">The reader.</param>
    public static void ExpectArray(ref Utf8JsonReader reader) => Expect(ref reader, JsonTokenType.StartArray, "an array");

    /// <summary>Reads <c>true</c> or <c>false</c>.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static bool ReadBoolean(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw Mismatch(ref reader, "true or false"),
    };

    /// <summary>Reads an integer from 0 to 255.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static byte ReadByte(ref Utf8JsonReader reader) =>
        ExpectNumber(ref reader).TryGetByte(out byte value) ? value : throw OutOfRange("an integer from 0 to 255");

    /// <summary>Reads an integer from -128 to 127.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static sbyte ReadSByte(ref Utf8JsonReader reader) =>
        ExpectNumber(ref reader).TryGetSByte(out sbyte value) ? value : throw OutOfRange("an integer from -128 to 127");

    /// <summary>Reads a 16-bit signed integer.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static short ReadInt16(ref Utf8JsonReader reader) =>
        ExpectNumber(ref reader).TryGetInt16(out short value) ? value : throw OutOfRange("a 16-bit signed integer");

    /// <summary>Reads a 16-bit unsigned integer.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static ushort ReadUInt16(ref Utf8JsonReader reader) =>
        ExpectNumber(ref reader).TryGetUInt16(out ushort value) ? value : throw OutOfRange("a 16-bit unsigned integer");

    /// <summary>Reads a 32-bit signed integer.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static int ReadInt32(ref Utf8JsonReader reader) =>
        ExpectNumber(ref reader).TryGetInt32(out int value) ? value : throw OutOfRange("a 32-bit signed integer");

    /// <summary>Reads a 32-bit unsigned integer.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static uint ReadUInt32(ref Utf8JsonReader reader) =>
        ExpectNumber(ref reader).TryGetUInt32(out uint value) ? value : throw OutOfRange("a 32-bit unsigned integer");

    /// <summary>Reads a 64-bit signed integer.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static long ReadInt64(ref Utf8JsonReader reader) =>
        ExpectNumber(ref reader).TryGetInt64(out long value) ? value : throw OutOfRange("a 64-bit signed integer");

    /// <summary>Reads a 64-bit unsigned integer.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static ulong ReadUInt64(ref Utf8JsonReader reader) =>
        ExpectNumber(ref reader).TryGetUInt64(out ulong value) ? value : throw OutOfRange("a 64-bit unsigned integer");

    /// <summary>Reads a finite single-precision number.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static float ReadSingle(ref Utf8JsonReader reader) =>
        ExpectNumber(ref reader).TryGetSingle(out float value) && float.IsFinite(value) ? value : throw OutOfRange("a finite single-precision number");

    /// <summary>Reads a finite double-precision number.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static double ReadDouble(ref Utf8JsonReader reader) =>
        ExpectNumber(ref reader).TryGetDouble(out double value) && double.IsFinite(value) ? value : throw OutOfRange("a finite double-precision number");

    /// <summary>Reads a decimal number.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static decimal ReadDecimal(ref Utf8JsonReader reader) =>
        ExpectNumber(ref reader).TryGetDecimal(out decimal value) ? value : throw OutOfRange("a decimal number");

    /// <summary>Reads a string of exactly one UTF-16 code unit.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static char ReadChar(ref Utf8JsonReader reader)
    {
        ExpectString(ref reader, "a one-character string");
        if (ValueLength(ref reader) is >= 1 and <= MaxEscapedCharLength)
        {
            Span<char> buffer = stackalloc char[MaxEscapedCharLength];
            if (reader.CopyString(buffer) == 1)
            {
                return buffer[0];
            }
        }

        throw Error("expected a string of exactly one character");
    }

    /// <summary>Reads a string that may not be null.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static string ReadString(ref Utf8JsonReader reader)
    {
        ExpectString(ref reader, "a string");
        return reader.GetString()!;
    }

    /// <summary>Reads a GUID string (<c>00000000-0000-0000-0000-000000000000</c>).</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static Guid ReadGuid(ref Utf8JsonReader reader)
    {
        ExpectString(ref reader, "a GUID string");
        return reader.TryGetGuid(out Guid value) ? value : throw Error("expected a GUID string such as 00000000-0000-0000-0000-000000000000");
    }

    /// <summary>Reads an ISO 8601-1:2019 date and time string.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static DateTime ReadDateTime(ref Utf8JsonReader reader)
    {
        ExpectString(ref reader, "an ISO 8601 date and time string");
        return reader.TryGetDateTime(out DateTime value) ? value : throw Error("expected an ISO 8601 date and time string");
    }

    /// <summary>Reads an ISO 8601-1:2019 date and time string with an offset.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static DateTimeOffset ReadDateTimeOffset(ref Utf8JsonReader reader)
    {
        ExpectString(ref reader, "an ISO 8601 date and time string");
        return reader.TryGetDateTimeOffset(out DateTimeOffset value) ? value : throw Error("expected an ISO 8601 date and time string");
    }

    /// <summary>Reads a time span in the constant format <c>[-][d.]hh:mm:ss[.fffffff]</c>.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static TimeSpan ReadTimeSpan(ref Utf8JsonReader reader)
    {
        ExpectString(ref reader, "a time span string");
        if (ValueLength(ref reader) is >= MinTimeSpanLength and <= MaxEscapedTimeSpanLength)
        {
            Span<byte> buffer = stackalloc byte[MaxEscapedTimeSpanLength];
            int written = reader.CopyString(buffer);
            ReadOnlySpan<byte> text = buffer[..written];

            // Utf8Parser accepts leading white space; the constant format does not.
            if (text.Length > 0 && (char.IsAsciiDigit((char)text[0]) || text[0] == (byte)'-')
                && Utf8Parser.TryParse(text, out TimeSpan value, out int consumed, 'c') && consumed == text.Length)
            {
                return value;
            }
        }

        throw Error("expected a time span string such as 1.02:03:04.5000000");
    }

    /// <summary>Reads a calendar date in the ISO 8601-1:2019 extended format <c>yyyy-MM-dd</c>.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static DateOnly ReadDateOnly(ref Utf8JsonReader reader)
    {
        ExpectString(ref reader, "a date string");
        if (ValueLength(ref reader) is >= DateOnlyLength and <= MaxEscapedDateOnlyLength)
        {
            Span<char> buffer = stackalloc char[MaxEscapedDateOnlyLength];
            ReadOnlySpan<char> text = buffer[..reader.CopyString(buffer)];

            // Exactly four, two and two digits, as System.Text.Json requires; ParseExact alone is more lenient.
            if (text.Length == DateOnlyLength && text[4] == '-' && text[7] == '-'
                && char.IsAsciiDigit(text[0]) && char.IsAsciiDigit(text[1]) && char.IsAsciiDigit(text[2]) && char.IsAsciiDigit(text[3])
                && char.IsAsciiDigit(text[5]) && char.IsAsciiDigit(text[6]) && char.IsAsciiDigit(text[8]) && char.IsAsciiDigit(text[9])
                && DateOnly.TryParseExact(text, "yyyy'-'MM'-'dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly value))
            {
                return value;
            }
        }

        throw Error("expected a date string such as 2026-11-24");
    }

    /// <summary>Reads a time of day in the format <c>hh:mm[:ss[.fffffff]]</c>.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static TimeOnly ReadTimeOnly(ref Utf8JsonReader reader)
    {
        ExpectString(ref reader, "a time string");
        if (ValueLength(ref reader) is >= MinTimeOnlyLength and <= MaxEscapedTimeOnlyLength)
        {
            Span<byte> buffer = stackalloc byte[MaxEscapedTimeOnlyLength];
            int written = reader.CopyString(buffer);
            ReadOnlySpan<byte> text = buffer[..written];

            // As System.Text.Json: a time span in the constant format without white space, sign or days (hours come before the first ':').
            int separator = text.IndexOfAny((byte)'.', (byte)':');
            if (text.Length > 0 && char.IsAsciiDigit((char)text[0]) && separator >= 0 && text[separator] == (byte)':'
                && Utf8Parser.TryParse(text, out TimeSpan span, out int consumed, 'c') && consumed == text.Length
                && span >= TimeSpan.Zero && span <= TimeOnly.MaxValue.ToTimeSpan())
            {
                return TimeOnly.FromTimeSpan(span);
            }
        }

        throw Error("expected a time string such as 10:00:00 or 10:00:00.5000000");
    }

    /// <summary>Reads a base64 string that may not be null.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The value.</returns>
    public static byte[] ReadBytes(ref Utf8JsonReader reader)
    {
        ExpectString(ref reader, "a base64 string");
        return reader.TryGetBytesFromBase64(out byte[]? value) ? value : throw Error("expected a base64 string");
    }

    /// <summary>Writes one character as a one-character string.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The value.</param>
    public static void WriteChar(Utf8JsonWriter writer, char value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(new ReadOnlySpan<char>(in value));
    }

    /// <summary>Writes a time span in the constant format <c>[-][d.]hh:mm:ss[.fffffff]</c>.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The value.</param>
    public static void WriteTimeSpan(Utf8JsonWriter writer, TimeSpan value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> buffer = stackalloc byte[MaxTimeSpanLength];
        writer.WriteStringValue(buffer[..Format(value, buffer)]);
    }

    /// <summary>Writes a calendar date as <c>yyyy-MM-dd</c>.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The value.</param>
    public static void WriteDateOnly(Utf8JsonWriter writer, DateOnly value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> buffer = stackalloc byte[DateOnlyLength];
        writer.WriteStringValue(buffer[..Format(value, buffer)]);
    }

    /// <summary>Writes a time of day as <c>hh:mm:ss[.fffffff]</c>, the constant format of its time span.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The value.</param>
    public static void WriteTimeOnly(Utf8JsonWriter writer, TimeOnly value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<byte> buffer = stackalloc byte[MaxTimeOnlyLength];
        writer.WriteStringValue(buffer[..Format(value, buffer)]);
    }

    // The text of the string forms, shared with CompactJsonWriter; the buffer holds the longest.
    internal static int Format(TimeSpan value, Span<byte> buffer)
    {
        Utf8Formatter.TryFormat(value, buffer, out int written, new StandardFormat('c'));
        return written;
    }

    internal static int Format(DateOnly value, Span<byte> buffer)
    {
        value.TryFormat(buffer, out int written, "O", CultureInfo.InvariantCulture);
        return written;
    }

    internal static int Format(TimeOnly value, Span<byte> buffer)
    {
        Utf8Formatter.TryFormat(value.ToTimeSpan(), buffer, out int written, new StandardFormat('c'));
        return written;
    }

    /// <summary>Writes a base64 string, or null.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The value.</param>
    public static void WriteBytes(Utf8JsonWriter writer, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteBase64StringValue(value);
        }
    }

    /// <summary>True for the exceptions a read can fail with; generated code adds their path.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>True for <see cref="MessageFormatException"/>, <see cref="JsonException"/> and <see cref="InvalidOperationException"/>.</returns>
    public static bool IsReadError(Exception exception) =>
        exception is MessageFormatException or JsonException or InvalidOperationException;

    /// <summary>The error for a value of a property, with the property's name prefixed to its path.</summary>
    /// <param name="exception">The error, see <see cref="IsReadError(Exception)"/>.</param>
    /// <param name="jsonName">The JSON name of the property being read, or null between properties.</param>
    /// <returns>The exception to throw.</returns>
    public static MessageFormatException AtProperty(Exception exception, string? jsonName) =>
        Prefix(exception, jsonName is null ? string.Empty : Segment(jsonName));

    /// <summary>The error for an element of an array, with its index prefixed to its path.</summary>
    /// <param name="exception">The error, see <see cref="IsReadError(Exception)"/>.</param>
    /// <param name="index">The index of the element being read.</param>
    /// <returns>The exception to throw.</returns>
    public static MessageFormatException AtIndex(Exception exception, int index) =>
        Prefix(exception, "[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]");

    /// <summary>The error for a value of a dictionary, with its key prefixed to its path.</summary>
    /// <param name="exception">The error, see <see cref="IsReadError(Exception)"/>.</param>
    /// <param name="key">The key of the entry being read, or null between entries.</param>
    /// <returns>The exception to throw.</returns>
    public static MessageFormatException AtKey(Exception exception, string? key) =>
        Prefix(exception, key is null ? string.Empty : Segment(key));

    /// <summary>The final error of a message: its wire name, and its path from the envelope (<c>data...</c>).</summary>
    /// <param name="exception">The error, see <see cref="IsReadError(Exception)"/>.</param>
    /// <param name="messageType">The wire name of the message.</param>
    /// <returns>The exception to throw.</returns>
    public static MessageFormatException ForMessage(Exception exception, string messageType)
    {
        var relative = Relative(exception);
        return new MessageFormatException(messageType, "data" + relative.Path, relative.Reason, relative.InnerException);
    }

    /// <summary>The error for a required property that is missing.</summary>
    /// <param name="jsonName">Its JSON name.</param>
    /// <returns>The exception to throw.</returns>
    public static MessageFormatException MissingProperty(string jsonName) =>
        new(string.Empty, Segment(jsonName), "required property is missing");

    /// <summary>The error for a property that appears twice in one object.</summary>
    /// <returns>The exception to throw; the caller adds the property's name.</returns>
    public static MessageFormatException DuplicateProperty() => Error("property appears more than once");

    /// <summary>The error for a key that appears twice in one dictionary.</summary>
    /// <returns>The exception to throw; the caller adds the key.</returns>
    public static MessageFormatException DuplicateKey() => Error("key appears more than once");

    /// <summary>The error for a null where null is not allowed.</summary>
    /// <returns>The exception to throw.</returns>
    public static MessageFormatException NullNotAllowed() => Error("null is not allowed here");

    internal static MessageFormatException Error(string reason) => new(string.Empty, string.Empty, reason);

    internal static MessageFormatException Mismatch(ref Utf8JsonReader reader, string expected) => reader.TokenType == JsonTokenType.Null
        ? NullNotAllowed()
        : Error($"expected {expected}, found {Describe(reader.TokenType)}");

    private static MessageFormatException OutOfRange(string expected) => Error($"expected {expected}; the number is out of range");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref Utf8JsonReader ExpectNumber(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw Mismatch(ref reader, "a number");
        }

        return ref reader;
    }

    private static long ValueLength(ref Utf8JsonReader reader) =>
        reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;

    private static void ExpectString(ref Utf8JsonReader reader, string expected)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Mismatch(ref reader, expected);
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token, string expected)
    {
        if (reader.TokenType != token)
        {
            throw Mismatch(ref reader, expected);
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static MessageFormatException Prefix(Exception exception, string segment)
    {
        var relative = Relative(exception);
        return segment.Length == 0
            ? relative
            : new MessageFormatException(string.Empty, segment + relative.Path, relative.Reason, relative.InnerException);
    }

    private static MessageFormatException Relative(Exception exception) => exception switch
    {
        MessageFormatException format => format,
        JsonException json => new MessageFormatException(string.Empty, string.Empty, "malformed JSON: " + json.Message, json),
        _ => new MessageFormatException(string.Empty, string.Empty, "invalid JSON text: " + exception.Message, exception),
    };

    private static string Segment(string name)
    {
        bool plain = name.Length > 0 && !char.IsAsciiDigit(name[0]);
        foreach (char c in name)
        {
            plain &= char.IsAsciiLetterOrDigit(c) || c == '_' || c == '$';
        }

        return plain ? "." + name : "['" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "']";
    }
}
