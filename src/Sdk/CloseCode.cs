namespace Switchboard;

/// <summary>Status codes carried by a close frame (RFC 6455 section 7.4 and the IANA registry).</summary>
public enum CloseCode : ushort
{
    /// <summary>The purpose for which the connection was established has been fulfilled.</summary>
    NormalClosure = 1000,

    /// <summary>An endpoint is going away: server shutdown or a browser leaving the page.</summary>
    GoingAway = 1001,

    /// <summary>The peer broke the protocol.</summary>
    ProtocolError = 1002,

    /// <summary>The peer sent a kind of data the endpoint cannot accept.</summary>
    UnsupportedData = 1003,

    /// <summary>Reserved: no status code was present. Never sent on the wire.</summary>
    NoStatusReceived = 1005,

    /// <summary>Reserved: the connection dropped without a close frame. Never sent on the wire.</summary>
    AbnormalClosure = 1006,

    /// <summary>A text message was not valid UTF-8, or data did not match its declared type.</summary>
    InvalidPayloadData = 1007,

    /// <summary>A message violated the endpoint's policy.</summary>
    PolicyViolation = 1008,

    /// <summary>A frame or message exceeded the endpoint's size limit.</summary>
    MessageTooBig = 1009,

    /// <summary>The client expected the server to negotiate an extension it did not.</summary>
    MandatoryExtension = 1010,

    /// <summary>The server hit an unexpected condition.</summary>
    InternalError = 1011,

    /// <summary>The server is restarting; the client may reconnect.</summary>
    ServiceRestart = 1012,

    /// <summary>The server is overloaded; the client should try again later.</summary>
    TryAgainLater = 1013,
}
