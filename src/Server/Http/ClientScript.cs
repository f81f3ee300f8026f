using System.Security.Cryptography;

namespace Switchboard.Server.Http;

/// <summary>
/// The browser client, switchboard.js (the <c>switchboard-client</c> package in clients/js), embedded in this assembly,
/// and how it is served: <c>Cache-Control: no-cache</c> with a strong <c>ETag</c>, so a browser revalidates on each
/// load and gets 304 until the server is updated with another client.
/// </summary>
internal static class ClientScript
{
    /// <summary>The media type the script is served as.</summary>
    public const string ContentType = "text/javascript; charset=utf-8";

    /// <summary>The manifest name the project gives the embedded file.</summary>
    private const string ResourceName = "Switchboard.Server.switchboard.js";

    private static readonly Lazy<(byte[] Content, string ETag)> Script = new(Load);

    /// <summary>The script's bytes (UTF-8).</summary>
    public static ReadOnlyMemory<byte> Content => Script.Value.Content;

    /// <summary>The script's strong entity tag, quotes included: a hash of its bytes.</summary>
    public static string ETag => Script.Value.ETag;

    /// <summary>
    /// Whether an <c>If-None-Match</c> value names the script's current tag (RFC 9110 section 13.1.2: <c>*</c>, or a
    /// list of tags compared weakly), so the answer is 304.
    /// </summary>
    public static bool IsNotModified(string? ifNoneMatch)
    {
        if (string.IsNullOrEmpty(ifNoneMatch)) return false;
        var rest = ifNoneMatch.AsSpan();
        while (!rest.IsEmpty)
        {
            var comma = rest.IndexOf(',');
            var tag = (comma < 0 ? rest : rest[..comma]).Trim();
            rest = comma < 0 ? [] : rest[(comma + 1)..];
            if (tag is "*") return true;
            if (tag.StartsWith("W/", StringComparison.Ordinal)) tag = tag[2..];
            if (tag.SequenceEqual(ETag)) return true;
        }

        return false;
    }

    /// <summary>The handler behind <see cref="WebSocketServer.MapClientScript"/>; <paramref name="headers"/> are set last.</summary>
    public static HttpHandler Handler(KeyValuePair<string, string>[] headers) => (request, response) =>
    {
        response.SetHeader("Cache-Control", "no-cache");
        response.SetHeader("X-Content-Type-Options", "nosniff");
        response.SetHeader("ETag", ETag);
        if (IsNotModified(request.GetHeader("If-None-Match")))
        {
            response.StatusCode = 304;
        }
        else
        {
            response.ContentType = ContentType;
            response.SetBody(Content);
        }

        foreach (var (name, value) in headers) response.SetHeader(name, value);
        return ValueTask.CompletedTask;
    };

    private static (byte[] Content, string ETag) Load()
    {
        using var stream = typeof(ClientScript).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the embedded resource '{ResourceName}' is missing from {typeof(ClientScript).Assembly.GetName().Name}");
        var content = new byte[stream.Length];
        stream.ReadExactly(content);
        var hash = SHA256.HashData(content);
        return (content, $"\"{Convert.ToHexString(hash, 0, 16)}\"");
    }
}
