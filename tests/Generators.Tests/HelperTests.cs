using System.Text.Json;
using CsCheck;
using Switchboard.Generators.Helpers;
using Xunit;

namespace Switchboard.Generators.Tests;

public sealed class HelperTests
{
    [Theory]
    [InlineData("URLValue", "urlValue")]
    [InlineData("ID", "id")]
    [InlineData("IOStream", "ioStream")]
    [InlineData("ABC DEF", "abc DEF")]
    [InlineData("ÉCOLE", "école")]
    [InlineData("_Under", "_Under")]
    [InlineData("", "")]
    public void Camel_case_examples(string name, string expected) => Assert.Equal(expected, JsonNaming.CamelCase(name));

    [Fact]
    public void Camel_case_matches_System_Text_Json_for_any_name() =>
        Gen.Char.Array[0, 10].Select(chars => new string(chars)).Sample(
            name => Assert.Equal(JsonNamingPolicy.CamelCase.ConvertName(name), JsonNaming.CamelCase(name)),
            iter: 5000);

    [Theory]
    [InlineData("chat.send", true)]
    [InlineData("user-joined", true)]
    [InlineData("room.v2.state_changed", true)]
    [InlineData("a", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("Chat.send", false)]
    [InlineData("chat..send", false)]
    [InlineData(".chat", false)]
    [InlineData("chat.", false)]
    [InlineData("9lives", false)]
    [InlineData("chat/send", false)]
    [InlineData("chät", false)]
    public void Wire_name_grammar(string? name, bool valid) => Assert.Equal(valid, WireNames.IsValid(name));

    [Fact]
    public void Wire_names_are_at_most_128_characters()
    {
        Assert.True(WireNames.IsValid(new string('a', 128)));
        Assert.False(WireNames.IsValid(new string('a', 129)));
    }

    [Theory]
    [InlineData("Chat", "Chat")]
    [InlineData("My-App.Core", "My_App.Core")]
    [InlineData("1st.class", "_1st.@class")]
    [InlineData(null, "Assembly")]
    public void Catalog_namespace_from_assembly_name(string? assembly, string expected) =>
        Assert.Equal(expected, MessageGenerator.Parser.NamespaceOf(assembly));
}
