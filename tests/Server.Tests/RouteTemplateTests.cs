using Switchboard.Server.Routing;
using Xunit;

namespace Switchboard.Server.Tests;

public class RouteTemplateTests
{
    [Theory]
    [InlineData("/", "/", true)]
    [InlineData("/", "/x", false)]
    [InlineData("/echo", "/echo", true)]
    [InlineData("/echo", "/Echo", false)]
    [InlineData("/echo", "/echo/", false)]
    [InlineData("/ws/{username}", "/ws/alice", true)]
    [InlineData("/ws/{username}", "/ws/", false)]
    [InlineData("/ws/{username}", "/ws", false)]
    [InlineData("/ws/{username}", "/ws/alice/extra", false)]
    [InlineData("/{*path}", "/", true)]
    [InlineData("/{*path}", "/a/b/c", true)]
    [InlineData("/files/{*path}", "/files", false)]
    [InlineData("/files/{*path}", "/files/", true)]
    public void Matches_paths(string template, string path, bool expected)
        => Assert.Equal(expected, RouteTemplate.Parse(template).TryMatch(path, out _));

    [Fact]
    public void Captures_and_percent_decodes_parameters()
    {
        Assert.True(RouteTemplate.Parse("/ws/{username}/{room}").TryMatch("/ws/J%C3%BCrgen/main%20hall", out var values));
        Assert.Equal("Jürgen", values["username"]);
        Assert.Equal("main hall", values["room"]);
    }

    [Fact]
    public void Catch_all_captures_the_rest()
    {
        Assert.True(RouteTemplate.Parse("/static/{*file}").TryMatch("/static/css/site.css", out var values));
        Assert.Equal("css/site.css", values["file"]);
    }

    [Fact]
    public void Values_read_as_a_dictionary_in_template_order()
    {
        Assert.True(RouteTemplate.Parse("/ws/{room}/{user}/{*rest}").TryMatch("/ws/main/alice/a/b", out var values));
        Assert.Equal(3, values.Count);
        Assert.Equal(["room", "user", "rest"], values.Keys);
        Assert.Equal(["main", "alice", "a/b"], values.Values);
        Assert.Equal([new("room", "main"), new("user", "alice"), new KeyValuePair<string, string>("rest", "a/b")], values);
        Assert.True(values.ContainsKey("user"));
        Assert.False(values.ContainsKey("User")); // names compare ordinally
        Assert.False(values.TryGetValue("nope", out var missing));
        Assert.Null(missing);
        Assert.Throws<KeyNotFoundException>(() => values["nope"]);
    }

    [Theory]
    [InlineData("/echo", "/echo")]
    [InlineData("/ws/{user}", "/ws/")]
    public void A_template_without_values_or_a_miss_has_none(string template, string path)
    {
        RouteTemplate.Parse(template).TryMatch(path, out var values);
        Assert.Empty(values);
        Assert.False(values.ContainsKey("user"));
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("/{}")]
    [InlineData("/{a}/{a}")]
    [InlineData("/{*rest}/more")]
    [InlineData("/x{y}")]
    public void Rejects_invalid_templates(string template)
        => Assert.Throws<ArgumentException>(() => RouteTemplate.Parse(template));
}
