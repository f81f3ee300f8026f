using System.Buffers;
using System.Text;
using Switchboard.Protocol.Http;

namespace Switchboard.Server.Http;

/// <summary>
/// Where the parts of a syntactically valid request line sit: <c>method SP request-target SP HTTP-version</c>
/// (RFC 9112 section 3), with the target cut into authority, path and query. Offsets are into the line.
/// </summary>
internal readonly struct RequestLine
{
    // request-target bytes: VCHAR without '#', since a fragment never travels in a request (RFC 9112 section 3.2).
    private static readonly SearchValues<byte> s_targetBytes = SearchValues.Create(
        "!\"$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"u8);

    private RequestLine(int methodEnd, int targetStart, int targetEnd, TargetParts parts)
    {
        MethodEnd = methodEnd;
        TargetStart = targetStart;
        TargetEnd = targetEnd;
        Parts = parts;
    }

    public int MethodEnd { get; }

    public int TargetStart { get; }

    public int TargetEnd { get; }

    /// <summary>Offsets into the target, not the line.</summary>
    public TargetParts Parts { get; }

    public Range Method => ..MethodEnd;

    public Range Target => TargetStart..TargetEnd;

    public Range Version => (TargetEnd + 1)..;

    /// <summary>
    /// Checks the syntax only: a method token, an origin-form or absolute-form target, and
    /// <c>"HTTP/" DIGIT "." DIGIT</c>. Which methods and versions are acceptable is for the caller to judge.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out RequestLine requestLine)
    {
        requestLine = default;
        int methodEnd = line.IndexOf((byte)' ');
        if (methodEnd <= 0 || !HttpSyntax.IsToken(line[..methodEnd]))
        {
            return false;
        }

        int targetStart = methodEnd + 1;
        int targetLength = line[targetStart..].IndexOf((byte)' ');
        if (targetLength <= 0)
        {
            return false;
        }

        int targetEnd = targetStart + targetLength;
        if (!IsHttpVersion(line[(targetEnd + 1)..]) || !TryParseTarget(line[targetStart..targetEnd], out TargetParts parts))
        {
            return false;
        }

        requestLine = new RequestLine(methodEnd, targetStart, targetEnd, parts);
        return true;
    }

    /// <summary>
    /// Whether the start of a request line still arriving can begin a valid one: its method so far is a token.
    /// A peer speaking something else (a TLS ClientHello, an SSH banner) is refused at its first byte instead of
    /// holding the connection until the size cap or a timeout.
    /// </summary>
    public static bool CouldStart(in ReadOnlySequence<byte> partial)
    {
        SequencePosition? space = partial.PositionOf((byte)' ');
        return space is null
            ? HttpSyntax.IsTokenSoFar(partial)
            : !partial.Start.Equals(space.Value) && HttpSyntax.IsTokenSoFar(partial.Slice(partial.Start, space.Value));
    }

    /// <summary><c>HTTP-version = "HTTP/" DIGIT "." DIGIT</c> (RFC 9112 section 2.3).</summary>
    private static bool IsHttpVersion(ReadOnlySpan<byte> version) =>
        version.Length == 8 &&
        version.StartsWith("HTTP/"u8) &&
        char.IsAsciiDigit((char)version[5]) &&
        version[6] == (byte)'.' &&
        char.IsAsciiDigit((char)version[7]);

    /// <summary>
    /// Accepts origin-form (<c>/path?query</c>) and absolute-form with an http, https, ws or wss scheme
    /// (RFC 9112 sections 3.2.1 and 3.2.2); authority-form and asterisk-form belong to CONNECT and OPTIONS.
    /// </summary>
    private static bool TryParseTarget(ReadOnlySpan<byte> target, out TargetParts parts)
    {
        parts = default;
        if (target.ContainsAnyExcept(s_targetBytes))
        {
            return false;
        }

        int pathStart = 0;
        if (target[0] != (byte)'/')
        {
            int schemeEnd = target.IndexOf("://"u8);
            if (schemeEnd <= 0 || !IsKnownScheme(target[..schemeEnd]))
            {
                return false;
            }

            int authorityStart = schemeEnd + 3;
            int authorityLength = target[authorityStart..].IndexOfAny((byte)'/', (byte)'?');
            if (authorityLength < 0)
            {
                authorityLength = target.Length - authorityStart;
            }

            if (!HttpSyntax.IsAuthority(target.Slice(authorityStart, authorityLength)))
            {
                return false;
            }

            parts.AuthorityStart = authorityStart;
            parts.AuthorityEnd = authorityStart + authorityLength;
            pathStart = parts.AuthorityEnd;
        }

        int question = target[pathStart..].IndexOf((byte)'?');
        parts.PathStart = pathStart;
        parts.PathEnd = question < 0 ? target.Length : pathStart + question;
        parts.QueryStart = question < 0 ? -1 : parts.PathEnd + 1;
        return true;
    }

    private static bool IsKnownScheme(ReadOnlySpan<byte> scheme) =>
        Ascii.EqualsIgnoreCase(scheme, "ws"u8) ||
        Ascii.EqualsIgnoreCase(scheme, "wss"u8) ||
        Ascii.EqualsIgnoreCase(scheme, "http"u8) ||
        Ascii.EqualsIgnoreCase(scheme, "https"u8);

    /// <summary>Where the pieces of a request-target sit, as offsets into it.</summary>
    public struct TargetParts
    {
        /// <summary>Equal to <see cref="AuthorityEnd"/> for origin-form, which carries no authority.</summary>
        public int AuthorityStart;
        public int AuthorityEnd;

        /// <summary>Equal to <see cref="PathEnd"/> when the path is empty, which means "/".</summary>
        public int PathStart;
        public int PathEnd;

        /// <summary>Just past the '?', or -1 without one.</summary>
        public int QueryStart;
    }
}
