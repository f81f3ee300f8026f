using System.Text;
using Switchboard.Protocol.Http;
using Switchboard.Server.Http;
using Switchboard.Server.Routing;

namespace Switchboard.Server;

/// <summary>
/// The plain HTTP routes of a <see cref="WebSocketServer"/>, served on the same port as its WebSocket endpoints.
/// A request that asks to upgrade (<c>Upgrade: websocket</c>) always goes to the WebSocket endpoints; any other request
/// goes to these routes, in registration order: the first route whose method and template match answers it. When
/// only other methods are mapped at the path the answer is 405 with Allow (a catch-all template such as the one
/// <see cref="MapStaticFiles(string, string)"/> maps counts for no path here, so a request with another method for a
/// path no other route matches gets 404); when no HTTP route matches, a path a
/// WebSocket endpoint is mapped at gets that endpoint's handshake refusal (400, "Upgrade: websocket required"), and
/// any other path gets 404.
/// </summary>
public sealed partial class WebSocketServer
{
    private readonly HttpRouteTable _httpRoutes = new();

    /// <summary>
    /// Answers GET requests (and HEAD, without the body) whose path matches <paramref name="template"/>, such as
    /// <c>/api/rooms/{room}</c>, with <paramref name="handler"/>.
    /// </summary>
    /// <param name="template">The path template; literal segments match ordinally, <c>{name}</c> one segment, a final <c>{*name}</c> the rest.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>This server, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="template"/> is not a valid template.</exception>
    /// <exception cref="InvalidOperationException">The server has started.</exception>
    public WebSocketServer MapGet(string template, HttpHandler handler) => MapMethod("GET", template, handler);

    /// <summary>Answers POST requests whose path matches <paramref name="template"/> with <paramref name="handler"/>.</summary>
    /// <inheritdoc cref="MapGet" path="/param"/>
    /// <inheritdoc cref="MapGet" path="/returns"/>
    /// <inheritdoc cref="MapGet" path="/exception"/>
    public WebSocketServer MapPost(string template, HttpHandler handler) => MapMethod("POST", template, handler);

