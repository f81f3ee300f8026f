namespace Chat;

/// <summary>
/// The response fields of the page and its files (docs/security.md, "The chat sample"): a Content-Security-Policy
/// under which only the site's own files load and run (no inline script or style, no plugins, no other site's
/// frames around the page), and no Referer sent anywhere. The server adds <c>X-Content-Type-Options: nosniff</c>
/// to every static file itself.
/// </summary>
public static class PageHeaders
{
    /// <summary>
    /// Scripts, styles, images and connections from this origin only; 'self' covers the ws: (or wss:) endpoint of the
    /// same host and port. No directive allows inline code, so an injected script or event handler does not run.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>The fields, for <c>MapStaticFiles</c>.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> All { get; } =
    [
        new("Content-Security-Policy", ContentSecurityPolicy),
        new("Referrer-Policy", "no-referrer"),
    ];
}
