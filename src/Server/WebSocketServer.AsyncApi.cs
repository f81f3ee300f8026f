using System.Text;
using Switchboard.Server.Contract;

namespace Switchboard.Server;

/// <summary>The AsyncAPI route of a <see cref="WebSocketServer"/>.</summary>
public sealed partial class WebSocketServer
{
    /// <summary>
    /// Serves an AsyncAPI 3.0 document (<see cref="AsyncApiDocument"/>) of <paramref name="endpoints"/> at
    /// <paramref name="path"/> for GET and HEAD, as <c>application/json</c>: one channel per template each endpoint is
    /// mapped at, with the messages of its <see cref="MessageEndpoint.Catalog"/> under the operations its handlers give
    /// (<see cref="AsyncApiDocument.AddChannel(string, MessageEndpoint)"/>), e.g.
    /// <c>server.MapAsyncApi("/asyncapi.json", "Chat", "1.0.0", room.Endpoint)</c>. Map the endpoints and register their
    /// handlers first: the document is rendered once, now.
    /// </summary>
    /// <param name="path">The exact path, such as <c>/asyncapi.json</c>.</param>
    /// <param name="title">The application's title (<c>info.title</c>).</param>
    /// <param name="version">The version of its API (<c>info.version</c>).</param>
    /// <param name="endpoints">The endpoints to describe.</param>
    /// <returns>This server, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="path"/> is not a valid template, <paramref name="title"/> or <paramref name="version"/> is empty, or
    /// an endpoint is not mapped on this server.
    /// </exception>
    /// <exception cref="InvalidOperationException">The server has started.</exception>
    public WebSocketServer MapAsyncApi(string path, string title, string version, params MessageEndpoint[] endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var document = new AsyncApiDocument(title, version);
        foreach (var endpoint in endpoints)
        {
            ArgumentNullException.ThrowIfNull(endpoint, nameof(endpoints));
            bool mapped = false;
            foreach (var template in _routes.TemplatesOf(endpoint.WebSocketSide))
            {
                document.AddChannel(template.Text, endpoint);
                mapped = true;
            }

            if (!mapped)
            {
                throw new ArgumentException($"the endpoint '{endpoint.Name}' is not mapped on this server; map it before MapAsyncApi", nameof(endpoints));
            }
        }

        return MapStaticFile(path, "application/json", Encoding.UTF8.GetBytes(document.ToJson()));
    }
}