    /// <summary>
    /// Answers requests with method <paramref name="method"/> (compared ordinally: methods are case-sensitive) whose
    /// path matches <paramref name="template"/> with <paramref name="handler"/>.
    /// </summary>
    /// <param name="method">The method token, such as <c>PUT</c> or <c>DELETE</c>.</param>
    /// <param name="template">The path template; literal segments match ordinally, <c>{name}</c> one segment, a final <c>{*name}</c> the rest.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>This server, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="method"/> is not a token, or <paramref name="template"/> is not a valid template.</exception>
    /// <exception cref="InvalidOperationException">The server has started.</exception>
    public WebSocketServer MapMethod(string method, string template, HttpHandler handler)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        if (!HttpGrammar.IsToken(method)) throw new ArgumentException($"'{method}' is not an HTTP method token", nameof(method));
        if (_listener is not null) throw new InvalidOperationException("routes must be added before Start");
        _httpRoutes.Add(method, RouteTemplate.Parse(template), handler);
        return this;
    }

    /// <summary>
    /// Serves <paramref name="content"/> at <paramref name="path"/> for GET and HEAD, as <paramref name="contentType"/>,
    /// with <c>Cache-Control: no-cache</c> and <c>X-Content-Type-Options: nosniff</c>. The memory is sent without a copy
    /// and must not change afterwards.
    /// </summary>
    /// <param name="path">The exact path, such as <c>/</c> or <c>/switchboard.js</c>.</param>
    /// <param name="contentType">The media type, such as <c>text/javascript; charset=utf-8</c>.</param>
    /// <param name="content">The bytes to serve.</param>
    /// <returns>This server, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not a valid template, or <paramref name="contentType"/> holds control characters.</exception>
    /// <exception cref="InvalidOperationException">The server has started.</exception>
    public WebSocketServer MapStaticFile(string path, string contentType, ReadOnlyMemory<byte> content)
    {
        ArgumentNullException.ThrowIfNull(contentType);
        if (!HttpGrammar.IsFieldValue(contentType)) throw new ArgumentException("the content type must not hold control characters", nameof(contentType));
        return MapGet(path, StaticFiles.ForContent(contentType, content));
    }

    /// <summary>
    /// Serves the description of <paramref name="catalog"/> (<see cref="MessageCatalog.DescribeJson"/>: every message's
    /// wire name, CLR type and data shape) at <paramref name="path"/> for GET and HEAD, as <c>application/json</c>, so
    /// that clients and tools can discover the protocol, e.g. <c>server.MapProtocol("/protocol.json", endpoint.Catalog)</c>.
    /// The description is rendered once, now.
    /// </summary>
    /// <param name="path">The exact path, such as <c>/protocol.json</c>.</param>
    /// <param name="catalog">The catalogue to describe, usually a <see cref="MessageEndpoint.Catalog"/>.</param>
    /// <returns>This server, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not a valid template.</exception>
    /// <exception cref="InvalidOperationException">The server has started.</exception>
    public WebSocketServer MapProtocol(string path, MessageCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return MapStaticFile(path, "application/json", Encoding.UTF8.GetBytes(catalog.DescribeJson()));
    }

    /// <summary>
    /// Serves the files under <paramref name="directory"/> for GET and HEAD at paths below <paramref name="urlPrefix"/>:
    /// with prefix <c>/static</c>, <c>/static/css/site.css</c> is <c>{directory}/css/site.css</c>, and a path ending in
    /// <c>/</c> serves that directory's <c>index.html</c>. Only <c>.html .js .mjs .css .svg .png .ico .json .txt</c> files
    /// are served, with their media type; anything else, dot-files, and every path that would leave the directory
    /// (<c>..</c>, <c>%2e%2e</c>, <c>%2F</c>, links pointing outside) get 404, and malformed percent-encoding gets 400.
    /// Files are read when requested, so changes show without a restart.
    /// </summary>
    /// <param name="urlPrefix">The path prefix, such as <c>/</c> or <c>/static</c>; a trailing slash is ignored.</param>
    /// <param name="directory">The directory to serve, absolute or relative to the current directory.</param>
    /// <returns>This server, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="urlPrefix"/> does not start with '/' or is not a literal path.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="InvalidOperationException">The server has started.</exception>
    public WebSocketServer MapStaticFiles(string urlPrefix, string directory) => MapStaticFiles(urlPrefix, directory, []);

    /// <summary>
    /// Serves the files under <paramref name="directory"/> as <see cref="MapStaticFiles(string, string)"/> does, and
    /// every response at these paths (a file, 404 or 400) also carries <paramref name="headers"/>: a page's
    /// <c>Content-Security-Policy</c> and <c>Referrer-Policy</c>, say. They are set after the server's own
    /// <c>Cache-Control</c> and <c>X-Content-Type-Options</c>, so a field of the same name replaces the server's.
    /// </summary>
    /// <param name="urlPrefix">The path prefix, such as <c>/</c> or <c>/static</c>; a trailing slash is ignored.</param>
    /// <param name="directory">The directory to serve, absolute or relative to the current directory.</param>
    /// <param name="headers">
    /// The response fields, in order; for a name given twice the later value wins. Read once, now.
    /// </param>
    /// <returns>This server, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument, or a field's name or value, is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="urlPrefix"/> does not start with '/' or is not a literal path; or a field's name is not a token
    /// or is one the server writes itself (Content-Type, Content-Length, Transfer-Encoding, Connection), or its value
    /// holds a control character or a char beyond Latin-1.
    /// </exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="InvalidOperationException">The server has started.</exception>
    public WebSocketServer MapStaticFiles(string urlPrefix, string directory, IEnumerable<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(urlPrefix);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(headers);
        KeyValuePair<string, string>[] fields = [.. headers];
        foreach (var (name, value) in fields) HttpResponseWriter.ValidateField(name, value);
        if (!urlPrefix.StartsWith('/')) throw new ArgumentException($"url prefix '{urlPrefix}' must start with '/'", nameof(urlPrefix));
        if (urlPrefix.AsSpan().IndexOfAny("{}*") >= 0) throw new ArgumentException($"url prefix '{urlPrefix}' must be a literal path", nameof(urlPrefix));

        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"static file directory '{root}' does not exist");
        root = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;

        var prefix = urlPrefix.TrimEnd('/');
        return MapGet(prefix + "/{*path}", StaticFiles.ForDirectory(prefix, root, fields));
    }
}
