using System.Text;
using System.Text.Json;
using Xunit;

namespace Switchboard.Messaging.Tests;

/// <summary>Malformed and hostile data fails with a <see cref="MessageFormatException"/> naming the message and the path.</summary>
public sealed class HostileJsonTests
{
    private const string ValidAddress = """{"street":"Main","number":1,"note":null}""";

    [Theory]
    [InlineData("""{"street":"Main"}""", "data.number", "required property is missing")]
    [InlineData("""{"number":1}""", "data.street", "required property is missing")]
    [InlineData("""{"street":null,"number":1}""", "data.street", "null is not allowed here")]
    [InlineData("""{"street":"Main","number":null}""", "data.number", "null is not allowed here")]
    [InlineData("""{"street":"Main","number":"1"}""", "data.number", "expected a number, found a string")]
    [InlineData("""{"street":1,"number":1}""", "data.street", "expected a string, found a number")]
    [InlineData("""{"street":"Main","number":1.5}""", "data.number", "expected a 32-bit signed integer; the number is out of range")]
    [InlineData("""{"street":"Main","number":2147483648}""", "data.number", "expected a 32-bit signed integer; the number is out of range")]
    [InlineData("""{"street":"Main","number":1e400}""", "data.number", "expected a 32-bit signed integer; the number is out of range")]
    [InlineData("""{"street":"a","street":"b","number":1}""", "data.street", "property appears more than once")]
    [InlineData("""[]""", "data", "expected an object, found an array")]
    [InlineData("""null""", "data", "null is not allowed here")]
    public void Wrong_values_name_the_property(string json, string path, string reason)
    {
        var error = Assert.Throws<MessageFormatException>(() => Json.Read<Primitive>(json));
        Assert.Equal("test.address", error.MessageType);
        Assert.Equal(path, error.Path);
        Assert.Equal(reason, error.Reason);
        Assert.Equal($"Invalid 'test.address' message at '{path}': {reason}", error.Message);
    }

    [Theory]
    [InlineData("""{"id":1,"owner":{"name":"o"}}""", "data.display_name")]
    [InlineData("""{"id":1,"display_name":"d"}""", "data.owner")]
    [InlineData("""{"id":1,"display_name":"d","owner":{}}""", "data.owner.name")]
    [InlineData("""{"display_name":"d","owner":{"name":"o"}}""", "data.id")]
    public void Missing_required_members_name_the_message_and_the_path(string json, string path)
    {
        var error = Assert.Throws<MessageFormatException>(() => Json.Read<RequiredMembers>(json));
        Assert.Equal("test.required", error.MessageType);
        Assert.Equal(path, error.Path);
        Assert.Equal("required property is missing", error.Reason);

        var read = Json.Read<RequiredMembers>("""{"id":1,"display_name":"d","owner":{"name":"o"}}""");
        Assert.Equal(("d", "o"), (read.DisplayName, read.Owner.Name));
    }

    [Fact]
    public void A_missing_required_member_of_a_class_names_the_message_and_the_path()
    {
        var error = Assert.Throws<MessageFormatException>(() => Json.Read<Members>("""{"count":1,"tag":"t"}"""));
        Assert.Equal("test.members", error.MessageType);
        Assert.Equal("data.title", error.Path);
        Assert.Equal("Invalid 'test.members' message at 'data.title': required property is missing", error.Message);
    }

    [Fact]
    public void Paths_go_through_arrays_dictionaries_and_nested_objects()
    {
        string json = """
            {"numbers":[],"names":[],"addresses":[{"street":"a","number":1},{"street":"b","number":2},{"street":"c"}],
             "moods":[],"counts":{},"nested":{},"matrix":[],"blob":"","points":[]}
            """;
        var error = Assert.Throws<MessageFormatException>(() => Json.Read<Collections>(json));
        Assert.Equal("test.collections", error.MessageType);
        Assert.Equal("data.addresses[2].number", error.Path);

        json = """{"numbers":[],"names":[],"addresses":[],"moods":[],"counts":{},"nested":{"the key":[{"street":"a","number":true}]},"matrix":[],"blob":"","points":[]}""";
        error = Assert.Throws<MessageFormatException>(() => Json.Read<Collections>(json));
        Assert.Equal("data.nested['the key'][0].number", error.Path);
        Assert.Equal("expected a number, found a boolean", error.Reason);

        json = """{"numbers":[],"names":[],"addresses":[],"moods":[],"counts":{"a":1,"a":2},"nested":{},"matrix":[],"blob":"","points":[]}""";
        error = Assert.Throws<MessageFormatException>(() => Json.Read<Collections>(json));
        Assert.Equal("data.counts.a", error.Path);
        Assert.Equal("key appears more than once", error.Reason);

        json = """{"numbers":[],"names":[],"addresses":[],"moods":["Calm","Angry"],"counts":{},"nested":{},"matrix":[],"blob":"","points":[]}""";
        error = Assert.Throws<MessageFormatException>(() => Json.Read<Collections>(json));
        Assert.Equal("data.moods[1]", error.Path);
        Assert.Equal("'Angry' is not a member of Switchboard.Messaging.Tests.Mood", error.Reason);
    }

