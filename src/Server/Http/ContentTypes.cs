namespace Switchboard.Server.Http;

/// <summary>The media types static files are served with, by file extension; a file with any other extension is not served.</summary>
internal static class ContentTypes
{
    private static readonly Dictionary<string, string> s_byExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        // RFC 9239: text/javascript is the one media type for JavaScript, modules included.
        [".js"] = "text/javascript; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".json"] = "application/json",
        [".txt"] = "text/plain; charset=utf-8",
    };

    /// <summary>The media type for a file name's extension.</summary>
    public static bool TryGet(string fileName, out string contentType) =>
        s_byExtension.TryGetValue(Path.GetExtension(fileName), out contentType!);
}
