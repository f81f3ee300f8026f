using System.Collections.Frozen;

namespace Switchboard.Serialization;

/// <summary>
/// Describes the JSON shape of a value in a message: a primitive, an enum, a nullable value, an array,
/// a dictionary or an object with fields. Built by generated code for the <see cref="MessageCatalog"/>.
/// </summary>
/// <remarks>Immutable and thread-safe. Shapes form trees: an object never contains itself.</remarks>
public sealed class ShapeDescriptor
{
    private static readonly FrozenDictionary<ShapeKind, ShapeDescriptor> Primitives = CreatePrimitives();

    private ShapeDescriptor(ShapeKind kind, string? typeName, ShapeDescriptor? element, IReadOnlyList<FieldDescriptor> fields, IReadOnlyList<string> members, bool isFlags)
    {
        Kind = kind;
        TypeName = typeName;
        Element = element;
        Fields = fields;
        EnumMembers = members;
        IsFlags = isFlags;
    }

    /// <summary>The kind of JSON value.</summary>
    public ShapeKind Kind { get; }

    /// <summary>The full CLR name of an <see cref="ShapeKind.Object"/> or <see cref="ShapeKind.Enum"/>; null otherwise.</summary>
    public string? TypeName { get; }

    /// <summary>The element of an array, the value of a dictionary, or the value of a nullable; null otherwise.</summary>
    public ShapeDescriptor? Element { get; }

    /// <summary>The fields of an <see cref="ShapeKind.Object"/>, in the order they are written; empty otherwise.</summary>
    public IReadOnlyList<FieldDescriptor> Fields { get; }

    /// <summary>The names an <see cref="ShapeKind.Enum"/> is written with, in declaration order; empty otherwise.</summary>
    public IReadOnlyList<string> EnumMembers { get; }

    /// <summary>True for an enum marked <see cref="FlagsAttribute"/>, written as <c>"A, B"</c> for combinations.</summary>
    public bool IsFlags { get; }

    /// <summary>The shared descriptor of a primitive kind (<see cref="ShapeKind.Boolean"/> to <see cref="ShapeKind.Bytes"/>).</summary>
    /// <param name="kind">A primitive kind.</param>
    /// <returns>The descriptor.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not primitive.</exception>
    public static ShapeDescriptor Primitive(ShapeKind kind) =>
        Primitives.TryGetValue(kind, out var shape) ? shape : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a primitive shape.");

    /// <summary>A value that may also be null.</summary>
    /// <param name="element">The shape of the value when it is not null.</param>
    /// <returns>The descriptor.</returns>
    public static ShapeDescriptor Nullable(ShapeDescriptor element) => Composite(ShapeKind.Nullable, element);

    /// <summary>A JSON array (of a <c>T[]</c>, <c>List&lt;T&gt;</c>, <c>IReadOnlyList&lt;T&gt;</c> or <c>ImmutableArray&lt;T&gt;</c>).</summary>
    /// <param name="element">The shape of each element.</param>
    /// <returns>The descriptor.</returns>
    public static ShapeDescriptor Array(ShapeDescriptor element) => Composite(ShapeKind.Array, element);

    /// <summary>A JSON object with arbitrary keys (a <c>Dictionary&lt;string, T&gt;</c>).</summary>
    /// <param name="value">The shape of each value.</param>
    /// <returns>The descriptor.</returns>
    public static ShapeDescriptor Dictionary(ShapeDescriptor value) => Composite(ShapeKind.Dictionary, value);

    /// <summary>An enum written as its member names.</summary>
    /// <param name="typeName">The full CLR name of the enum.</param>
    /// <param name="members">The names it is written with, in declaration order.</param>
    /// <param name="isFlags">True when the enum is marked <see cref="FlagsAttribute"/>.</param>
    /// <returns>The descriptor.</returns>
    public static ShapeDescriptor Enum(string typeName, IReadOnlyList<string> members, bool isFlags)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        ArgumentNullException.ThrowIfNull(members);
        return new ShapeDescriptor(ShapeKind.Enum, typeName, null, [], [.. members], isFlags);
    }

    /// <summary>A JSON object with known fields (a record or class).</summary>
    /// <param name="typeName">The full CLR name of the type.</param>
    /// <param name="fields">The fields, in the order they are written.</param>
    /// <returns>The descriptor.</returns>
#pragma warning disable CA1720 // Factories are named after the shape kinds.
    public static ShapeDescriptor Object(string typeName, IReadOnlyList<FieldDescriptor> fields)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        ArgumentNullException.ThrowIfNull(fields);
        return new ShapeDescriptor(ShapeKind.Object, typeName, null, [.. fields], [], isFlags: false);
    }
#pragma warning restore CA1720

    /// <summary>A compact notation: <c>string</c>, <c>int32?</c>, <c>array&lt;Chat.Item&gt;</c>, <c>map&lt;string, int32&gt;</c>.</summary>
    /// <returns>The notation.</returns>
    public override string ToString() => Kind switch
    {
        ShapeKind.Nullable => Element + "?",
        ShapeKind.Array => $"array<{Element}>",
        ShapeKind.Dictionary => $"map<string, {Element}>",
        ShapeKind.Enum or ShapeKind.Object => TypeName!,
        _ => KindName(Kind),
    };

    internal static string KindName(ShapeKind kind) => kind switch
    {
        ShapeKind.Boolean => "boolean",
        ShapeKind.Char => "char",
        ShapeKind.Byte => "uint8",
        ShapeKind.SByte => "int8",
        ShapeKind.Int16 => "int16",
        ShapeKind.UInt16 => "uint16",
        ShapeKind.Int32 => "int32",
        ShapeKind.UInt32 => "uint32",
        ShapeKind.Int64 => "int64",
        ShapeKind.UInt64 => "uint64",
        ShapeKind.Single => "float32",
        ShapeKind.Double => "float64",
        ShapeKind.Decimal => "decimal",
        ShapeKind.String => "string",
        ShapeKind.Guid => "guid",
        ShapeKind.DateTime => "datetime",
        ShapeKind.DateTimeOffset => "datetimeoffset",
        ShapeKind.TimeSpan => "timespan",
        ShapeKind.DateOnly => "date",
        ShapeKind.TimeOnly => "time",
        ShapeKind.Bytes => "base64",
        ShapeKind.Enum => "enum",
        ShapeKind.Nullable => "nullable",
        ShapeKind.Array => "array",
        ShapeKind.Dictionary => "map",
        ShapeKind.Object => "object",
        _ => kind.ToString(),
    };

    private static ShapeDescriptor Composite(ShapeKind kind, ShapeDescriptor element)
    {
        ArgumentNullException.ThrowIfNull(element);
        return new ShapeDescriptor(kind, null, element, [], [], isFlags: false);
    }

    private static FrozenDictionary<ShapeKind, ShapeDescriptor> CreatePrimitives()
    {
        var shapes = new Dictionary<ShapeKind, ShapeDescriptor>();
        for (var kind = ShapeKind.Boolean; kind <= ShapeKind.Bytes; kind++)
        {
            shapes[kind] = new ShapeDescriptor(kind, null, null, [], [], isFlags: false);
        }

        return shapes.ToFrozenDictionary();
    }
}
