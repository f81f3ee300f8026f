using Switchboard.Server.Http;

namespace Switchboard.Server;

public sealed partial class WebSocketServer
{
    /// <summary>
    /// Serves the browser client, switchboard.js (the <c>switchboard-client</c> npm package, embedded in this assembly
    /// at the same version), at <paramref name="path"/> for GET and HEAD, e.g.
    /// <c>server.MapClientScript("/switchboard.js")</c>, so that a page loads it with
    /// <c>import { SwitchboardClient } from '/switchboard.js'</c>. It is served as
    /// <c>text/javascript; charset=utf-8</c> with <c>Cache-Control: no-cache</c>, <c>X-Content-Type-Options: nosniff</c>
    /// and a strong <c>ETag</c>; a request whose <c>If-None-Match</c> names that tag gets 304 without a body.
    /// </summary>
    /// <param name="path">The exact path, such as <c>/switchboard.js</c>.</param>
    /// <param name="headers">
    /// Response fields set on every answer after the server's own (a page's <c>Content-Security-Policy</c>, say), in
    /// order; for a name given twice the later value wins. Read once, now. Null for none.
    /// </param>
    /// <returns>This server, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/>, or a field's name or value, is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="path"/> is not a valid template; or a field's name is not a token or is one the server writes
    /// itself (Content-Type, Content-Length, Transfer-Encoding, Connection), or its value holds a control character or
    /// a char beyond Latin-1.
    /// </exception>
    /// <exception cref="InvalidOperationException">The server has started.</exception>
    public WebSocketServer MapClientScript(string path, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        KeyValuePair<string, string>[] fields = headers is null ? [] : [.. headers];
        foreach (var (name, value) in fields) HttpResponseWriter.ValidateField(name, value);
        return MapGet(path, ClientScript.Handler(fields));
    }
}
