using Switchboard.Protocol.Http;
using Switchboard.Server.WebSockets;

namespace Switchboard.Server;

/// <summary>
/// Who may open a connection to one endpoint, given to
/// <see cref="WebSocketServer.Map(string, MessageEndpoint, EndpointOptions)"/> (or, for a raw handler,
/// <see cref="WebSocketServer.Map(string, WebSocketHandler, EndpointOptions)"/>).
/// Both checks run on the opening request of every transport (the WebSocket upgrade and the long-polling open), before
/// the endpoint hears of the connection: first the origin (<b>403</b>), then <see cref="Authenticate"/> (<b>401</b>).
/// </summary>
/// <remarks>
/// Immutable once mapped; the server copies <see cref="AllowedOrigins"/> when the endpoint is mapped. The rate limits
/// (<see cref="MessageRate"/>, <see cref="ByteRate"/>) apply to a typed endpoint (<see cref="MessageEndpoint"/>)
/// and judge every connection on its own, whatever its transport.
/// </remarks>
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
    /// Whether long-polling answers to an origin listed by name in <see cref="AllowedOrigins"/> carry
    /// <c>Access-Control-Allow-Credentials: true</c>, so that a page of that origin may send its cookies or HTTP
    /// authentication (a <c>fetch</c> with <c>credentials: "include"</c>). Never sent for an origin admitted through
    /// <c>*</c>. Default false.
    /// </summary>
    public bool AllowCredentials { get; init; }

    /// <summary>
    /// Called with the opening request once its origin has been allowed; decides who the connection speaks for.
    /// <see cref="AuthenticationResult.Success"/> lets the connection open with that user (on
    /// <see cref="WebSocketConnection.User"/> and <see cref="MessageContext.User"/> before the connected
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
            if (!HttpGrammar.IsFieldValue(value)) throw new ArgumentException("a challenge must be a field value without control characters", nameof(value));
            field = value;
        }
    } = "Bearer";

    /// <summary>
    /// How many messages one connection may send: a token bucket of messages, each WebSocket text message and each
    /// envelope of a long-polling send taking one. The message that finds the bucket empty is dropped unread and the
    /// connection is closed with <b>1013</b> (Try Again Later) and the reason <c>message rate limit: …</c>; the server
    /// counts a <c>MessageRate</c> hit on <c>switchboard.server.limit.hits</c> and logs event 600/601. Null (the
    /// default) sets no limit: set one on every endpoint that untrusted clients reach (docs/security.md, "Rate limits").
    /// </summary>
    /// <remarks>Only a <see cref="MessageEndpoint"/> can be mapped with a rate limit.</remarks>
    public RateLimit? MessageRate { get; init; }

    /// <summary>
    /// How many bytes one connection may send: a token bucket of payload bytes (a WebSocket message's payload, a
    /// long-polling envelope's JSON), judged as <see cref="MessageRate"/> is, with the reason <c>byte rate limit: …</c>
    /// and a <c>ByteRate</c> hit. A message larger than the burst is always over the limit. Null (the default) sets no
    /// limit beyond the size of one message (<see cref="WebSocketServerOptions.Frames"/>).
    /// </summary>
    /// <remarks>Only a <see cref="MessageEndpoint"/> can be mapped with a rate limit.</remarks>
    public RateLimit? ByteRate { get; init; }

    /// <summary>The clock the rate limits' buckets refill by. Default <see cref="TimeProvider.System"/>.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public TimeProvider TimeProvider
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    } = TimeProvider.System;

    /// <summary>
    /// How many requests (docs/protocol.md, "Request/response") one connection may have in flight: received and not yet
    /// answered. The request over it is answered at once with the <c>switchboard.failure</c> code
    /// <c>too_many_requests</c> and its handler does not run; the server counts a <c>RequestsInFlight</c> hit on
    /// <c>switchboard.server.limit.hits</c> and logs event 600/601. The connection lives on. At least 1; default 16.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxRequestsInFlight
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = DefaultMaxRequestsInFlight;

    /// <summary>The default of <see cref="MaxRequestsInFlight"/>.</summary>
    internal const int DefaultMaxRequestsInFlight = 16;

    /// <summary>Whether a rate limit is set.</summary>
    internal bool LimitsRate => MessageRate is not null || ByteRate is not null;
}
