using Switchboard.Protocol.Handshake;

namespace Switchboard.Client;

/// <summary>
/// A connection could not be made, or the server ended one for good: the one exception a caller of
/// <see cref="SwitchboardClient.ConnectAsync"/> or <see cref="WebSocketConnector.ConnectAsync"/> catches for connection
/// failures, whatever the transport. <see cref="Kind"/> says what happened and whether retrying can help
/// (<see cref="IsFinal"/>); <see cref="StatusCode"/>, <see cref="CloseStatus"/> and <see cref="Reason"/> carry what the
/// server said. The rules are in docs/protocol.md, "Reconnecting".
/// </summary>
public sealed class SwitchboardConnectionException : Exception
{
    /// <summary>Creates the exception with a message only; <see cref="Kind"/> is <see cref="SwitchboardConnectionErrorKind.HandshakeFailed"/>.</summary>
    public SwitchboardConnectionException(string message) : this(SwitchboardConnectionErrorKind.HandshakeFailed, message) { }

    /// <summary>Creates the exception with a message and a cause; <see cref="Kind"/> is <see cref="SwitchboardConnectionErrorKind.HandshakeFailed"/>.</summary>
    public SwitchboardConnectionException(string message, Exception innerException)
        : this(SwitchboardConnectionErrorKind.HandshakeFailed, message, innerException: innerException) { }

    /// <summary>Creates the exception with no details; <see cref="Kind"/> is <see cref="SwitchboardConnectionErrorKind.HandshakeFailed"/>.</summary>
    public SwitchboardConnectionException() : this("the connection could not be made") { }

    /// <summary>Creates the exception for a failure of <paramref name="kind"/>.</summary>
    /// <param name="kind">What happened.</param>
    /// <param name="message">The message, for people.</param>
    /// <param name="statusCode">The HTTP status the server answered the opening request with, when it answered.</param>
    /// <param name="closeStatus">The close code the server ended an open connection with, when it did.</param>
    /// <param name="reason">The server's own words: the body of an HTTP refusal or the reason of a close.</param>
    /// <param name="handshakeError">What was wrong with a WebSocket handshake answer.</param>
    /// <param name="innerException">The underlying failure.</param>
    public SwitchboardConnectionException(SwitchboardConnectionErrorKind kind, string message, int? statusCode = null, CloseCode? closeStatus = null,
        string? reason = null, ClientHandshakeError handshakeError = ClientHandshakeError.None, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        StatusCode = statusCode;
        CloseStatus = closeStatus;
        Reason = reason;
        HandshakeError = handshakeError;
    }

    /// <summary>What happened.</summary>
    public SwitchboardConnectionErrorKind Kind { get; }

    /// <summary>The HTTP status the server answered the WebSocket upgrade or the long-polling open with; null when none was read.</summary>
    public int? StatusCode { get; }

    /// <summary>The close code the server ended the connection with (a refusal after it opened, such as 1008); null otherwise.</summary>
    public CloseCode? CloseStatus { get; }

    /// <summary>The server's reason: the text of an HTTP refusal or of a close frame; null when it gave none.</summary>
    public string? Reason { get; }

    /// <summary>For a WebSocket handshake that failed, what was wrong with the answer; <see cref="ClientHandshakeError.None"/> otherwise.</summary>
    public ClientHandshakeError HandshakeError { get; }

    /// <summary>
    /// Whether the server said the same request would fail again (<see cref="SwitchboardConnectionErrorKind.Refused"/>,
    /// <see cref="SwitchboardConnectionErrorKind.NotFound"/>): the client does not retry.
    /// </summary>
    public bool IsFinal => Kind is SwitchboardConnectionErrorKind.Refused or SwitchboardConnectionErrorKind.NotFound;

    /// <summary>The kind of an HTTP answer to an opening request: 401 and 403 refuse, 404 finds nothing, anything else failed.</summary>
    internal static SwitchboardConnectionErrorKind KindOf(int statusCode) => statusCode switch
    {
        401 or 403 => SwitchboardConnectionErrorKind.Refused,
        404 => SwitchboardConnectionErrorKind.NotFound,
        _ => SwitchboardConnectionErrorKind.HandshakeFailed,
    };

    /// <summary>The exception for an HTTP answer other than acceptance to an opening request over <paramref name="transport"/>.</summary>
    internal static SwitchboardConnectionException FromStatus(Uri uri, string transport, int statusCode, string? reason,
        ClientHandshakeError handshakeError = ClientHandshakeError.NotSwitchingProtocols)
    {
        var kind = KindOf(statusCode);
        var verb = kind == SwitchboardConnectionErrorKind.HandshakeFailed ? "did not accept" : "refused";
        var message = $"{uri} {verb} the {transport} with HTTP {statusCode}" + (string.IsNullOrEmpty(reason) ? "" : $": {reason}");
        return new SwitchboardConnectionException(kind, message, statusCode, reason: reason, handshakeError: handshakeError);
    }
}

/// <summary>What kind of connection failure a <see cref="SwitchboardConnectionException"/> reports.</summary>
public enum SwitchboardConnectionErrorKind
{
    /// <summary>
    /// The server answered, but not with a connection: a WebSocket answer other than 101 that is not a refusal, one that
    /// breaks RFC 6455 section 4.1, a connection closed during the handshake, or a long-polling open answered with
    /// something other than a session. Retried with backoff; <see cref="SwitchboardTransport.Auto"/> falls back to long
    /// polling, as it is what a proxy that blocks WebSocket produces.
    /// </summary>
    HandshakeFailed,

    /// <summary>The server could not be reached: no route, refused or reset TCP connection, TLS failure. Retried with backoff.</summary>
    Unreachable,

    /// <summary>The connection was not made within <see cref="WebSocketClientOptions.ConnectTimeout"/>. Retried with backoff.</summary>
    Timeout,

    /// <summary>
    /// The server refused the client: HTTP 401 or 403 on the opening request, or a close with 1008 (policy violation) or
    /// 4000-4999 (an application refusal, such as a name already taken). Final: never retried, never a reason to fall back.
    /// </summary>
    Refused,

    /// <summary>HTTP 404: there is no endpoint at the path. Final.</summary>
    NotFound,
}
