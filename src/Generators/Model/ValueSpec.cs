namespace Switchboard.Generators.Model;

/// <summary>The type of a value (a property, an element, a dictionary value), as the emitter needs it.</summary>
/// <param name="Kind">What the value is on the wire.</param>
/// <param name="TypeName">The C# type, <c>global::</c>-qualified, without a top-level <c>?</c> on reference types.</param>
/// <param name="IsReferenceType">True for reference types (strings, arrays, lists, dictionaries, classes).</param>
/// <param name="AllowsNull">True when null is a valid value: <c>T?</c>, or a reference type declared outside a nullable context.</param>
/// <param name="Element">The value of a <c>Nullable&lt;T&gt;</c>, the element of a collection, or the value of a dictionary.</param>
/// <param name="TargetId">For <see cref="ValueKind.Object"/> and <see cref="ValueKind.Enum"/>: the id of its spec in the message.</param>
internal sealed record ValueSpec(ValueKind Kind, string TypeName, bool IsReferenceType, bool AllowsNull, ValueSpec? Element, string? TargetId)
{
    /// <summary>The C# type of a variable holding the value, with <c>?</c> when a reference type allows null.</summary>
    public string VariableType => IsReferenceType && AllowsNull ? TypeName + "?" : TypeName;
}
