namespace Switchboard.Messaging;

/// <summary>Maps <see cref="EnvelopeError"/> values to what an endpoint says when it rejects a message.</summary>
/// <remarks>All members are pure and thread-safe.</remarks>
public static class EnvelopeErrorExtensions
{
    /// <summary>The status code to close with: 1007 (invalid payload data) for every envelope error.</summary>
    /// <param name="error">The error that rejected the message.</param>
    /// <returns>The close status code to send.</returns>
    public static CloseCode ToCloseCode(this EnvelopeError error) =>
        error == EnvelopeError.None ? CloseCode.NormalClosure : CloseCode.InvalidPayloadData;

    /// <summary>A short English reason, ASCII and at most 123 bytes, so it fits in a close frame as is.</summary>
    /// <param name="error">The error to describe.</param>
    /// <returns>A constant string; never null.</returns>
    public static string Describe(this EnvelopeError error) => error switch
    {
        EnvelopeError.None => "No error",
        EnvelopeError.InvalidJson => "Message is not valid JSON",
        EnvelopeError.NotAnObject => "Message is not a JSON object",
        EnvelopeError.MissingType => "Message has no \"type\"",
        EnvelopeError.TypeNotString => "Message \"type\" is not a string",
        EnvelopeError.EmptyType => "Message \"type\" is empty",
        EnvelopeError.MissingData => "Message has no \"data\"",
        EnvelopeError.DataNotObject => "Message \"data\" is not an object",
        EnvelopeError.IdNotString => "Message \"id\" is not a string",
        EnvelopeError.DuplicateProperty => "Message repeats \"type\", \"data\", \"id\", \"group\" or \"offset\"",
        EnvelopeError.GroupNotString => "Message \"group\" is not a string",
        EnvelopeError.OffsetNotPositive => "Message \"offset\" is not a positive integer",
        EnvelopeError.RequestWithoutId => "Request has no \"id\" of 1 to 64 characters",
        _ => "Invalid message envelope",
    };
}
