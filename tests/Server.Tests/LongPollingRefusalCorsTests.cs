using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// The answers the server writes itself at a typed endpoint's long-polling path (a head refused over a limit, a method
/// the path does not take, a body not received in time) carry the endpoint's CORS fields, as its other answers do, so a
/// page of an admitted origin can read why it was refused; answers at a path no endpoint is mapped at carry none.
/// </summary>
public sealed class LongPollingRefusalCorsTests
{
    private const string Listed = "https://app.example";

    private static TestServer Start(WebSocketServerOptions? options = null, bool credentials = false) =>
        new(options, server => server.Map("/room/{name}", new MessageEndpoint(SwitchboardMessages.Catalog),
            new EndpointOptions { AllowedOrigins = [Listed], AllowCredentials = credentials }));

    private static async Task<RawHttpResponse> SendAsync(TestServer server, string head, string body = "")
    {
        using var raw = await RawClient.ConnectAsync(server);
        await raw.SendAsync(head.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n" + body);
        return await raw.ReadResponseAsync();
    }

    private static void AssertReadableBy(RawHttpResponse response, string origin, bool credentials = false)
    {
        Assert.Equal(origin, response["Access-Control-Allow-Origin"]);
        Assert.Equal("Origin", response["Vary"]);
        Assert.Equal(credentials ? "true" : null, response["Access-Control-Allow-Credentials"]);
    }

    [Fact]
    public async Task A_send_over_MaxRequestBodySize_gets_413_readable_by_the_admitted_origin()
    {
        await using var server = Start(new WebSocketServerOptions { MaxRequestBodySize = 64 }, credentials: true);

        var response = await SendAsync(server,
            $"POST /room/a?session=x&seq=1 HTTP/1.1\nHost: 127.0.0.1\nOrigin: {Listed}\nContent-Type: application/json\nContent-Length: 65\n");

        Assert.Equal(413, response.Status);
        AssertReadableBy(response, Listed, credentials: true);
    }

    [Fact]
    public async Task A_method_the_path_does_not_take_gets_405_with_Allow_readable_by_the_admitted_origin()
    {
        await using var server = Start();

        var response = await SendAsync(server, $"PUT /room/a HTTP/1.1\nHost: 127.0.0.1\nOrigin: {Listed}\nContent-Length: 0\n");

        Assert.Equal(405, response.Status);
        Assert.Equal("GET, HEAD, POST, DELETE, OPTIONS", response["Allow"]);
        AssertReadableBy(response, Listed);
    }

    [Fact]
    public async Task A_body_not_received_in_time_gets_408_readable_by_the_admitted_origin()
    {
        await using var server = Start(new WebSocketServerOptions { RequestBodyTimeout = TimeSpan.FromMilliseconds(200) });

        var response = await SendAsync(server,
            $"POST /room/a?session=x&seq=1 HTTP/1.1\nHost: 127.0.0.1\nOrigin: {Listed}\nContent-Type: application/json\nContent-Length: 10\n", "[{");

        Assert.Equal(408, response.Status);
        AssertReadableBy(response, Listed);
    }

    [Fact]
    public async Task An_open_over_MaxSessions_gets_503_readable_by_the_admitted_origin()
    {
        await using var server = Start(new WebSocketServerOptions { LongPolling = new LongPollingOptions { MaxSessions = 1 } });
        var open = $"POST /room/a?transport=longpolling HTTP/1.1\nHost: 127.0.0.1\nOrigin: {Listed}\nContent-Length: 0\n";
        Assert.Equal(200, (await SendAsync(server, open)).Status);

        var response = await SendAsync(server, open);

        Assert.Equal(503, response.Status);
        AssertReadableBy(response, Listed);
    }

    [Fact]
    public async Task An_origin_the_endpoint_does_not_admit_reads_nothing()
    {
        await using var server = Start(new WebSocketServerOptions { MaxRequestBodySize = 64 });

        var response = await SendAsync(server,
            "POST /room/a?session=x&seq=1 HTTP/1.1\nHost: 127.0.0.1\nOrigin: https://evil.example\nContent-Length: 65\n");

        Assert.Equal(413, response.Status);
        Assert.Null(response["Access-Control-Allow-Origin"]);
        Assert.Equal("Origin", response["Vary"]);
    }

    [Theory]
    [InlineData("POST /nowhere?transport=longpolling HTTP/1.1\nHost: 127.0.0.1\nOrigin: https://app.example\nContent-Length: 65\n", 413)]
    [InlineData("PUT /room HTTP/1.1\nHost: 127.0.0.1\nOrigin: https://app.example\nContent-Length: 0\n", 404)]
    [InlineData("POST /room/a?transport=longpolling HTTP/1.1\nHost: elsewhere.example\nOrigin: https://app.example\nContent-Length: 0\n", 421)]
    public async Task Answers_for_no_endpoint_or_a_host_the_server_does_not_answer_for_carry_no_CORS(string head, int status)
    {
        await using var server = Start(new WebSocketServerOptions { MaxRequestBodySize = 64, AllowedHosts = ["127.0.0.1"] });

        var response = await SendAsync(server, head);

        Assert.Equal(status, response.Status);
        Assert.Null(response["Access-Control-Allow-Origin"]);
        Assert.Null(response["Vary"]);
    }
}
