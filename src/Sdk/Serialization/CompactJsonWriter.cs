using System.Buffers;
using System.Buffers.Text;
using System.ComponentModel;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Switchboard.Serialization;

/// <summary>
/// Used by generated code, as the fast path of its writers: writes compact JSON with the escaping of
/// <c>System.Text.Json</c>'s default encoder into a scratch buffer kept per thread, then hands the
/// whole value to the <see cref="Utf8JsonWriter"/> in one <see cref="Utf8JsonWriter.WriteRawValue(ReadOnlySpan{byte}, bool)"/>.
/// Not meant to be used by hand; the members may change between versions together with the generator.
/// </summary>
/// <remarks>
/// <para>
/// Generated code knows the shape of every message, so it writes property names as pre-encoded UTF-8
/// literals (with their separators) and needs none of the writer's per-token state checks. The bytes
/// are exactly those a <see cref="Utf8JsonWriter"/> with <see cref="JsonWriterOptions.Indented"/>
/// off and the default encoder would write; <see cref="IsCompact(Utf8JsonWriter)"/> tells whether a
/// writer is one, and generated code uses the writer itself for any other.
/// </para>
/// <para>
/// An instance is a view of one thread's scratch buffer between <see cref="Rent"/> and
/// <see cref="CommitTo(Utf8JsonWriter)"/>; it must not be copied or kept. Writing allocates nothing
/// once the buffer has grown to the size of the largest value the thread writes.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct CompactJsonWriter
{
    private const int InitialCapacity = 1024;

    // Larger buffers are not kept for the next value, so one huge message does not pin its memory.
    private const int MaxRetainedCapacity = 256 * 1024;

    // The longest escaped form of one UTF-16 code unit: \uXXXX.
    private const int MaxEscapedCharLength = 6;

    // "yyyy-MM-ddTHH:mm:ss.fffffff+hh:mm", the round-trip format of a DateTimeOffset.
    private const int DateTimeLength = 27;
    private const int MaxDateTimeOffsetLength = 33;

    // "-79228162514264337593543950335" with a decimal point, or a double's shortest round-trip form.
    private const int MaxNumberLength = 64;

    // The characters the default encoder leaves as they are: printable ASCII but the HTML-sensitive
    // ones and the two that need a backslash.
    private static readonly SearchValues<char> Unescaped = SearchValues.Create(
        " !#$%()*,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~");

    // Strings up to this length are scanned and copied in one loop; longer ones with vector searches.
    private const int ShortString = 16;

    [ThreadStatic]
    private static byte[]? t_buffer;

    private byte[] _buffer;
    private int _position;

    // The same characters as Unescaped, by ASCII code: 1 when left as it is.
    private static ReadOnlySpan<byte> UnescapedAscii =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
        0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
    ];

    private CompactJsonWriter(byte[] buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>The number of bytes written so far; generated code compares it to place separators.</summary>
    public readonly int Position => _position;

    /// <summary>True when <paramref name="writer"/> writes what this writer does: not indented, with the default encoder.</summary>
    /// <param name="writer">The writer.</param>
    /// <returns>True when the fast path may be used.</returns>
    public static bool IsCompact(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var options = writer.Options;
        return !options.Indented && (options.Encoder is null || ReferenceEquals(options.Encoder, JavaScriptEncoder.Default));
    }

    /// <summary>Takes the thread's scratch buffer (a new one when it is in use, by a value written while writing another).</summary>
    /// <returns>An empty writer.</returns>
    public static CompactJsonWriter Rent()
    {
        byte[]? buffer = t_buffer;
        t_buffer = null;
        return new CompactJsonWriter(buffer ?? new byte[InitialCapacity]);
    }

    /// <summary>Writes everything written so far to <paramref name="writer"/> as one JSON value, and gives the buffer back to the thread.</summary>
    /// <param name="writer">The writer, positioned where a JSON value may be written.</param>
    public void CommitTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteRawValue(_buffer.AsSpan(0, _position), skipInputValidation: true);
        if (_buffer.Length <= MaxRetainedCapacity)
        {
            t_buffer = _buffer;
        }

        _buffer = [];
        _position = 0;
    }

    /// <summary>Writes pre-encoded JSON text: punctuation and property names.</summary>
    /// <param name="utf8Json">The text.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteRaw(scoped ReadOnlySpan<byte> utf8Json)
    {
        if (_buffer.Length - _position < utf8Json.Length)
        {
            Grow(utf8Json.Length);
        }

        utf8Json.CopyTo(_buffer.AsSpan(_position));
        _position += utf8Json.Length;
    }

    /// <summary>
    /// Writes a pre-encoded <c>,"name":</c>, without its leading comma when nothing was written since
    /// <paramref name="start"/> (the first property written in an object that may leave properties out).
    /// </summary>
    /// <param name="separatorAndName">The comma, the quoted encoded name and the colon.</param>
    /// <param name="start">The <see cref="Position"/> just after the object's <c>{</c>.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteName(scoped ReadOnlySpan<byte> separatorAndName, int start) =>
        WriteRaw(_position == start ? separatorAndName[1..] : separatorAndName);

    /// <summary>Writes a comma unless nothing was written since <paramref name="start"/> (the first element or entry).</summary>
    /// <param name="start">The <see cref="Position"/> just after the <c>[</c> or <c>{</c>.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteSeparator(int start)
    {
        if (_position != start)
        {
            WriteByte((byte)',');
        }
    }

    /// <summary>Writes <c>null</c>.</summary>
    public void WriteNull() => WriteRaw("null"u8);

    /// <summary>Writes <c>true</c> or <c>false</c>.</summary>
    /// <param name="value">The value.</param>
    public void WriteBoolean(bool value) => WriteRaw(value ? "true"u8 : "false"u8);

    /// <summary>Writes an integer.</summary>
    /// <param name="value">The value.</param>
    public void WriteNumber(int value) => WriteFormatted(value);

    /// <summary>Writes an integer.</summary>
    /// <param name="value">The value.</param>
    public void WriteNumber(uint value) => WriteFormatted(value);

    /// <summary>Writes an integer.</summary>
    /// <param name="value">The value.</param>
    public void WriteNumber(long value) => WriteFormatted(value);

    /// <summary>Writes an integer.</summary>
    /// <param name="value">The value.</param>
    public void WriteNumber(ulong value) => WriteFormatted(value);

    /// <summary>Writes a decimal number as <c>System.Text.Json</c> does, with its scale.</summary>
    /// <param name="value">The value.</param>
    public void WriteNumber(decimal value) => WriteFormatted(value);

    /// <summary>Writes a finite number in its shortest round-trip form.</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">The value is not finite, which JSON cannot hold.</exception>
    public void WriteNumber(float value)
    {
        if (!float.IsFinite(value))
        {
            throw NotFinite(value.ToString(CultureInfo.InvariantCulture));
        }

        WriteFormatted(value);
    }

    /// <summary>Writes a finite number in its shortest round-trip form.</summary>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException">The value is not finite, which JSON cannot hold.</exception>
    public void WriteNumber(double value)
    {
        if (!double.IsFinite(value))
        {
            throw NotFinite(value.ToString(CultureInfo.InvariantCulture));
        }

        WriteFormatted(value);
    }

    /// <summary>Writes a string, escaped as the default encoder does, or <c>null</c>.</summary>
    /// <param name="value">The value.</param>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteNull();
        }
        else
        {
            WriteString(value.AsSpan());
        }
    }

    /// <summary>Writes a string, escaped as the default encoder does.</summary>
    /// <param name="value">The value.</param>
    public void WriteString(scoped ReadOnlySpan<char> value)
    {
        EnsureCapacity(checked((value.Length * MaxEscapedCharLength) + 2));
        _buffer[_position++] = (byte)'"';
        WriteEscaped(value);
        _buffer[_position++] = (byte)'"';
    }

    /// <summary>Writes one character as a one-character string.</summary>
    /// <param name="value">The value.</param>
    public void WriteString(char value) => WriteString(new ReadOnlySpan<char>(in value));

    /// <summary>Writes a dictionary key, escaped as the default encoder does, with its separator and colon.</summary>
    /// <param name="key">The key.</param>
    /// <param name="start">The <see cref="Position"/> just after the dictionary's <c>{</c>.</param>
    public void WritePropertyName(string key, int start)
    {
        ArgumentNullException.ThrowIfNull(key);
        EnsureCapacity(checked((key.Length * MaxEscapedCharLength) + 4));
        if (_position != start)
        {
            _buffer[_position++] = (byte)',';
        }

        _buffer[_position++] = (byte)'"';
        WriteEscaped(key);
        _buffer[_position++] = (byte)'"';
        _buffer[_position++] = (byte)':';
    }

    /// <summary>Writes a GUID as <c>00000000-0000-0000-0000-000000000000</c>.</summary>
    /// <param name="value">The value.</param>
    public void WriteString(Guid value)
    {
        Span<byte> output = StartQuoted(36);
        value.TryFormat(output, out int written);
        EndQuoted(written);
    }

    /// <summary>Writes a date and time in the round-trip format without trailing zeros in the fraction, as <c>System.Text.Json</c> does.</summary>
    /// <param name="value">The value.</param>
    public void WriteString(DateTime value)
    {
        Span<byte> output = StartQuoted(MaxDateTimeOffsetLength);
        Utf8Formatter.TryFormat(value, output, out int written, new StandardFormat('O'));
        EndQuoted(TrimFraction(output[..written]));
    }

    /// <summary>Writes a date and time with its offset in the round-trip format without trailing zeros in the fraction, as <c>System.Text.Json</c> does.</summary>
    /// <param name="value">The value.</param>
    public void WriteString(DateTimeOffset value)
    {
        Span<byte> output = StartQuoted(MaxDateTimeOffsetLength);
        Utf8Formatter.TryFormat(value, output, out int written, new StandardFormat('O'));
        EndQuoted(TrimFraction(output[..written]));
    }

    /// <summary>Writes a time span in the constant format <c>[-][d.]hh:mm:ss[.fffffff]</c>.</summary>
    /// <param name="value">The value.</param>
    public void WriteString(TimeSpan value)
    {
        Span<byte> output = StartQuoted(MessageJson.MaxTimeSpanLength);
        EndQuoted(MessageJson.Format(value, output));
    }

    /// <summary>Writes a calendar date as <c>yyyy-MM-dd</c>.</summary>
    /// <param name="value">The value.</param>
    public void WriteString(DateOnly value)
    {
        Span<byte> output = StartQuoted(MessageJson.DateOnlyLength);
        EndQuoted(MessageJson.Format(value, output));
    }

    /// <summary>Writes a time of day as <c>hh:mm:ss[.fffffff]</c>.</summary>
    /// <param name="value">The value.</param>
    public void WriteString(TimeOnly value)
    {
        Span<byte> output = StartQuoted(MessageJson.MaxTimeOnlyLength);
        EndQuoted(MessageJson.Format(value, output));
    }

    /// <summary>Writes a base64 string, or <c>null</c>.</summary>
    /// <param name="value">The value.</param>
    public void WriteBase64String(byte[]? value)
    {
        if (value is null)
        {
            WriteNull();
            return;
        }

        Span<byte> output = StartQuoted(Base64.GetMaxEncodedToUtf8Length(value.Length));
        Base64.EncodeToUtf8(value, output, out _, out int written);
        EndQuoted(written);
    }

    private void WriteFormatted<T>(T value)
        where T : IUtf8SpanFormattable
    {
        EnsureCapacity(MaxNumberLength);
        value.TryFormat(_buffer.AsSpan(_position), out int written, default, CultureInfo.InvariantCulture);
        _position += written;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteByte(byte value)
    {
        if (_position == _buffer.Length)
        {
            Grow(1);
        }

        _buffer[_position++] = value;
    }

    // Room for the quotes and maxLength bytes; returns where the text goes.
    private Span<byte> StartQuoted(int maxLength)
    {
        EnsureCapacity(maxLength + 2);
        _buffer[_position++] = (byte)'"';
        return _buffer.AsSpan(_position, maxLength);
    }

    private void EndQuoted(int written)
    {
        _position += written;
        _buffer[_position++] = (byte)'"';
    }

    // The caller has made room for every character escaped.
    private void WriteEscaped(scoped ReadOnlySpan<char> value)
    {
        Span<byte> output = _buffer.AsSpan(_position);
        int written = 0;
        while (true)
        {
            int next;
            if (value.Length <= ShortString)
            {
                next = 0;
                while (next < value.Length && value[next] < 128 && UnescapedAscii[value[next]] != 0)
                {
                    output[written++] = (byte)value[next++];
                }

                if (next == value.Length)
                {
                    break;
                }
            }
            else
            {
                next = value.IndexOfAnyExcept(Unescaped);
                if (next < 0)
                {
                    Ascii.FromUtf16(value, output[written..], out int copied);
                    written += copied;
                    break;
                }

                Ascii.FromUtf16(value[..next], output[written..], out int prefix);
                written += prefix;
            }

            char c = value[next];
            int consumed = 1;
            if (char.IsHighSurrogate(c) && next + 1 < value.Length && char.IsLowSurrogate(value[next + 1]))
            {
                written += EscapeHex(c, output[written..]);
                written += EscapeHex(value[next + 1], output[written..]);
                consumed = 2;
            }
            else
            {
                written += Escape(char.IsSurrogate(c) ? '\uFFFD' : c, output[written..]);
            }

            value = value[(next + consumed)..];
        }

        _position += written;
    }

    // As System.Text.Json's default escaping: a backslash and a letter for the six characters JSON
    // names, \uXXXX for everything else, a lone surrogate replaced by U+FFFD.
    private static int Escape(char c, Span<byte> output)
    {
        byte letter = c switch
        {
            '\\' => (byte)'\\',
            '\n' => (byte)'n',
            '\r' => (byte)'r',
            '\t' => (byte)'t',
            '\b' => (byte)'b',
            '\f' => (byte)'f',
            _ => 0,
        };
        if (letter == 0)
        {
            return EscapeHex(c, output);
        }

        output[0] = (byte)'\\';
        output[1] = letter;
        return 2;
    }

    private static int EscapeHex(char c, Span<byte> output)
    {
        ReadOnlySpan<byte> hex = "0123456789ABCDEF"u8;
        output = output[..MaxEscapedCharLength];
        output[5] = hex[c & 0xF];
        output[4] = hex[(c >> 4) & 0xF];
        output[3] = hex[(c >> 8) & 0xF];
        output[2] = hex[c >> 12];
        output[1] = (byte)'u';
        output[0] = (byte)'\\';
        return MaxEscapedCharLength;
    }

    // The round-trip format always has seven fraction digits; System.Text.Json drops the trailing
    // zeros, and the point with them when all seven are zero. The offset or Z, if any, moves left.
    private static int TrimFraction(Span<byte> text)
    {
        const int point = 19;
        int end = DateTimeLength;
        while (end > point + 1 && text[end - 1] == (byte)'0')
        {
            end--;
        }

        if (end == point + 1)
        {
            end = point;
        }

        ReadOnlySpan<byte> zone = text[DateTimeLength..];
        zone.CopyTo(text[end..]);
        return end + zone.Length;
    }

    private void EnsureCapacity(int length)
    {
        if (_buffer.Length - _position < length)
        {
            Grow(length);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int length)
    {
        int needed = checked(_position + length);
        var larger = new byte[Math.Max(needed, (int)Math.Min(_buffer.Length * 2L, Array.MaxLength))];
        _buffer.AsSpan(0, _position).CopyTo(larger);
        _buffer = larger;
    }

    private static ArgumentException NotFinite(string value) =>
        new($".NET number values such as positive and negative infinity cannot be written as valid JSON ({value}).");
}
