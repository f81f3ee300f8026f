namespace Switchboard.Protocol.Http;

/// <summary>
/// Checks on text an application hands to the HTTP layer, from the RFC 9110 grammar: method names and field names
/// are tokens, and field values hold no control characters that could end a line early.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class HttpGrammar
{
    /// <summary>
    /// Whether <paramref name="value"/> is a <c>token</c> (RFC 9110 section 5.6.2): one or more of the letters, digits
    /// and <c>!#$%&amp;'*+-.^_`|~</c>. Methods and field names are tokens.
    /// </summary>
    /// <param name="value">The text to check.</param>
    /// <returns>True for a non-empty token.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static bool IsToken(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return HttpSyntax.IsToken(value.AsSpan());
    }

    /// <summary>
    /// Whether <paramref name="value"/> can be sent as a field value (RFC 9110 section 5.5): Latin-1 text with no
    /// control character other than horizontal tab.
    /// </summary>
    /// <param name="value">The text to check.</param>
    /// <returns>True when the value is safe to send.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static bool IsFieldValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return HttpSyntax.IsFieldValue(value.AsSpan());
    }
}
