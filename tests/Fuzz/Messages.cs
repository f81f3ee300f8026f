using System.Collections.Immutable;
using System.Text.Json.Serialization;

// Messages whose generated readers the envelope target drives: together they use every shape the generator
// supports, so fuzzed data reaches every reader in MessageJson and every kind of generated code.
namespace Switchboard.Fuzz.Messages;

/// <summary>A plain enum with a renamed member.</summary>
public enum Mood
{
    /// <summary>Calm.</summary>
    Calm,

    /// <summary>Happy.</summary>
    Happy,

    /// <summary>Written <c>so-so</c>.</summary>
    [JsonStringEnumMemberName("so-so")]
    SoSo,
}

/// <summary>A flags enum, written as a list.</summary>
[Flags]
public enum Permissions : byte
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>Read.</summary>
    Read = 1,

    /// <summary>Write.</summary>
    Write = 2,

    /// <summary>Admin.</summary>
    Admin = 4,
}

/// <summary>Every primitive.</summary>
[Message("fuzz.primitives")]
public sealed partial record Primitives(
    bool Flag,
    char Letter,
    byte Byte,
    sbyte SByte,
    short Short,
    ushort UShort,
    int Int,
    uint UInt,
    long Long,
    ulong ULong,
    float Float,
    double Double,
    decimal Decimal,
    string Text,
    Guid Id,
    DateTime At,
    DateTimeOffset AtOffset,
    TimeSpan Duration,
    DateOnly Day,
    TimeOnly Time,
    Mood Mood,
    Permissions Permissions);

/// <summary>A nested object.</summary>
public sealed record Address(string Street, int Number, string? Note);

/// <summary>A value type object.</summary>
public struct Point
{
    /// <summary>X.</summary>
    public int X { get; set; }

    /// <summary>Y.</summary>
    public int Y { get; set; }
}

/// <summary>Nullable values of every kind.</summary>
[Message("fuzz.nullables")]
public sealed partial record Nullables(
    int? Count,
    string? Name,
    Guid? Id,
    Mood? Mood,
    DateTimeOffset? At,
    TimeSpan? Duration,
    DateOnly? Day,
    char? Letter,
    Address? Home,
    Point? Where,
    List<int?>? Scores,
    byte[]? Blob);

/// <summary>Collections, nested.</summary>
[Message("fuzz.collections")]
public sealed partial record Collections(
    int[] Numbers,
    List<string> Names,
    IReadOnlyList<Address> Addresses,
    ImmutableArray<Mood> Moods,
    Dictionary<string, int> Counts,
    Dictionary<string, List<Address?>> Nested,
    List<List<double>> Matrix,
    byte[] Blob,
    Point[] Points);

/// <summary>A class with required, init-only, renamed and ignored members.</summary>
[Message("fuzz.members")]
public sealed partial class Members
{
    /// <summary>Required.</summary>
    public required string Title { get; init; }

    /// <summary>Has a default.</summary>
    public int Count { get; set; } = 7;

    /// <summary>Renamed.</summary>
    [JsonPropertyName("renamed_value")]
    public long Renamed { get; set; }

    /// <summary>Never on the wire.</summary>
    [JsonIgnore]
    public string Ignored { get; set; } = "ignored";

    /// <summary>Left out when null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Optional { get; set; }

    /// <summary>A nested required object.</summary>
    public required Address Home { get; init; }
}

/// <summary>No fields.</summary>
[Message("fuzz.empty")]
public sealed partial record Empty;
