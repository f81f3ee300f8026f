using Switchboard.Serialization;

namespace Switchboard.Server.Contract;

/// <summary>
/// What the generated serializers accept for a shape that a JSON type alone does not say: the range of a small integer
/// and the text of a time or a time span. The AsyncAPI document and the TypeScript module (src/Contract, which compiles
/// this file too) both read it, so a schema and a validator cannot disagree.
/// </summary>
internal static class JsonShapeRules
{
    /// <summary>A <see cref="TimeOnly"/>: <c>hh:mm[:ss[.fffffff]]</c>.</summary>
    public const string TimeOnlyPattern = @"^\d{1,2}:\d{1,2}(:\d{1,2}(\.\d{1,7})?)?$";

    /// <summary>A <see cref="TimeSpan"/>: <c>[-][d.]hh:mm:ss[.fffffff]</c>.</summary>
    public const string TimeSpanPattern = @"^-?(\d+\.)?\d{1,2}:\d{1,2}:\d{1,2}(\.\d{1,7})?$";

    /// <summary>The values of an integer shape of at most 32 bits: Byte, SByte, Int16, UInt16, Int32 or UInt32.</summary>
    /// <param name="kind">The shape's kind.</param>
    /// <returns>The smallest and the largest value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not one of those integers.</exception>
    public static (long Minimum, long Maximum) IntegerRange(ShapeKind kind) => kind switch
    {
        ShapeKind.Byte => (byte.MinValue, byte.MaxValue),
        ShapeKind.SByte => (sbyte.MinValue, sbyte.MaxValue),
        ShapeKind.Int16 => (short.MinValue, short.MaxValue),
        ShapeKind.UInt16 => (ushort.MinValue, ushort.MaxValue),
        ShapeKind.Int32 => (int.MinValue, int.MaxValue),
        ShapeKind.UInt32 => (uint.MinValue, uint.MaxValue),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an integer of at most 32 bits"),
    };
}
