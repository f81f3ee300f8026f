namespace Switchboard.Serialization;

/// <summary>
/// Describes one message of a <see cref="MessageCatalog"/>: its wire name, its CLR type and its data. Built by generated
/// code; read it through <see cref="MessageCatalog.Get{T}"/> and <see cref="MessageCatalog.Messages"/>.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class MessageDescriptor
{
    /// <summary>Creates a message description.</summary>
    /// <param name="type">The wire name.</param>
    /// <param name="clrType">The message type.</param>
    /// <param name="data">The shape of the <c>data</c> object; its kind is <see cref="ShapeKind.Object"/>.</param>
    public MessageDescriptor(string type, Type clrType, ShapeDescriptor data)
        : this(type, clrType, data, MessageKind.Message, null, null)
    {
    }

    /// <summary>Creates the description of a message, a request or an error.</summary>
    /// <param name="type">The wire name.</param>
    /// <param name="clrType">The message type.</param>
    /// <param name="data">The shape of the <c>data</c> object; its kind is <see cref="ShapeKind.Object"/>.</param>
    /// <param name="kind">What the message is for.</param>
    /// <param name="response">The wire name of the response of a request; null for any other kind.</param>
    /// <param name="errors">The wire names of the errors a request may fail with; null or empty for none.</param>
    /// <exception cref="ArgumentException">A request without a response, or a response or errors on a message that is not a request.</exception>
    public MessageDescriptor(string type, Type clrType, ShapeDescriptor data, MessageKind kind, string? response, IReadOnlyList<string>? errors)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(clrType);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Kind != ShapeKind.Object)
        {
            throw new ArgumentException("The data of a message is an object.", nameof(data));
        }

        if (kind == MessageKind.Request && string.IsNullOrEmpty(response))
        {
            throw new ArgumentException($"The request '{type}' has no response.", nameof(response));
        }

        if (kind != MessageKind.Request && (response is not null || errors is { Count: > 0 }))
        {
            throw new ArgumentException($"Only a request has a response and errors; '{type}' is a {kind}.", nameof(kind));
        }

        Type = type;
        ClrType = clrType;
        Data = data;
        Kind = kind;
        Response = response;
        Errors = errors is null ? [] : [.. errors];
    }

    /// <summary>What the message is for: a plain message, a request or an error.</summary>
    public MessageKind Kind { get; }

    /// <summary>The wire name of a request's response; null for any other kind.</summary>
    public string? Response { get; }

    /// <summary>The wire names of the errors a request may fail with (<see cref="RequestErrorsAttribute"/>); empty for any other kind.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>The wire name: the envelope's <c>type</c>.</summary>
    public string Type { get; }

    /// <summary>The message type, which implements <see cref="IMessage{TSelf}"/>.</summary>
    public Type ClrType { get; }

    /// <summary>The shape of the <c>data</c> object.</summary>
    public ShapeDescriptor Data { get; }

    /// <summary>
    /// Whether the message may be sent compressed (<see cref="MessageAttribute.Compress"/>); false for a message that is
    /// never compressed on any connection.
    /// </summary>
    public bool Compress { get; init; } = true;

    /// <summary>The fields of the <c>data</c> object, in the order they are written.</summary>
    public IReadOnlyList<FieldDescriptor> Fields => Data.Fields;

    /// <summary>The wire name and the CLR type.</summary>
    /// <returns>The notation.</returns>
    public override string ToString() => $"{Type} ({Data.TypeName})";
}
