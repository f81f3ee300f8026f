using System.Collections.Immutable;
using CsCheck;

namespace Switchboard.Messaging.Tests;

/// <summary>CsCheck generators for the test messages, biased towards values that need escaping or sit at the edges.</summary>
internal static class Generators
{
    // Any UTF-16 code unit but the surrogates (a lone surrogate is not text), plus characters that need escaping.
    public static readonly Gen<char> Char = Gen.Frequency(
        (4, Gen.Char['\0', '\uD7FF']),
        (1, Gen.Char['\uE000', '\uFFFF']),
        (2, Gen.OneOf('"', '\\', '<', '>', '&', '\'', '+', '`', '\n', '\u2028', '\u007F')));

    public static readonly Gen<string> String = Gen.Frequency(
        (6, Char.Array[0, 12].Select(chars => new string(chars))),
        (1, Gen.OneOf("", "😀 emoji", "<script>alert('x')</script>", "a\"b\\c", "héllo wörld", "\u0000\u001f")));

    public static readonly Gen<float> Single = Gen.Frequency(
        (3, Gen.Single.Where(float.IsFinite)),
        (1, Gen.Int.Select(i => (float)i)),
        (1, Gen.OneOf(0f, -0f, float.MaxValue, float.MinValue, float.Epsilon, 0.1f, 1e-7f)));

    public static readonly Gen<double> Double = Gen.Frequency(
        (3, Gen.Double.Where(double.IsFinite)),
        (1, Gen.Long.Select(l => (double)l)),
        (1, Gen.OneOf(0d, -0d, double.MaxValue, double.MinValue, double.Epsilon, 0.1, 1e-7, 1e21)));

    public static readonly Gen<DateTime> DateTime = Gen.Select(Gen.Long[0, System.DateTime.MaxValue.Ticks], Gen.OneOf(DateTimeKind.Utc, DateTimeKind.Unspecified))
        .Select((ticks, kind) => new DateTime(ticks, kind));

    public static readonly Gen<DateTimeOffset> DateTimeOffset = Gen.Select(Gen.Long[System.TimeSpan.TicksPerDay, System.DateTime.MaxValue.Ticks - System.TimeSpan.TicksPerDay], Gen.Int[-14 * 60, 14 * 60])
        .Select((ticks, minutes) => new DateTimeOffset(ticks, System.TimeSpan.FromMinutes(minutes)));

    public static readonly Gen<TimeSpan> TimeSpan = Gen.Frequency(
        (4, Gen.Long.Select(ticks => new TimeSpan(ticks))),
        (1, Gen.OneOf(System.TimeSpan.Zero, System.TimeSpan.MaxValue, System.TimeSpan.MinValue, System.TimeSpan.FromDays(-1.5))));

    public static readonly Gen<DateOnly> DateOnly = Gen.Frequency(
        (4, Gen.Int[System.DateOnly.MinValue.DayNumber, System.DateOnly.MaxValue.DayNumber].Select(System.DateOnly.FromDayNumber)),
        (1, Gen.OneOf(System.DateOnly.MinValue, System.DateOnly.MaxValue, new DateOnly(2024, 2, 29))));

    public static readonly Gen<TimeOnly> TimeOnly = Gen.Frequency(
        (3, Gen.Long[0, System.TimeOnly.MaxValue.Ticks].Select(ticks => new TimeOnly(ticks))),
        (1, Gen.Int[0, 86_399].Select(seconds => new TimeOnly(seconds * System.TimeSpan.TicksPerSecond))),
        (1, Gen.OneOf(System.TimeOnly.MinValue, System.TimeOnly.MaxValue, new TimeOnly(10, 0))));

    public static readonly Gen<Permissions> Permissions = Gen.Byte.Select(b => (Permissions)b);

    public static readonly Gen<Level> Level = Gen.Frequency((3, Gen.Enum<Level>()), (1, Gen.Short.Select(s => (Level)s)));

    public static readonly Gen<Address> Address = Gen.Select(String, Gen.Int, String.Null()).Select((street, number, note) => new Address(street, number, note));

    public static readonly Gen<Point> Point = Gen.Select(Gen.Int, Gen.Int).Select((x, y) => new Point { X = x, Y = y });

