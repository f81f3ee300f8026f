namespace Switchboard.Generators.Model;

/// <summary>An enum member: its JSON name and its value widened to 64 bits (sign-extended when signed).</summary>
internal sealed record EnumMemberSpec(string JsonName, ulong Bits);

/// <summary>An enum written as strings.</summary>
/// <param name="Id">An identifier unique within the message.</param>
/// <param name="TypeName">The C# type, <c>global::</c>-qualified.</param>
/// <param name="DisplayName">The full name as shown to people.</param>
/// <param name="Underlying">The underlying integer type, <see cref="ValueKind.Byte"/> to <see cref="ValueKind.UInt64"/>.</param>
/// <param name="IsFlags">True when marked <c>[Flags]</c>.</param>
/// <param name="Members">The members in declaration order.</param>
internal sealed record EnumSpec(string Id, string TypeName, string DisplayName, ValueKind Underlying, bool IsFlags, EquatableArray<EnumMemberSpec> Members);
