using Switchboard.Protocol.Handshake;

namespace Switchboard.Client;

/// <summary>The server did not accept the WebSocket upgrade, or its answer broke RFC 6455 section 4.1.</summary>
public sealed class WebSocketHandshakeException : Exception
{
    /// <summary>Creates the exception for <paramref name="error"/>.</summary>
    public WebSocketHandshakeException(ClientHandshakeError error, int statusCode, Uri uri)
        : base(statusCode != 0 && error == ClientHandshakeError.NotSwitchingProtocols
            ? $"{uri} refused the WebSocket upgrade with HTTP {statusCode}"
            : $"{uri} answered the WebSocket upgrade incorrectly: {error}")
    {
        Error = error;
        StatusCode = statusCode;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public WebSocketHandshakeException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public WebSocketHandshakeException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with no details.</summary>
    public WebSocketHandshakeException() { }

    /// <summary>What was wrong with the response.</summary>
    public ClientHandshakeError Error { get; }

    /// <summary>The HTTP status the server answered with, or 0 when none was read.</summary>
    public int StatusCode { get; }
}