    public static readonly Gen<Primitives> Primitives = Gen.Select(
            Gen.Select(Gen.Bool, Char, Gen.Byte, Gen.SByte, Gen.Short, Gen.UShort, Gen.Int),
            Gen.Select(Gen.UInt, Gen.Long, Gen.ULong, Single, Double, Gen.Decimal, String),
            Gen.Select(Gen.Guid, DateTime, DateTimeOffset, TimeSpan, Gen.Enum<Mood>(), Permissions, Level))
        .Select((a, b, c) => new Primitives(
            a.Item1, a.Item2, a.Item3, a.Item4, a.Item5, a.Item6, a.Item7,
            b.Item1, b.Item2, b.Item3, b.Item4, b.Item5, b.Item6, b.Item7,
            c.Item1, c.Item2, c.Item3, c.Item4, c.Item5, c.Item6, c.Item7));

    public static readonly Gen<Nullables> Nullables = Gen.Select(
            Gen.Select(Gen.Int.Nullable(), String.Null(), Gen.Guid.Nullable(), Gen.Enum<Mood>().Nullable(), DateTimeOffset.Nullable()),
            Gen.Select(TimeSpan.Nullable(), Char.Nullable(), Address.Null(), Gen.Int.Nullable().List[0, 4].Null(), Gen.Byte.Array[0, 9].Null()))
        .Select((a, b) => new Nullables(a.Item1, a.Item2, a.Item3, a.Item4, a.Item5, b.Item1, b.Item2, b.Item3, b.Item4, b.Item5));

    public static readonly Gen<Collections> Collections = Gen.Select(
            Gen.Select(Gen.Int.Array[0, 5], String.List[0, 4], Address.Array[0, 3], Gen.Enum<Mood>().Array[0, 4]),
            Gen.Select(Dictionary(Gen.Int), Dictionary(Address.Null().List[0, 3]), Gen.Int.List[0, 3].List[0, 3], Gen.Byte.Array[0, 7], Point.Array[0, 3]))
        .Select((a, b) => new Collections(a.Item1, a.Item2, a.Item3, ImmutableArray.Create(a.Item4), b.Item1, b.Item2, b.Item3, b.Item4, b.Item5));

    public static readonly Gen<Members> Members = Gen.Select(
            Gen.Select(String, Gen.Int, String, Gen.Long, String.Null()),
            Gen.Select(Gen.Int, Point))
        .Select((a, b) => new Members { Title = a.Item1, Count = a.Item2, Tag = a.Item3, Renamed = a.Item4, Optional = a.Item5, First = b.Item1, Where = b.Item2 });

    public static readonly Gen<Outer.Inner> Inner = Gen.Select(String, Gen.Int).Select((value, age) => new Outer.Inner(value, new Outer.Child { Age = age }));

    public static readonly Gen<Derived> Derived = Gen.Select(String, String, Gen.Long, Gen.Int)
        .Select((source, detail, sequence, extra) => new Derived(source, detail) { Sequence = sequence, Extra = extra });

    public static readonly Gen<Defaults> Defaults = Gen.Select(String, Gen.Int, Gen.Enum<Mood>(), String)
        .Select((name, count, mood, note) => new Defaults(name, count, mood, note));

    public static readonly Gen<Dates> Dates = Gen.Select(DateOnly, TimeOnly, DateOnly.Nullable(), TimeOnly.Nullable(), DateOnly.List[0, 3], Dictionary(TimeOnly))
        .Select((day, time, maybeDay, maybeTime, days, times) => new Dates(day, time, maybeDay, maybeTime, days, times));

    public static readonly Gen<Sparse> Sparse = Gen.Select(String.Null(), Gen.Frequency((1, Gen.Const(0)), (1, Gen.Int)), String.Null(), Gen.Enum<Mood>())
        .Select((maybe, count, odd, mood) => new Sparse { Maybe = maybe, Count = count, Odd = odd, Mood = mood });

    public static readonly Gen<OddNames> OddNames = Gen.Select(Gen.Int, Dictionary(Permissions)).Select((first, second) => new OddNames(first, second));

    public static readonly Gen<GlobalMessage> Global = String.Select(text => new GlobalMessage(text));

    private static Gen<Dictionary<string, T>> Dictionary<T>(Gen<T> values) =>
        Gen.Select(String, values).Array[0, 4].Select(pairs => pairs.DistinctBy(p => p.Item1).ToDictionary(p => p.Item1, p => p.Item2));
}
