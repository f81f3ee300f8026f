using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// CORS on a typed endpoint's long-polling path (docs/deployment.md, "Long polling from another origin"): preflights
/// from origins the endpoint's origin rule admits get 204 with what the browser needs, others 403; actual answers name
/// the exact origin, never <c>*</c>, and carry credentials only when allowed and only for an origin listed by name.
/// </summary>
public sealed class LongPollingCorsTests
{
    private const string Listed = "https://app.example";

    private static TestServer Start(EndpointOptions options) =>
        new(null, server => server.Map("/room/{name}", new MessageEndpoint(SwitchboardMessages.Catalog), options));

    private static async Task<RawHttpResponse> SendAsync(TestServer server, string method, string target, string fields)
    {
        using var raw = await RawClient.ConnectAsync(server);
        await raw.SendAsync($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{fields}Content-Length: 0\r\n\r\n");
        return await raw.ReadResponseAsync();
    }

    private static Task<RawHttpResponse> PreflightAsync(TestServer server, string origin, string method, string headers = "content-type") =>
        SendAsync(server, "OPTIONS", "/room/a?session=x&seq=1",
            $"Origin: {origin}\r\nAccess-Control-Request-Method: {method}\r\nAccess-Control-Request-Headers: {headers}\r\n");

    [Fact]
    public async Task Preflight_from_an_admitted_origin_gets_204_with_the_origin_methods_headers_and_max_age()
    {
        await using var server = Start(new EndpointOptions { AllowedOrigins = [Listed] });

        var response = await PreflightAsync(server, Listed, "POST");

        Assert.Equal(204, response.Status);
        Assert.Equal(Listed, response["Access-Control-Allow-Origin"]);
        Assert.Equal("GET, POST, DELETE", response["Access-Control-Allow-Methods"]);
        Assert.Equal("content-type", response["Access-Control-Allow-Headers"]);
        Assert.Equal("600", response["Access-Control-Max-Age"]);
        Assert.Contains("Origin", response["Vary"], StringComparison.Ordinal);
        Assert.Null(response["Access-Control-Allow-Credentials"]);
    }

    [Theory]
    [InlineData("https://evil.example", "POST", "origin not allowed")]
    [InlineData(Listed, "PUT", "method 'PUT' is not used by long polling")]
    public async Task Other_preflights_get_403_with_the_reason(string origin, string method, string reason)
    {
        await using var server = Start(new EndpointOptions { AllowedOrigins = [Listed] });

        var response = await PreflightAsync(server, origin, method);

        Assert.Equal(403, response.Status);
        Assert.Contains(reason, response.Text, StringComparison.Ordinal);
        Assert.Null(response["Access-Control-Allow-Origin"]);
    }

    [Fact]
    public async Task Preflight_from_the_servers_own_origin_or_without_a_listed_origin_follows_the_origin_rule()
    {
        await using var server = Start(new EndpointOptions());
        Assert.Equal(403, (await PreflightAsync(server, Listed, "POST")).Status);
        var own = await PreflightAsync(server, "http://127.0.0.1", "DELETE");
        Assert.Equal(204, own.Status);
        Assert.Equal("http://127.0.0.1", own["Access-Control-Allow-Origin"]);

        // An OPTIONS that is not a preflight is told what the path allows.
        var plain = await SendAsync(server, "OPTIONS", "/room/a", "");
        Assert.Equal(204, plain.Status);
        Assert.Equal("GET, POST, DELETE, OPTIONS", plain["Allow"]);
    }

    [Fact]
    public async Task Answers_name_the_exact_origin_and_vary_on_it()
    {
        await using var server = Start(new EndpointOptions { AllowedOrigins = [Listed] });

        var open = await SendAsync(server, "POST", "/room/a?transport=longpolling", $"Origin: {Listed}\r\n");
        Assert.Equal(200, open.Status);
        Assert.Equal(Listed, open["Access-Control-Allow-Origin"]);
        Assert.Equal("Origin", open["Vary"]);
        Assert.Null(open["Access-Control-Allow-Credentials"]);

        // A request of another origin is answered without the field, so its page cannot read the answer.
        var other = await SendAsync(server, "GET", "/room/a?session=nope&ack=0", "Origin: https://evil.example\r\n");
        Assert.Null(other["Access-Control-Allow-Origin"]);
        Assert.Equal("Origin", other["Vary"]);
    }

    [Fact]
    public async Task Credentials_are_allowed_only_when_asked_for_and_never_through_a_wildcard()
    {
        await using var listed = Start(new EndpointOptions { AllowedOrigins = [Listed], AllowCredentials = true });
        var open = await SendAsync(listed, "POST", "/room/a?transport=longpolling", $"Origin: {Listed}\r\n");
        Assert.Equal("true", open["Access-Control-Allow-Credentials"]);
        Assert.Equal("true", (await PreflightAsync(listed, Listed, "POST"))["Access-Control-Allow-Credentials"]);

        await using var any = Start(new EndpointOptions { AllowedOrigins = ["*"], AllowCredentials = true });
        var wild = await SendAsync(any, "POST", "/room/a?transport=longpolling", "Origin: https://anyone.example\r\n");
        Assert.Equal(200, wild.Status);
        Assert.Equal("https://anyone.example", wild["Access-Control-Allow-Origin"]);
        Assert.Null(wild["Access-Control-Allow-Credentials"]);
    }
}
