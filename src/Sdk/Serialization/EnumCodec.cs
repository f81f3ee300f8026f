using System.Buffers;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.ComponentModel;
using System.Globalization;
using System.Text.Json;

namespace Switchboard.Serialization;

/// <summary>
/// Used by generated code: writes and reads one enum type as <c>System.Text.Json</c>'s <c>JsonStringEnumConverter</c> does:
/// the declared member names (or their <c>[JsonStringEnumMemberName]</c>), <c>"A, B"</c> for
/// combinations of a flags enum, and a number for any other value. Generated code creates one per
/// enum type and passes values as their bits widened to 64 (sign-extended for signed enums). Not
/// meant to be used by hand.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class EnumCodec
{
    private readonly string _typeName;
    private readonly ShapeKind _underlying;
    private readonly bool _isFlags;
    private readonly string[] _names;
    private readonly byte[][] _utf8Names;
    private readonly JsonEncodedText[] _encodedNames;
    private readonly byte[][] _quotedNames;
    private readonly ulong[] _values;
    private readonly FrozenDictionary<ulong, int> _indexByValue;
    private readonly FrozenDictionary<string, ulong> _valueByNameIgnoreCase;

    // Member indexes sorted by value, ascending (as Enum.ToString decomposes flags).
    private readonly int[] _byValue;

    /// <summary>Creates the codec of an enum type.</summary>
    /// <param name="typeName">The full CLR name, for error messages.</param>
    /// <param name="underlying">The underlying integer type, <see cref="ShapeKind.Byte"/> to <see cref="ShapeKind.UInt64"/>.</param>
    /// <param name="isFlags">True when the enum is marked <see cref="FlagsAttribute"/>.</param>
    /// <param name="names">The JSON names of the members, in declaration order.</param>
    /// <param name="values">The values of the members, in declaration order, widened to 64 bits.</param>
    public EnumCodec(string typeName, ShapeKind underlying, bool isFlags, string[] names, ulong[] values)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(values);
        if (names.Length != values.Length)
        {
            throw new ArgumentException("Every member needs a name and a value.", nameof(values));
        }

        if (underlying is < ShapeKind.Byte or > ShapeKind.UInt64)
        {
            throw new ArgumentOutOfRangeException(nameof(underlying), underlying, "Not an integer kind.");
        }

        _typeName = typeName;
        _underlying = underlying;
        _isFlags = isFlags;
        _names = [.. names];
        _values = [.. values];
        _utf8Names = [.. names.Select(n => System.Text.Encoding.UTF8.GetBytes(n))];
        _encodedNames = [.. names.Select(n => JsonEncodedText.Encode(n))];
        _quotedNames = [.. _encodedNames.Select(n => (byte[])[(byte)'"', .. n.EncodedUtf8Bytes, (byte)'"'])];

        var indexByValue = new Dictionary<ulong, int>();
        var byNameIgnoreCase = new Dictionary<string, ulong>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < names.Length; i++)
        {
            // The first declared of several aliases is the one written.
            indexByValue.TryAdd(values[i], i);
            byNameIgnoreCase.TryAdd(names[i], values[i]);
        }

        _indexByValue = indexByValue.ToFrozenDictionary();
        _valueByNameIgnoreCase = byNameIgnoreCase.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _byValue = [.. Enumerable.Range(0, values.Length).OrderBy(i => values[i])];
    }

    private bool IsSigned => _underlying is ShapeKind.SByte or ShapeKind.Int16 or ShapeKind.Int32 or ShapeKind.Int64;

    /// <summary>Writes a value. Allocates nothing.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="bits">The value's bits, widened to 64 (sign-extended for signed enums).</param>
    public void Write(Utf8JsonWriter writer, ulong bits)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (_indexByValue.TryGetValue(bits, out int index))
        {
            writer.WriteStringValue(_encodedNames[index]);
        }
        else if (TryComposeFlags(bits, out char[]? flags, out int length))
        {
            writer.WriteStringValue(flags.AsSpan(0, length));
            ArrayPool<char>.Shared.Return(flags);
        }
        else if (IsSigned)
        {
            writer.WriteNumberValue((long)bits);
        }
        else
        {
            writer.WriteNumberValue(bits);
        }
    }

    /// <summary>Writes a value on the fast path of generated writers. Allocates nothing.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="bits">The value's bits, widened to 64 (sign-extended for signed enums).</param>
    public void Write(ref CompactJsonWriter writer, ulong bits)
    {
        if (_indexByValue.TryGetValue(bits, out int index))
        {
            writer.WriteRaw(_quotedNames[index]);
        }
        else if (TryComposeFlags(bits, out char[]? flags, out int length))
        {
            writer.WriteString(flags.AsSpan(0, length));
            ArrayPool<char>.Shared.Return(flags);
        }
        else if (IsSigned)
        {
            writer.WriteNumber((long)bits);
        }
        else
        {
            writer.WriteNumber(bits);
        }
    }

    /// <summary>
    /// Reads a value: a member name (exact, then ignoring case), a comma-separated list of names for a
    /// flags enum, or an integer (as a number or a string) in the range of the underlying type.
    /// </summary>
    /// <param name="reader">The reader, on the value.</param>
    /// <returns>The value's bits, widened to 64.</returns>
    public ulong Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return ReadNumber(ref reader);
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw MessageJson.Mismatch(ref reader, $"a member name of {_typeName}");
        }

        for (int i = 0; i < _utf8Names.Length; i++)
        {
            if (reader.ValueTextEquals(_utf8Names[i]))
            {
                return _values[i];
            }
        }

        string text = reader.GetString()!;
        if (TryParse(text.AsSpan(), out ulong bits))
        {
            return bits;
        }

        throw MessageJson.Error($"'{text}' is not a member of {_typeName}");
    }

    private ulong ReadNumber(ref Utf8JsonReader reader)
    {
        if (IsSigned)
        {
            if (reader.TryGetInt64(out long signed) && InRange(signed))
            {
                return (ulong)signed;
            }
        }
        else if (reader.TryGetUInt64(out ulong unsigned) && InRange(unsigned))
        {
            return unsigned;
        }

        throw MessageJson.Error($"the number is out of range for {_typeName}");
    }

    private bool TryParse(ReadOnlySpan<char> text, out ulong bits)
    {
        text = text.Trim();
        if (text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] == '-'))
        {
            return TryParseNumber(text, out bits);
        }

        if (TryGetByName(text, out bits))
        {
            return true;
        }

        bits = 0;
        if (!_isFlags || text.IndexOf(',') < 0)
        {
            return false;
        }

        foreach (Range range in text.Split(','))
        {
            if (!TryGetByName(text[range].Trim(), out ulong part))
            {
                return false;
            }

            bits |= part;
        }

        return true;
    }

    private bool TryGetByName(ReadOnlySpan<char> name, out ulong bits) =>