    [Fact]
    public void Every_truncation_of_a_valid_message_fails_with_the_documented_exception()
    {
        byte[] json = Json.Write(new Collections(
            [1, 2], ["x"], [new Address("s", 1, null)], [Mood.Happy], new() { ["k"] = 1 }, new() { ["n"] = [null] }, [[1]], [1, 2], [new Point { X = 1 }]));
        for (int length = 0; length < json.Length; length++)
        {
            var error = Assert.Throws<MessageFormatException>(() => Json.Read<Collections>(json[..length]));
            Assert.Equal("test.collections", error.MessageType);
            Assert.StartsWith("data", error.Path, StringComparison.Ordinal);
        }

        Assert.NotNull(Json.Read<Collections>(json));
    }

    [Theory]
    [InlineData("""{"street":"Main","number":1,}""")]
    [InlineData("""{"street":"Main" "number":1}""")]
    [InlineData("""{"street":'Main',"number":1}""")]
    [InlineData("""{"street":"Main","number":01}""")]
    [InlineData("""{street:"Main","number":1}""")]
    public void Malformed_json_is_wrapped(string json)
    {
        var error = Assert.Throws<MessageFormatException>(() => Json.Read<Primitive>(json));
        Assert.Equal("test.address", error.MessageType);
        Assert.StartsWith("malformed JSON: ", error.Reason, StringComparison.Ordinal);
        Assert.IsAssignableFrom<JsonException>(error.InnerException);
    }

    [Fact]
    public void Nesting_deeper_than_the_reader_allows_fails()
    {
        string deep = new string('[', 200) + new string(']', 200);
        string json = "{\"street\":\"Main\",\"number\":1,\"extra\":" + deep + "}";
        var error = Assert.Throws<MessageFormatException>(() => Json.Read<Primitive>(json));
        Assert.Equal("data", error.Path);
        Assert.Contains("depth", error.Reason, StringComparison.OrdinalIgnoreCase);

        // The same depth within the limit is skipped as an unknown property.
        string shallow = "{\"street\":\"Main\",\"number\":1,\"extra\":" + new string('[', 60) + new string(']', 60) + "}";
        Assert.Equal(1, Json.Read<Primitive>(shallow).Number);
    }

    [Fact]
    public void Huge_numbers_and_strings_are_range_checked()
    {
        string digits = new string('9', 10_000);
        var error = Assert.Throws<MessageFormatException>(() => Json.Read<Primitive>("{\"street\":\"Main\",\"number\":" + digits + "}"));
        Assert.Equal("data.number", error.Path);

        error = Assert.Throws<MessageFormatException>(() => Json.Read<Primitives>(Encoding.UTF8.GetString(Json.StjWrite(SamplePrimitives())).Replace("\"byte\":7", "\"byte\":256", StringComparison.Ordinal)));
        Assert.Equal("data.byte", error.Path);

        error = Assert.Throws<MessageFormatException>(() => Json.Read<Primitives>(Encoding.UTF8.GetString(Json.StjWrite(SamplePrimitives())).Replace("\"double\":1.5", "\"double\":1e999", StringComparison.Ordinal)));
        Assert.Equal("data.double", error.Path);
    }

