namespace Switchboard.Server.Http;

/// <summary>
/// The handlers behind <see cref="WebSocketServer.MapStaticFile"/> and <see cref="WebSocketServer.MapStaticFiles"/>.
/// Responses carry <c>Cache-Control: no-cache</c> (a browser revalidates, so an updated file is seen on reload) and
/// <c>X-Content-Type-Options: nosniff</c> (the declared type is the only one a browser may use).
/// </summary>
internal static class StaticFiles
{
    /// <summary>Serves one in-memory resource.</summary>
    public static HttpHandler ForContent(string contentType, ReadOnlyMemory<byte> content) => (_, response) =>
    {
        SetCommonFields(response, contentType);
        response.SetBody(content);
        return ValueTask.CompletedTask;
    };

    /// <summary>
    /// Serves the files under <paramref name="root"/> for paths below <paramref name="prefix"/>; the rest of the path
    /// is resolved by <see cref="StaticFilePath"/> from the raw, still percent-encoded request path.
    /// </summary>
    /// <param name="prefix">The mapped prefix without its trailing slash: "" for the site root, or "/static".</param>
    /// <param name="root">The directory's full path, ending with a separator.</param>
    public static HttpHandler ForDirectory(string prefix, string root) => (request, response) =>
    {
        var rest = request.Path.Length > prefix.Length + 1 ? request.Path[(prefix.Length + 1)..] : string.Empty;
        switch (StaticFilePath.Resolve(root, rest, out var fullPath, out var contentType))
        {
            case StaticFileLookup.BadRequest:
                response.StatusCode = 400;
                response.WriteText("Malformed path\n");
                return ValueTask.CompletedTask;
            case StaticFileLookup.NotFound:
                return NotFound(response);
        }

        FileStream file;
        try
        {
            file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone or unreadable since it was resolved.
            return NotFound(response);
        }

        SetCommonFields(response, contentType);
        response.SetFileBody(file);
        return ValueTask.CompletedTask;
    };

    private static ValueTask NotFound(HttpResponse response)
    {
        response.StatusCode = 404;
        response.WriteText("Not found\n");
        return ValueTask.CompletedTask;
    }

    private static void SetCommonFields(HttpResponse response, string contentType)
    {
        response.ContentType = contentType;
        response.SetHeader("Cache-Control", "no-cache");
        response.SetHeader("X-Content-Type-Options", "nosniff");
    }
}
