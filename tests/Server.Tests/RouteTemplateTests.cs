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

    [Theory]
    [InlineData("ws")]
    [InlineData("/{}")]
    [InlineData("/{a}/{a}")]
    [InlineData("/{*rest}/more")]
    [InlineData("/x{y}")]
    public void Rejects_invalid_templates(string template)
        => Assert.Throws<ArgumentException>(() => RouteTemplate.Parse(template));
}
