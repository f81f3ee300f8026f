namespace Switchboard.Generators.Model;

/// <summary>One serialized field of a message as the contract baseline lists it.</summary>
/// <param name="Path">The JSON names from the message down to the field: <c>author.name</c>, <c>items[].id</c>, <c>tags{}.id</c>.</param>
/// <param name="WireType">What the field is on the wire: <c>string</c>, <c>int32?</c>, <c>array&lt;object&gt;</c>, <c>enum(calm|happy)</c>.</param>
/// <param name="Required">True when readers reject data without it (see <see cref="PropertySpec.Required"/>).</param>
internal sealed record ContractField(string Path, string WireType, bool Required);

/// <summary>One message as the contract baseline lists it.</summary>
/// <param name="WireName">Its wire name.</param>
/// <param name="Kind"><c>message</c>, <c>request</c> or <c>error</c>.</param>
/// <param name="TypeName">The CLR type's full name, for people; not compared.</param>
/// <param name="Response">A request's response wire name; null otherwise.</param>
/// <param name="Errors">A request's error wire names, in declaration order.</param>
/// <param name="Fields">Every field, nested ones included, in path order.</param>
internal sealed record ContractMessage(
    string WireName,
    string Kind,
    string TypeName,
    string? Response,
    EquatableArray<string> Errors,
    EquatableArray<ContractField> Fields);

/// <summary>A contract baseline file given to the compilation as an additional file.</summary>
/// <param name="Path">Its path.</param>
/// <param name="Text">Its text.</param>
internal sealed record ContractBaselineFile(string Path, string Text);

/// <summary>A baseline line that was read: the entry's text and where it is, to point diagnostics at it.</summary>
/// <param name="Text">The line as written.</param>
/// <param name="Location">Where it is in the baseline file.</param>
internal sealed record BaselineLine(string Text, LocationInfo Location);
