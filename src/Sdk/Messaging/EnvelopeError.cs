namespace Switchboard.Messaging;

/// <summary>
/// Why a text message is not a valid envelope (docs/protocol.md, "Messages (wire format v1)"). Every
/// value except <see cref="None"/> closes the connection with 1007 (invalid payload data), see
/// <see cref="EnvelopeErrorExtensions.ToCloseCode(EnvelopeError)"/>.
/// </summary>
public enum EnvelopeError : byte
{
    /// <summary>No error.</summary>
    None,

    /// <summary>The text is not one well-formed JSON value (RFC 8259), is truncated, nests deeper than the limit, or has content after the value.</summary>
    InvalidJson,

    /// <summary>The JSON value is not an object.</summary>
    NotAnObject,

    /// <summary>The object has no <c>type</c> property.</summary>
    MissingType,

    /// <summary>The <c>type</c> property is not a string.</summary>
    TypeNotString,

    /// <summary>The <c>type</c> property is the empty string.</summary>
    EmptyType,

    /// <summary>The object has no <c>data</c> property.</summary>
    MissingData,

    /// <summary>The <c>data</c> property is not an object.</summary>
    DataNotObject,

    /// <summary>The <c>id</c> property is neither a string nor null.</summary>
    IdNotString,

    /// <summary><c>type</c>, <c>data</c>, <c>id</c>, <c>group</c> or <c>offset</c> appears more than once.</summary>
    DuplicateProperty,

    /// <summary>The <c>group</c> property is not a string.</summary>
    GroupNotString,

    /// <summary>The <c>offset</c> property is not an integer from 1 to <see cref="long.MaxValue"/>.</summary>
    OffsetNotPositive,

    /// <summary>
    /// The message is a request (its type is a <see cref="Serialization.MessageKind.Request"/> of the catalogue) but its
    /// <c>id</c> is absent, empty or longer than <see cref="RequestFailure.MaxIdLength"/> characters. Only an endpoint
    /// that knows the type reports it; <see cref="Envelope"/>'s reader never does.
    /// </summary>
    RequestWithoutId,
}
