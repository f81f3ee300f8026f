using CsCheck;
using Xunit;

namespace Switchboard.Messaging.Tests;

/// <summary>
/// For generated values, our bytes equal System.Text.Json's (camelCase, string enums, default encoder),
/// and reading System.Text.Json's bytes gives back an equal object.
/// </summary>
public sealed class StjParityTests
{
    private const int Iterations = 300;

    [Fact]
    public void Primitives_match_System_Text_Json() => AssertParity(Generators.Primitives, recordEquality: true);

    [Fact]
    public void Nullables_match_System_Text_Json() => AssertParity(Generators.Nullables, recordEquality: false);

    [Fact]
    public void Collections_match_System_Text_Json() => AssertParity(Generators.Collections, recordEquality: false);

    [Fact]
    public void Class_members_match_System_Text_Json() => AssertParity(Generators.Members, recordEquality: false);

    [Fact]
    public void Message_nested_in_a_class_matches_System_Text_Json() => AssertParity(Generators.Inner, recordEquality: false);

    [Fact]
    public void Derived_record_matches_System_Text_Json() => AssertParity(Generators.Derived, recordEquality: true);

    [Fact]
    public void Defaults_match_System_Text_Json() => AssertParity(Generators.Defaults, recordEquality: true);

    [Fact]
    public void Global_namespace_message_matches_System_Text_Json() => AssertParity(Generators.Global, recordEquality: true);

    [Fact]
    public void Properties_left_out_and_escaped_names_match_System_Text_Json() => AssertParity(Generators.Sparse, recordEquality: false);

    [Fact]
    public void Escaped_first_name_and_flags_keys_match_System_Text_Json() => AssertParity(Generators.OddNames, recordEquality: false);

    [Fact]
    public void Dates_and_times_match_System_Text_Json() => AssertParity(Generators.Dates, recordEquality: false);

    [Theory]
    [InlineData("2026-01-02", "10:00:00")]
    [InlineData("0001-01-01", "00:00")]
    [InlineData("9999-12-31", "23:59:59.9999999")]
    [InlineData("\\u0032026-01-02", "1\\u0030:00")]
    [InlineData("2026-1-2", "10:00")]
    [InlineData("2026-01-02T00:00:00", "10:00")]
    [InlineData(" 2026-01-02", "10:00")]
    [InlineData("2026-01-02 ", "10:00")]
    [InlineData("20260102", "10:00")]
    [InlineData("2026-02-30", "10:00")]
    [InlineData("+2026-01-02", "10:00")]
    [InlineData("2026-01-02", "1:02:03")]
    [InlineData("2026-01-02", "10:2:03")]
    [InlineData("2026-01-02", "10:02:03.1234567")]
    [InlineData("2026-01-02", "10:02:03.5")]
    [InlineData("2026-01-02", "10:02:03.12345678")]
    [InlineData("2026-01-02", "24:00:00")]
    [InlineData("2026-01-02", "23:60:00")]
    [InlineData("2026-01-02", "-10:02:03")]
    [InlineData("2026-01-02", "1.10:02:03")]
    [InlineData("2026-01-02", "0.10:02:03")]
    [InlineData("2026-01-02", "10:02:03Z")]
    [InlineData("2026-01-02", " 10:02:03")]
    [InlineData("2026-01-02", "10")]
    [InlineData("2026-01-02", "10:")]
    [InlineData("2026-01-02", "10:02:")]
    [InlineData("2026-01-02", "10:02:03.")]
    [InlineData("2026-01-02", "10.5")]
    [InlineData("2026-01-02", "1:2")]
    [InlineData("2026-01-02", "")]
    public void Dates_and_times_are_read_like_System_Text_Json(string day, string time)
    {
        string json = $$$"""{"day":"{{{day}}}","time":"{{{time}}}","maybeDay":null,"maybeTime":null,"days":[],"times":{}}""";
        Dates? expected;
        try
        {
            expected = System.Text.Json.JsonSerializer.Deserialize<Dates>(json, Json.Stj);
        }
        catch (System.Text.Json.JsonException)
        {
            expected = null;
        }

        if (expected is null)
        {
            var error = Assert.Throws<MessageFormatException>(() => Json.Read<Dates>(json));
            Assert.Equal("test.dates", error.MessageType);
            Assert.Contains(error.Path, new[] { "data.day", "data.time" });
        }
        else
        {
            var actual = Json.Read<Dates>(json);
            Assert.Equal((expected.Day, expected.Time), (actual.Day, actual.Time));
        }
    }

    [Fact]
    public void Empty_record_matches_System_Text_Json()
    {
        Assert.Equal("{}", Json.Text(Json.Write(new Empty())));
        Assert.Equal(new Empty(), Json.Read<Empty>("{\"ignored\":[1,{\"a\":null}]}"));
    }

    private static void AssertParity<T>(Gen<T> gen, bool recordEquality)
        where T : IMessage<T>
    {
        gen.Sample(
            value =>
            {
                byte[] expected = Json.StjWrite(value);
                Assert.Equal(Json.Text(expected), Json.Text(Json.Write(value)));

                var read = Json.Read<T>(expected);
                if (recordEquality)
                {
                    Assert.Equal(value, read);
                }

                // Structural: the object read back serializes exactly like the original.
                Assert.Equal(Json.Text(expected), Json.Text(Json.StjWrite(read)));
            },
            iter: Iterations,
            print: value => Json.Text(Json.StjWrite(value)));
    }
}
