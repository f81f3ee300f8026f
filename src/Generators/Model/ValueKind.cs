namespace Switchboard.Generators.Model;

/// <summary>
/// What a member's type is on the wire. The primitive names match <c>Switchboard.Serialization.ShapeKind</c> and
/// the <c>Read*</c> helpers of <c>Switchboard.Serialization.MessageJson</c>.
/// </summary>
internal enum ValueKind
{
    Boolean,
    Char,
    Byte,
    SByte,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Single,
    Double,
    Decimal,
    String,
    Guid,
    DateTime,
    DateTimeOffset,
    TimeSpan,
    DateOnly,
    TimeOnly,
    Bytes,
    Enum,
    Nullable,
    Array,
    List,
    ReadOnlyList,
    ImmutableArray,
    Dictionary,
    Object,
}
