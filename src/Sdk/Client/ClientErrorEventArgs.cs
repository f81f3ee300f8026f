using Switchboard.Messaging;

namespace Switchboard.Client;

/// <summary>What went wrong with an incoming message.</summary>
public enum ClientErrorKind
{
    /// <summary>The message was not a valid envelope (see <see cref="EnvelopeError"/>).</summary>
    MalformedEnvelope,

    /// <summary>The envelope's type is not in the client's <see cref="SwitchboardClient.Catalog"/>: not part of the protocol.</summary>
    UnknownType,

    /// <summary>The data did not match its message type (a <see cref="MessageFormatException"/>).</summary>
    InvalidMessage,

    /// <summary>A handler threw.</summary>
    HandlerFailed,

    /// <summary>The envelope's type is in the client's <see cref="SwitchboardClient.Catalog"/>, but no handler is registered for it.</summary>
    NoHandler,
}

/// <summary>An incoming message the client could not deliver; the connection lives on.</summary>
public sealed class ClientErrorEventArgs(ClientErrorKind kind, string? messageType, string detail, Exception? exception = null) : EventArgs
{
    /// <summary>What went wrong.</summary>
    public ClientErrorKind Kind { get; } = kind;

    /// <summary>The envelope's type, when one was read.</summary>
    public string? MessageType { get; } = messageType;

    /// <summary>A human-readable description.</summary>
    public string Detail { get; } = detail;

    /// <summary>The exception behind it, if any.</summary>
    public Exception? Exception { get; } = exception;
}
