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
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(clrType);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Kind != ShapeKind.Object)
        {
            throw new ArgumentException("The data of a message is an object.", nameof(data));
        }

        Type = type;
        ClrType = clrType;
        Data = data;
    }

    /// <summary>The wire name: the envelope's <c>type</c>.</summary>
    public string Type { get; }

    /// <summary>The message type, which implements <see cref="IMessage{TSelf}"/>.</summary>
    public Type ClrType { get; }

    /// <summary>The shape of the <c>data</c> object.</summary>
    public ShapeDescriptor Data { get; }

    /// <summary>The fields of the <c>data</c> object, in the order they are written.</summary>
    public IReadOnlyList<FieldDescriptor> Fields => Data.Fields;

    /// <summary>The wire name and the CLR type.</summary>
    /// <returns>The notation.</returns>
    public override string ToString() => $"{Type} ({Data.TypeName})";
}
