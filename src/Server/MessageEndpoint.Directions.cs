using Switchboard.Serialization;

namespace Switchboard.Server;

/// <summary>Which way the endpoint's messages travel, for the documents that describe it (<see cref="Contract.AsyncApiDocument"/>).</summary>
public sealed partial class MessageEndpoint
{
    private readonly HashSet<string> _declaredSent = new(StringComparer.Ordinal);

    /// <summary>
    /// Declares that the server sends <typeparamref name="T"/> to clients although the endpoint also handles it, as a
    /// relay does (a direct message a client sends and the server passes on), or sends a request's response on its own too.
    /// The send side of the endpoint's AsyncAPI channel lists the plain messages no handler takes and that are no
    /// request's response, and those declared here.
    /// </summary>
    /// <typeparam name="T">A message (neither a request nor an error) of the endpoint's <see cref="Catalog"/>.</typeparam>
    /// <returns>This endpoint, for chaining.</returns>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not in <see cref="Catalog"/>, or is a request or an error there.</exception>
    public MessageEndpoint Sends<T>() where T : IMessage<T>
    {
        var kind = Catalog.Get<T>().Kind;
        if (kind != MessageKind.Message)
            throw new InvalidOperationException($"'{T.MessageType}' is a {(kind == MessageKind.Request ? "request" : "request's error")}: its direction is fixed, only plain messages are declared with Sends");
        _declaredSent.Add(T.MessageType);
        return this;
    }

    /// <summary>Whether a handler (<see cref="On{T}"/> or <see cref="OnRequest{TRequest, TResponse}"/>) takes messages of <paramref name="type"/>.</summary>
    internal bool Handles(string type) => _handlers.ContainsKey(type) || _requests.ContainsKey(type);

    /// <summary>Whether <see cref="Sends{T}"/> declared <paramref name="type"/>.</summary>
    internal bool DeclaresSent(string type) => _declaredSent.Contains(type);
}
