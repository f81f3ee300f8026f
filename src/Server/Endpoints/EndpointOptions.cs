namespace Switchboard.Server;

/// <summary>
/// Who may open a connection to one endpoint, given to <see cref="WebSocketServer.Map(string, WebSocketHandler, EndpointOptions)"/>.
/// Both checks run on the opening request of every transport (the WebSocket upgrade and the long-polling open), before
/// the endpoint hears of the connection: first the origin (<b>403</b>), then <see cref="Authenticate"/> (<b>401</b>).
/// </summary>
/// <remarks>Immutable once mapped; the server copies <see cref="AllowedOrigins"/> when the endpoint is mapped.</remarks>
public sealed class EndpointOptions
{
    /// <summary>
    /// The browser origins (<c>scheme://host[:port]</c>, e.g. <c>https://app.example.com</c>) allowed to connect, or
    /// <c>*</c> for any. A request without an <c>Origin</c> header (a non-browser client) is always allowed; a request
    /// from the server's own origin (the <c>Host</c> the request names, same scheme and port) is always allowed; any
    /// other origin, <c>null</c> included, gets <b>403</b>. Empty by default: browsers may connect from the server's
    /// own pages only, which defeats cross-site WebSocket hijacking.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>
    /// Called with the opening request once its origin has been allowed; decides who the connection speaks for.
    /// <see cref="AuthenticationResult.Success"/> lets the connection open with that user (on
    /// <see cref="WebSocketConnection.User"/> and <see cref="Messaging.MessageContext.User"/> before the connected
    /// hook runs); <see cref="AuthenticationResult.Fail"/> refuses it with <b>401</b> and the reason. A hook that throws
    /// refuses it with <b>500</b>. Null (the default) lets every connection open without a user.
    /// </summary>
    /// <remarks>Runs before the handshake completes, on the connection's own task; it may be called concurrently for
    /// different connections.</remarks>
    public Func<ConnectRequest, ValueTask<AuthenticationResult>>? Authenticate { get; init; }

    /// <summary>
    /// The <c>WWW-Authenticate</c> challenge sent with every 401 from <see cref="Authenticate"/>, over either transport
    /// (RFC 9110 section 11.6.1: a 401 carries at least one challenge). Name the scheme the hook reads. Default
    /// <c>Bearer</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The value is empty or holds control characters.</exception>
    public string AuthenticationChallenge
    {
        get;
        init
        {
            ArgumentException.ThrowIfNullOrEmpty(value);
            if (!Protocol.HttpGrammar.IsFieldValue(value)) throw new ArgumentException("a challenge must be a field value without control characters", nameof(value));
            field = value;
        }
    } = "Bearer";
}
