using System.Globalization;
using System.Text.RegularExpressions;
using Switchboard.Serialization;
using Switchboard.Server.Contract;

namespace Switchboard.Contract.Tests;

/// <summary>The shape rules both the AsyncAPI schemas and the TypeScript validators use accept what the serializers write.</summary>
public sealed class JsonShapeRulesTests
{
    public static TheoryData<string> TimeSpans() =>
    [
        TimeSpan.Zero.ToString("c", CultureInfo.InvariantCulture),
        TimeSpan.MaxValue.ToString("c", CultureInfo.InvariantCulture),
        TimeSpan.MinValue.ToString("c", CultureInfo.InvariantCulture),
        new TimeSpan(1, 2, 3, 4, 5).ToString("c", CultureInfo.InvariantCulture),
        TimeSpan.FromTicks(-1).ToString("c", CultureInfo.InvariantCulture),
    ];

    [Theory]
    [MemberData(nameof(TimeSpans))]
    public void Time_span_pattern_accepts_the_constant_format(string text) =>
        Assert.Matches(JsonShapeRules.TimeSpanPattern, text);

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("23:59:59.9999999")]
    [InlineData("07:30")]
    public void Time_pattern_accepts_a_time_of_day(string text) =>
        Assert.Matches(JsonShapeRules.TimeOnlyPattern, text);

    [Theory]
    [InlineData("1.00:00:00")]
    [InlineData("noon")]
    [InlineData("12:00:00.12345678")]
    public void Time_pattern_refuses_what_is_not_a_time_of_day(string text) =>
        Assert.DoesNotMatch(new Regex(JsonShapeRules.TimeOnlyPattern), text);

    [Fact]
    public void Time_pattern_accepts_what_the_serializer_writes_for_a_time()
    {
        var time = new TimeOnly(23, 59, 59).Add(TimeSpan.FromTicks(9_999_999));
        Assert.Matches(JsonShapeRules.TimeOnlyPattern, time.ToTimeSpan().ToString("c", CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(ShapeKind.Byte, byte.MinValue, byte.MaxValue)]
    [InlineData(ShapeKind.SByte, sbyte.MinValue, sbyte.MaxValue)]
    [InlineData(ShapeKind.Int16, short.MinValue, short.MaxValue)]
    [InlineData(ShapeKind.UInt16, ushort.MinValue, ushort.MaxValue)]
    [InlineData(ShapeKind.Int32, int.MinValue, int.MaxValue)]
    [InlineData(ShapeKind.UInt32, uint.MinValue, uint.MaxValue)]
    public void Integer_range_is_the_clr_type_range(ShapeKind kind, long minimum, long maximum) =>
        Assert.Equal((minimum, maximum), JsonShapeRules.IntegerRange(kind));

    [Fact]
    public void Integer_range_of_a_64_bit_integer_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => JsonShapeRules.IntegerRange(ShapeKind.Int64));
        Assert.Equal("kind", error.ParamName);
    }
}
