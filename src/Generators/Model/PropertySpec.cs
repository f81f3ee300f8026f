namespace Switchboard.Generators.Model;

/// <summary>How a reader gives a property its value.</summary>
internal enum ReadMode
{
    /// <summary>Not at all: the property has no public setter and no constructor parameter. Its JSON is skipped.</summary>
    None,

    /// <summary>As an argument of the constructor.</summary>
    Constructor,

    /// <summary>In the object initializer: a <c>required</c> member.</summary>
    Initializer,

    /// <summary>With its public setter, after construction, only when present in the JSON.</summary>
    Setter,

    /// <summary>With its <c>init</c> accessor through an <c>UnsafeAccessor</c>, after construction, only when present.</summary>
    InitAccessor,
}

/// <summary>When a writer leaves a property out.</summary>
internal enum WriteCondition
{
    Always,
    WhenWritingNull,
    WhenWritingDefault,
}

/// <summary>One serialized property of an object.</summary>
/// <param name="Name">The C# name.</param>
/// <param name="JsonName">The JSON name.</param>
/// <param name="Value">Its type.</param>
/// <param name="Required">True when a reader rejects an object without it.</param>
/// <param name="ReadMode">How a reader sets it.</param>
/// <param name="ConstructorParameter">Its position among the constructor's parameters, or -1.</param>
/// <param name="DefaultValue">The C# expression of the constructor parameter's default value, when it has one.</param>
/// <param name="DeclaringTypeName">The type declaring the property (for an <c>UnsafeAccessor</c>).</param>
/// <param name="WriteCondition">When a writer leaves it out.</param>
internal sealed record PropertySpec(
    string Name,
    string JsonName,
    ValueSpec Value,
    bool Required,
    ReadMode ReadMode,
    int ConstructorParameter,
    string? DefaultValue,
    string DeclaringTypeName,
    WriteCondition WriteCondition);
