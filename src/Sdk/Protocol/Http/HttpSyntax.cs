using System.Buffers;
using System.Text;

namespace Switchboard.Protocol.Http;

/// <summary>
/// The RFC 9110 section 5 building blocks every HTTP/1.1 reader and writer here works with: tokens, field lines,
/// lists, authorities and decimal lengths.
/// </summary>
internal static class HttpSyntax
{
    private const string TokenChars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // tchar, RFC 9110 section 5.6.2.
    private static readonly SearchValues<byte> s_tokenBytes = SearchValues.Create(Encoding.ASCII.GetBytes(TokenChars));
    private static readonly SearchValues<char> s_tokenChars = SearchValues.Create(TokenChars);

    // Everything a field value may not hold: CTLs other than HTAB, and DEL (RFC 9110 section 5.5).
    // A stray CR inside a line lands here too, which keeps CR-only line breaks from smuggling fields.
    private static readonly SearchValues<byte> s_valueControls = SearchValues.Create(
        [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
         0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x7F]);

    // Host = uri-host [ ":" port ] (RFC 9110 section 7.2, RFC 3986 section 3.2.2): unreserved, pct-encoded,
    // sub-delims, ':' and the IP-literal brackets. No '@': userinfo is not part of an authority on the wire.
    private static readonly SearchValues<byte> s_authorityBytes = SearchValues.Create(
        "!$%&'()*+,-.0123456789:;=ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_abcdefghijklmnopqrstuvwxyz~"u8);

    /// <summary>Optional whitespace, RFC 9110 section 5.6.3.</summary>
    public static ReadOnlySpan<byte> Ows => " \t"u8;

    public static bool IsToken(ReadOnlySpan<byte> value) => !value.IsEmpty && !value.ContainsAnyExcept(s_tokenBytes);

    public static bool IsToken(ReadOnlySpan<char> value) => !value.IsEmpty && !value.ContainsAnyExcept(s_tokenChars);

    /// <summary>Whether every byte is a tchar; true for an empty sequence, so it also fits a token still arriving.</summary>
    public static bool IsTokenSoFar(in ReadOnlySequence<byte> value)
    {
        foreach (ReadOnlyMemory<byte> segment in value)
        {
            if (segment.Span.ContainsAnyExcept(s_tokenBytes))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsFieldValue(ReadOnlySpan<byte> value) => !value.ContainsAny(s_valueControls);

    /// <summary>
    /// Whether text can be sent as a field value: every char is Latin-1 (one byte on the wire) and none is a
    /// control character other than HTAB, so no value can end its line early and inject a field.
    /// </summary>
    public static bool IsFieldValue(ReadOnlySpan<char> value)
    {
        foreach (char c in value)
        {
            if (c > 0xFF || (c < 0x20 && c != '\t') || c == 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether a value is a non-empty <c>uri-host [ ":" port ]</c> made of authority characters.</summary>
    public static bool IsAuthority(ReadOnlySpan<byte> value) => !value.IsEmpty && !value.ContainsAnyExcept(s_authorityBytes);

    /// <summary>
    /// Reads <c>Content-Length = 1*DIGIT</c> (RFC 9110 section 8.6): digits only, no sign, no list, and a value
    /// that fits in a <see cref="long"/>. Leading zeros are allowed, as the grammar allows them.
    /// </summary>
    public static bool TryParseContentLength(ReadOnlySpan<byte> value, out long length)
    {
        length = 0;
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (byte b in value)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9 || length > (long.MaxValue - digit) / 10)
            {
                return false;
            }

            length = (length * 10) + digit;
        }

        return true;
    }

    /// <summary>
    /// Splits <c>field-name ":" OWS field-value OWS</c> (RFC 9112 section 5). The name must be a token that
    /// touches the colon: whitespace before it is rejected (section 5.1) as are lines starting with
    /// whitespace, which is how obsolete line folding shows up (section 5.2).
    /// </summary>
    public static bool TryParseField(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        int colon = line.IndexOf((byte)':');
        name = colon > 0 ? line[..colon] : default;
        value = colon > 0 ? line[(colon + 1)..] : default;
        if (!IsToken(name) || !IsFieldValue(value))
        {
            return false;
        }

        value = value.Trim(Ows);
        return true;
    }

    /// <summary>Whether a comma-separated list holds <paramref name="token"/>, compared ASCII case-insensitively.</summary>
    public static bool ContainsToken(ReadOnlySpan<byte> list, ReadOnlySpan<byte> token)
    {
        foreach (ReadOnlySpan<byte> element in new ListEnumerator(list))
        {
            if (Ascii.EqualsIgnoreCase(element, token))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// <see cref="ContainsToken(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> for a value already decoded as Latin-1.
    /// A token that is not ASCII is in no list.
    /// </summary>
    public static bool ContainsToken(ReadOnlySpan<char> list, ReadOnlySpan<char> token)
    {
        if (!Ascii.IsValid(token))
        {
            return false;
        }

        Span<byte> listScratch = stackalloc byte[256];
        Span<byte> tokenScratch = stackalloc byte[64];
        using var listBytes = new Latin1Buffer(list, listScratch);
        using var tokenBytes = new Latin1Buffer(token, tokenScratch);
        return ContainsToken(listBytes.Bytes, tokenBytes.Bytes);
    }

    /// <summary>
    /// Walks the elements of <c>#element</c> (RFC 9110 section 5.6.1): split on commas, OWS trimmed, and
    /// empty elements skipped as recipients must.
    /// </summary>
    public ref struct ListEnumerator
    {
        private ReadOnlySpan<byte> _remaining;

        public ListEnumerator(ReadOnlySpan<byte> list)
        {
            _remaining = list;
            Current = default;
        }

        public ReadOnlySpan<byte> Current { get; private set; }

        public readonly ListEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (!_remaining.IsEmpty)
            {
                int comma = _remaining.IndexOf((byte)',');
                ReadOnlySpan<byte> element = comma < 0 ? _remaining : _remaining[..comma];
                _remaining = comma < 0 ? default : _remaining[(comma + 1)..];
                element = element.Trim(Ows);
                if (!element.IsEmpty)
                {
                    Current = element;
                    return true;
                }
            }

            return false;
        }
    }
}
