using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// 404 against 405 with static files served at <c>/</c>: a path no route claims gets 404 whatever the method, even
/// though the static files' catch-all takes every path for GET; 405 (with Allow) stays for a path a route is mapped at.
/// </summary>
public sealed class UnroutedPathTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("switchboard-unrouted-");

    public void Dispose() => _root.Delete(recursive: true);

    private TestServer Start()
    {
        File.WriteAllText(Path.Combine(_root.FullName, "index.html"), "<p>hi</p>");
        return new(null, server => server
            .Map("/room/{name}", new MessageEndpoint(SwitchboardMessages.Catalog))
            .MapGet("/api/rooms", (_, response) =>
            {
                response.WriteText("[]");
                return ValueTask.CompletedTask;
            })
            .MapStaticFiles("/", _root.FullName));
    }

    private static async Task<RawHttpResponse> SendAsync(TestServer server, string method, string target)
    {
        using var raw = await RawClient.ConnectAsync(server);
        await raw.SendAsync($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
        return await raw.ReadResponseAsync();
    }

    [Theory]
    [InlineData("POST", "/nowhere?transport=longpolling")]
    [InlineData("POST", "/room?transport=longpolling")]
    [InlineData("DELETE", "/nowhere/at/all")]
    [InlineData("PUT", "/index.htm")]
    [InlineData("GET", "/nowhere")]
    public async Task A_path_no_route_claims_gets_404_for_every_method(string method, string target)
    {
        await using var server = Start();

        var response = await SendAsync(server, method, target);

        Assert.Equal(404, response.Status);
        Assert.Null(response["Allow"]);
    }

    [Theory]
    [InlineData("PUT", "/room/a", "GET, HEAD, POST, DELETE, OPTIONS")]
    [InlineData("POST", "/api/rooms", "GET, HEAD")]
    public async Task A_mapped_path_with_another_method_gets_405_with_Allow(string method, string target, string allow)
    {
        await using var server = Start();

        var response = await SendAsync(server, method, target);

        Assert.Equal(405, response.Status);
        Assert.Equal(allow, response["Allow"]);
    }

    [Fact]
    public async Task The_static_files_still_answer_GET()
    {
        await using var server = Start();

        var response = await SendAsync(server, "GET", "/");

        Assert.Equal(200, response.Status);
        Assert.Equal("<p>hi</p>", response.Text);
    }
}
