namespace Switchboard.Serialization;

/// <summary>What a message of the catalogue is for (docs/protocol.md, "Request/response").</summary>
public enum MessageKind
{
    /// <summary>A plain message, sent either way with no reply.</summary>
    Message,

    /// <summary>A request (<see cref="IRequest{TResponse}"/>): it carries an <c>id</c> and gets one reply with the same <c>id</c>.</summary>
    Request,

    /// <summary>An error a request may fail with (<see cref="IRequestError"/>), sent as a reply.</summary>
    Error,
}
