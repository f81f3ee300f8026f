namespace Switchboard.Server.Http;

/// <summary>
/// The handlers behind <see cref="WebSocketServer.MapStaticFile"/> and
/// <see cref="WebSocketServer.MapStaticFiles(string, string, IEnumerable{KeyValuePair{string, string}})"/>.
/// Responses carry <c>Cache-Control: no-cache</c> (a browser revalidates, so an updated file is seen on reload) and
/// <c>X-Content-Type-Options: nosniff</c> (the declared type is the only one a browser may use); a directory's 404 and
/// 400 answers carry nosniff as well. A directory's own fields come last, on every answer, and may replace these.
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
    /// <param name="headers">Valid fields set on every response, after the common ones.</param>
    public static HttpHandler ForDirectory(string prefix, string root, KeyValuePair<string, string>[] headers) => (request, response) =>
    {
        response.SetHeader("X-Content-Type-Options", "nosniff");
        Serve(prefix, root, request, response);
        foreach (var (name, value) in headers) response.SetHeader(name, value);
        return ValueTask.CompletedTask;
    };

    private static void Serve(string prefix, string root, ServerRequest request, ServerResponse response)
    {
        var rest = request.Path.Length > prefix.Length + 1 ? request.Path[(prefix.Length + 1)..] : string.Empty;
        switch (StaticFilePath.Resolve(root, rest, out var fullPath, out var contentType))
        {
            case StaticFileLookup.BadRequest:
                response.StatusCode = 400;
                response.WriteText("Malformed path\n");
                return;
            case StaticFileLookup.NotFound:
                NotFound(response);
                return;
        }

        FileStream file;
        try
        {
            file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone or unreadable since it was resolved.
            NotFound(response);
            return;
        }

        SetCommonFields(response, contentType);
        response.SetFileBody(file);
    }

    private static void NotFound(ServerResponse response)
    {
        response.StatusCode = 404;
        response.WriteText("Not found\n");
    }

    private static void SetCommonFields(ServerResponse response, string contentType)
    {
        response.ContentType = contentType;
        response.SetHeader("Cache-Control", "no-cache");
        response.SetHeader("X-Content-Type-Options", "nosniff");
    }
}