#if NET9_0_OR_GREATER
        _valueByNameIgnoreCase.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out bits);
#else
        _valueByNameIgnoreCase.TryGetValue(name.ToString(), out bits);
#endif

    private bool TryParseNumber(ReadOnlySpan<char> text, out ulong bits)
    {
        if (IsSigned)
        {
            bool ok = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long signed) && InRange(signed);
            bits = (ulong)signed;
            return ok;
        }

        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out bits) && InRange(bits);
    }

    private bool InRange(long value) => _underlying switch
    {
        ShapeKind.SByte => value is >= sbyte.MinValue and <= sbyte.MaxValue,
        ShapeKind.Int16 => value is >= short.MinValue and <= short.MaxValue,
        ShapeKind.Int32 => value is >= int.MinValue and <= int.MaxValue,
        _ => true,
    };

    private bool InRange(ulong value) => _underlying switch
    {
        ShapeKind.Byte => value <= byte.MaxValue,
        ShapeKind.UInt16 => value <= ushort.MaxValue,
        ShapeKind.UInt32 => value <= uint.MaxValue,
        _ => true,
    };

    // Enum.ToString's decomposition: from the largest value down, take every member whose bits are
    // all still set; succeed when no bit is left; list the names from the smallest value up. The
    // text is in a pooled array the caller returns.
    private bool TryComposeFlags(ulong bits, [NotNullWhen(true)] out char[]? text, out int length)
    {
        text = null;
        length = 0;
        if (!_isFlags || bits == 0)
        {
            return false;
        }

        Span<int> found = stackalloc int[64];
        int count = 0;
        ulong remaining = bits;
        for (int i = _byValue.Length - 1; i >= 0 && remaining != 0; i--)
        {
            ulong value = _values[_byValue[i]];
            if (value != 0 && (remaining & value) == value && count < found.Length)
            {
                remaining &= ~value;
                found[count++] = _byValue[i];
            }
        }

        if (remaining != 0)
        {
            return false;
        }

        for (int i = 0; i < count; i++)
        {
            length += _names[found[i]].Length + 2;
        }

        text = ArrayPool<char>.Shared.Rent(length);
        length = 0;
        for (int i = count - 1; i >= 0; i--)
        {
            string name = _names[found[i]];
            name.CopyTo(text.AsSpan(length));
            length += name.Length;
            if (i > 0)
            {
                text[length++] = ',';
                text[length++] = ' ';
            }
        }

        return true;
    }
}
