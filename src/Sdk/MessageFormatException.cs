namespace Switchboard;

/// <summary>
/// The <c>data</c> of a message could not be read: malformed or truncated JSON, nesting deeper than
/// the reader allows, a missing or repeated property, a value of the wrong JSON type, a null where
/// null is not allowed, or a number out of range.
/// </summary>
/// <remarks>
/// <see cref="Path"/> locates the offending value from the envelope, e.g. <c>data.items[2].name</c>:
/// property names are the JSON names, array elements are <c>[index]</c> and dictionary entries
/// <c>['key']</c>.
/// </remarks>
public sealed class MessageFormatException : Exception
{
    /// <summary>Creates an exception for a value of a message.</summary>
    /// <param name="messageType">The wire name of the message being read.</param>
    /// <param name="path">Where the problem is, e.g. <c>data.items[2].name</c>.</param>
    /// <param name="reason">What is wrong, as a sentence fragment, e.g. <c>required property is missing</c>.</param>
    /// <param name="innerException">The underlying <see cref="System.Text.Json.JsonException"/>, if any.</param>
    public MessageFormatException(string messageType, string path, string reason, Exception? innerException = null)
        : base(Format(messageType, path, reason), innerException)
    {
        MessageType = messageType;
        Path = path;
        Reason = reason;
    }

    /// <summary>Creates an exception with no message type or path.</summary>
    public MessageFormatException()
        : this(string.Empty, string.Empty, "invalid message")
    {
    }

    /// <summary>Creates an exception with no message type or path.</summary>
    /// <param name="message">What is wrong.</param>
    public MessageFormatException(string message)
        : this(string.Empty, string.Empty, message)
    {
    }

    /// <summary>Creates an exception with no message type or path.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The underlying exception.</param>
    public MessageFormatException(string message, Exception? innerException)
        : this(string.Empty, string.Empty, message, innerException)
    {
    }

    /// <summary>The wire name of the message being read, e.g. <c>chat.send</c>.</summary>
    public string MessageType { get; }

    /// <summary>Where the problem is, e.g. <c>data.items[2].name</c>.</summary>
    public string Path { get; }

    /// <summary>What is wrong, without the message type and path.</summary>
    public string Reason { get; }

    private static string Format(string messageType, string path, string reason)
    {
        if (messageType.Length == 0)
        {
            return path.Length == 0 ? reason : $"At '{path}': {reason}";
        }

        return $"Invalid '{messageType}' message at '{path}': {reason}";
    }
}
