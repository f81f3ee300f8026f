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
