namespace Switchboard.Serialization;

/// <summary>
/// Describes one property of an object in a message. Built by generated code for the <see cref="MessageCatalog"/>,
/// which hands it out.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class FieldDescriptor
{
    /// <summary>Creates a field description.</summary>
    /// <param name="name">The JSON property name.</param>
    /// <param name="memberName">The CLR property name.</param>
    /// <param name="shape">The shape of the value.</param>
    /// <param name="required">True when a reader rejects an object without this property.</param>
    public FieldDescriptor(string name, string memberName, ShapeDescriptor shape, bool required)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(memberName);
        ArgumentNullException.ThrowIfNull(shape);
        Name = name;
        MemberName = memberName;
        Shape = shape;
        Required = required;
    }

    /// <summary>The JSON property name, e.g. <c>sentAt</c>.</summary>
    public string Name { get; }

    /// <summary>The CLR property name, e.g. <c>SentAt</c>.</summary>
    public string MemberName { get; }

    /// <summary>The shape of the value; <see cref="ShapeKind.Nullable"/> when null is allowed.</summary>
    public ShapeDescriptor Shape { get; }

    /// <summary>True when a reader rejects an object without this property.</summary>
    public bool Required { get; }

    /// <summary>True when the value may be null.</summary>
    public bool Nullable => Shape.Kind == ShapeKind.Nullable;

    /// <summary>The field as <c>name: shape</c>, with <c>(required)</c> when required.</summary>
    /// <returns>The notation.</returns>
    public override string ToString() => Required ? $"{Name}: {Shape} (required)" : $"{Name}: {Shape}";
}
