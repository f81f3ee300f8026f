namespace Switchboard.Generators.Model;

/// <summary>A record, class or struct written as a JSON object: the message itself or one reachable from it.</summary>
/// <param name="Id">An identifier unique within the message, used to name its serializer methods.</param>
/// <param name="TypeName">The C# type, <c>global::</c>-qualified.</param>
/// <param name="DisplayName">The full name as shown to people, e.g. <c>Chat.Item</c>.</param>
/// <param name="IsValueType">True for structs.</param>
/// <param name="Properties">The serialized properties, in the order they are written.</param>
/// <param name="ConstructorParameterCount">The number of parameters of the constructor readers call.</param>
internal sealed record ObjectSpec(
    string Id,
    string TypeName,
    string DisplayName,
    bool IsValueType,
    EquatableArray<PropertySpec> Properties,
    int ConstructorParameterCount);
