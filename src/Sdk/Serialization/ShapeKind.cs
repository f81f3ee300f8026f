namespace Switchboard.Serialization;

#pragma warning disable CA1720 // Kinds are named after the CLR types they stand for, as System.TypeCode's are.

/// <summary>The JSON shape of a value in a message, as described by a <see cref="ShapeDescriptor"/>.</summary>
public enum ShapeKind : byte
{
    /// <summary><c>true</c> or <c>false</c> (<see cref="bool"/>).</summary>
    Boolean,

    /// <summary>A string of exactly one UTF-16 code unit (<see cref="char"/>).</summary>
    Char,

    /// <summary>An integer from 0 to 255 (<see cref="byte"/>).</summary>
    Byte,

    /// <summary>An integer from -128 to 127 (<see cref="sbyte"/>).</summary>
    SByte,

    /// <summary>A 16-bit signed integer (<see cref="short"/>).</summary>
    Int16,

    /// <summary>A 16-bit unsigned integer (<see cref="ushort"/>).</summary>
    UInt16,

    /// <summary>A 32-bit signed integer (<see cref="int"/>).</summary>
    Int32,

    /// <summary>A 32-bit unsigned integer (<see cref="uint"/>).</summary>
    UInt32,

    /// <summary>A 64-bit signed integer (<see cref="long"/>).</summary>
    Int64,

    /// <summary>A 64-bit unsigned integer (<see cref="ulong"/>).</summary>
    UInt64,

    /// <summary>A finite single-precision number (<see cref="float"/>).</summary>
    Single,

    /// <summary>A finite double-precision number (<see cref="double"/>).</summary>
    Double,

    /// <summary>A decimal number (<see cref="decimal"/>).</summary>
    Decimal,

    /// <summary>A string (<see cref="string"/>).</summary>
    String,

    /// <summary>A string holding a GUID as <c>00000000-0000-0000-0000-000000000000</c> (<see cref="System.Guid"/>).</summary>
    Guid,

    /// <summary>An ISO 8601-1:2019 date and time string (<see cref="System.DateTime"/>).</summary>
    DateTime,

    /// <summary>An ISO 8601-1:2019 date and time string with offset (<see cref="System.DateTimeOffset"/>).</summary>
    DateTimeOffset,

    /// <summary>A string in the constant (<c>"c"</c>) format <c>[-][d.]hh:mm:ss[.fffffff]</c> (<see cref="System.TimeSpan"/>).</summary>
    TimeSpan,

    /// <summary>An ISO 8601-1:2019 calendar date string <c>yyyy-MM-dd</c> (<see cref="System.DateOnly"/>).</summary>
    DateOnly,

    /// <summary>A time of day string <c>hh:mm:ss[.fffffff]</c> (<see cref="System.TimeOnly"/>).</summary>
    TimeOnly,

    /// <summary>A base64 string (<c>byte[]</c>).</summary>
    Bytes,

    /// <summary>One of the member names of an enum, as a string.</summary>
    Enum,

    /// <summary><see cref="ShapeDescriptor.Element"/> or null.</summary>
    Nullable,

    /// <summary>An array of <see cref="ShapeDescriptor.Element"/> values.</summary>
    Array,

    /// <summary>An object with arbitrary string keys and <see cref="ShapeDescriptor.Element"/> values.</summary>
    Dictionary,

    /// <summary>An object with the properties in <see cref="ShapeDescriptor.Fields"/>.</summary>
    Object,
}
