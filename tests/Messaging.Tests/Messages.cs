using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Switchboard.Messaging.Tests;

public enum Mood
{
    Calm,
    Happy,
    [JsonStringEnumMemberName("so-so")]
    SoSo,
}

[Flags]
public enum Permissions : byte
{
    None = 0,
    Read = 1,
    Write = 2,
    Admin = 4,
}

public enum Level : short
{
    Low = -1,
    Mid = 0,
    High = 1,
}

/// <summary>Every primitive the serializer supports, as positional parameters.</summary>
[Message("test.primitives")]
public partial record Primitives(
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
    Mood Mood,
    Permissions Permissions,
    Level Level);

/// <summary>Nullable values of every kind.</summary>
[Message("test.nullables")]
public partial record Nullables(
    int? Count,
    string? Name,
    Guid? Id,
    Mood? Mood,
    DateTimeOffset? At,
    TimeSpan? Duration,
    char? Letter,
    Address? Home,
    List<int?>? Scores,
    byte[]? Blob);

/// <summary>Dates and times of day, alone, nullable and in collections.</summary>
[Message("test.dates")]
public partial record Dates(DateOnly Day, TimeOnly Time, DateOnly? MaybeDay, TimeOnly? MaybeTime, List<DateOnly> Days, Dictionary<string, TimeOnly> Times);

public sealed record Address(string Street, int Number, string? Note);

/// <summary>A small message for error paths.</summary>
[Message("test.address")]
public sealed partial record Primitive(string Street, int Number, string? Note);

public struct Point
{
    public int X { get; set; }

    public int Y { get; set; }
}

/// <summary>Collections of every supported kind, nested.</summary>
[Message("test.collections")]
public partial record Collections(
    int[] Numbers,
    List<string> Names,
    IReadOnlyList<Address> Addresses,
    ImmutableArray<Mood> Moods,
    Dictionary<string, int> Counts,
    Dictionary<string, List<Address?>> Nested,
    List<List<int>> Matrix,
    byte[] Blob,
    Point[] Points);

/// <summary>A class with init-only, required and settable members and JSON attributes.</summary>
[Message("test.members")]
public partial class Members
{
    public required string Title { get; init; }

    public int Count { get; set; } = 7;

    public string Tag { get; init; } = "none";

    [JsonPropertyName("renamed_value")]
    public long Renamed { get; set; }

    [JsonIgnore]
    public string Ignored { get; set; } = "ignored";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Optional { get; set; }

    [JsonPropertyOrder(-1)]
    public int First { get; set; }

    public string Computed => Title + "!";

    public Point Where { get; set; }
}

public sealed class Owner
{
    public required string Name { get; init; }
}

/// <summary>Required members that are not constructor parameters: renamed, and in a nested object.</summary>
[Message("test.required")]
public partial record RequiredMembers(int Id)
{
    [JsonPropertyName("display_name")]
    public required string DisplayName { get; init; }

    public required Owner Owner { get; init; }
}

public static partial class Outer
{
    [Message("test.nested-in-class")]
    public partial record Inner(string Value, Outer.Child Child);

    public sealed class Child
    {
        public int Age { get; init; }
    }
}

public record BaseEvent(string Source)
{
    public long Sequence { get; init; }
}

[Message("test.derived")]
public sealed partial record Derived(string Source, string Detail) : BaseEvent(Source)
{
    public int Extra { get; init; }
}

[Message("test.defaults")]
public partial record Defaults(string Name, int Count = 5, Mood Mood = Mood.Happy, string Note = "n/a");

[Message("test.empty")]
public partial record Empty;

/// <summary>Properties that may be left out before any that is always written, and a name the encoder escapes.</summary>
[Message("test.sparse")]
public partial class Sparse
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Maybe { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Count { get; set; }

    [JsonPropertyName("<tag> & 'q' \"ü\"")]
    public string? Odd { get; set; }

    public Mood Mood { get; set; }
}

/// <summary>A first property, always written, whose name the encoder escapes.</summary>
[Message("test.odd-names")]
public partial record OddNames([property: JsonPropertyName("é+1")] int First, [property: JsonPropertyName("a`b")] Dictionary<string, Permissions> Second);