    [Theory]
    [InlineData("\"letter\":\"x\"", "\"letter\":\"xy\"", "data.letter")]
    [InlineData("\"letter\":\"x\"", "\"letter\":\"\"", "data.letter")]
    [InlineData("\"id\":\"00000000-0000-0000-0000-000000000001\"", "\"id\":\"not-a-guid\"", "data.id")]
    [InlineData("\"duration\":\"01:02:03\"", "\"duration\":\" 01:02:03\"", "data.duration")]
    [InlineData("\"duration\":\"01:02:03\"", "\"duration\":\"1 day\"", "data.duration")]
    [InlineData("\"at\":\"2026-11-24T10:00:00Z\"", "\"at\":\"yesterday\"", "data.at")]
    [InlineData("\"mood\":\"Happy\"", "\"mood\":\"Angry\"", "data.mood")]
    [InlineData("\"mood\":\"Happy\"", "\"mood\":1.5", "data.mood")]
    [InlineData("\"mood\":\"Happy\"", "\"mood\":null", "data.mood")]
    [InlineData("\"permissions\":\"Read, Write\"", "\"permissions\":\"Read, Delete\"", "data.permissions")]
    [InlineData("\"permissions\":\"Read, Write\"", "\"permissions\":300", "data.permissions")]
    [InlineData("\"flag\":true", "\"flag\":1", "data.flag")]
    public void Wrong_primitive_values_name_the_property(string valid, string invalid, string path)
    {
        string json = Encoding.UTF8.GetString(Json.StjWrite(SamplePrimitives()));
        Assert.Contains(valid, json, StringComparison.Ordinal);
        var error = Assert.Throws<MessageFormatException>(() => Json.Read<Primitives>(json.Replace(valid, invalid, StringComparison.Ordinal)));
        Assert.Equal("test.primitives", error.MessageType);
        Assert.Equal(path, error.Path);
    }

    [Fact]
    public void Enums_read_like_JsonStringEnumConverter()
    {
        string json = Encoding.UTF8.GetString(Json.StjWrite(SamplePrimitives()));
        Assert.Equal(Mood.SoSo, Json.Read<Primitives>(json.Replace("\"mood\":\"Happy\"", "\"mood\":\"so-so\"", StringComparison.Ordinal)).Mood);
        Assert.Equal(Mood.Happy, Json.Read<Primitives>(json.Replace("\"mood\":\"Happy\"", "\"mood\":\"happy\"", StringComparison.Ordinal)).Mood);
        Assert.Equal(Mood.SoSo, Json.Read<Primitives>(json.Replace("\"mood\":\"Happy\"", "\"mood\":2", StringComparison.Ordinal)).Mood);

        // As with allowIntegerValues, any number in range is accepted, defined or not.
        Assert.Equal((Mood)7, Json.Read<Primitives>(json.Replace("\"mood\":\"Happy\"", "\"mood\":7", StringComparison.Ordinal)).Mood);
        Assert.Equal(Permissions.Read | Permissions.Admin, Json.Read<Primitives>(json.Replace("\"permissions\":\"Read, Write\"", "\"permissions\":\" read ,Admin\"", StringComparison.Ordinal)).Permissions);
        Assert.Equal((Level)(-300), Json.Read<Primitives>(json.Replace("\"level\":\"High\"", "\"level\":-300", StringComparison.Ordinal)).Level);
    }

    [Fact]
    public void Unknown_properties_are_skipped_and_optional_ones_keep_their_initial_values()
    {
        var members = Json.Read<Members>("""{"unknown":{"deep":[1,2,{"x":null}]},"title":"t","computed":"ignored"}""");
        Assert.Equal("t", members.Title);
        Assert.Equal(7, members.Count);
        Assert.Equal("none", members.Tag);
        Assert.Equal("ignored", members.Ignored);

        var defaults = Json.Read<Defaults>("""{"name":"n"}""");
        Assert.Equal(new Defaults("n"), defaults);
    }

    private static Primitives SamplePrimitives() => new(
        true, 'x', 7, -7, 300, 600, 70000, 70000, 1L << 40, 1UL << 63, 0.5f, 1.5, 2.25m, "text",
        new Guid("00000000-0000-0000-0000-000000000001"), new DateTime(2026, 11, 24, 10, 0, 0, DateTimeKind.Utc),
        new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.FromHours(1)), new TimeSpan(1, 2, 3), Mood.Happy,
        Permissions.Read | Permissions.Write, Level.High);
}
