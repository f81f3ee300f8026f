using System.Text.Json.Serialization;
using Switchboard;

// A catalogue that uses every shape kind, for the snapshots and the TypeScript checks.
namespace Switchboard.Contract.Tests;

public enum Mood
{
    Calm,
    Busy,
}

[Flags]
public enum Access
{
    None = 0,
    Read = 1,
    Write = 2,
}

public sealed record Point(int X, int Y);

/// <summary>Named like a TypeScript built-in: written by its full name.</summary>
public sealed record Map(string Name);

/// <summary>Holds a second <c>Point</c>: both are written by their full names.</summary>
public static partial class Other
{
    public sealed record Point(string Label);
}

public sealed record Attachment(string Name, byte[] Content, Point? Anchor);

/// <summary>Every primitive, enum, nullable, array, dictionary and nested object.</summary>
[Message("shapes.all")]
public sealed partial record AllShapes(
    bool Flag,
    char Letter,
    byte Small,
    sbyte SignedSmall,
    short Medium,
    ushort UnsignedShort,
    int Count,
    uint UnsignedCount,
    long Big,
    ulong UnsignedBig,
    float Ratio,
    double Precise,
    decimal Price,
    string Name,
    Guid Id,
    DateTime LocalTime,
    DateTimeOffset At,
    TimeSpan Duration,
    DateOnly Day,
    TimeOnly Time,
    byte[] Blob,
    Mood Mood,
    Access Access,
    int? Maybe,
    string? Note,
    Point Origin,
    Point? Target,
    int[] Numbers,
    IReadOnlyList<Point> Path,
    List<string?> Labels,
    Dictionary<string, int> Scores,
    Dictionary<string, Point[]> Routes,
    Mood[] Moods,
    Map? Board = null,
    Other.Point? Pin = null,
    int Retries = 3)
{
    [JsonPropertyName("extra-field")]
    public string? Extra { get; init; }
}

/// <summary>Client to server in the compile tests.</summary>
[Message("chat.send")]
public sealed partial record SendChat(string Text);

/// <summary>Server to client in the compile tests.</summary>
[Message("chat.message")]
public sealed partial record ChatPosted(string Sender, string Text, DateTimeOffset SentAt, Mood Mood, IReadOnlyList<Attachment>? Attachments);

/// <summary>A message with no fields.</summary>
[Message("shapes.empty")]
public sealed partial record Ping;

/// <summary>A request, answered with <see cref="Found"/> or refused with <see cref="LookupRefused"/>.</summary>
[Message("shapes.lookup"), RequestErrors(typeof(LookupRefused))]
public sealed partial record Lookup(string Key) : IRequest<Found>;

/// <summary>The response to <see cref="Lookup"/>.</summary>
[Message("shapes.found")]
public sealed partial record Found(string Value);

/// <summary>The typed error of <see cref="Lookup"/>.</summary>
[Message("shapes.refused")]
public sealed partial record LookupRefused(string Reason) : IRequestError;
