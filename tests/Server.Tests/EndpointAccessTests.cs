using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Switchboard.Client;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// Per-endpoint admission (docs/security.md, "Who may connect"): the origin rule (403) and the authentication hook
/// (401) judge the opening request of both transports alike, before any 101 and before the connected hook.
/// </summary>
public sealed class EndpointAccessTests : IAsyncLifetime
{
    private const string Listed = "https://app.example";

    private readonly MessageEndpoint _typed = new(SwitchboardMessages.Catalog);
    private readonly ConcurrentQueue<(string? User, string? Role)> _connected = new();
    private readonly RecordingEchoHandler _raw = new();
    private readonly RecordingEchoHandler _rawAuthenticated = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private TestServer _server = null!;

    public Task InitializeAsync()
    {
        _typed.OnConnected(context =>
        {
            _connected.Enqueue((context.User, context.Principal?.FindFirst(ClaimTypes.Role)?.Value));
            return context.SendAsync(new Note(context.User ?? "", 1));
        });
        _server = new TestServer(null, server => server
            .Map("/typed/{room}", _typed, new EndpointOptions { AllowedOrigins = [Listed], Authenticate = AuthenticateAsync })
            .Map("/raw", _raw)
            .Map("/raw-auth", _rawAuthenticated, new EndpointOptions { Authenticate = AuthenticateAsync })
            .Map("/any", new RecordingEchoHandler(), new EndpointOptions { AllowedOrigins = ["*"] })
            .Map("/throws", new RecordingEchoHandler(), new EndpointOptions { Authenticate = _ => throw new InvalidOperationException("on purpose") }));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private string OwnOrigin => $"http://127.0.0.1:{_server.Server.LocalEndPoint.Port}";

    /// <summary>A bearer token, a <c>token</c> query parameter or a <c>sid</c> cookie, each "good-NAME".</summary>
    private static async ValueTask<AuthenticationResult> AuthenticateAsync(ConnectRequest request)
    {
        await Task.Yield();
        var credential = request.GetHeader("Authorization") is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..]
            : request.GetQueryValue("token") ?? request.GetCookie("sid");
        if (credential is null) return AuthenticationResult.Fail("credentials required");
        if (!credential.StartsWith("good-", StringComparison.Ordinal)) return AuthenticationResult.Fail("invalid credentials");
        var user = credential[5..];
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, user), new Claim(ClaimTypes.Role, "room:" + request.RouteValues.GetValueOrDefault("room"))], "test"));
        return AuthenticationResult.Success(user, principal);
    }

    // --- origins ---

    [Theory]
    [InlineData(null, 101)]
    [InlineData("own", 101)]
    [InlineData("http://evil.example", 403)]
    [InlineData("http://127.0.0.1:1", 403)] // same host, another port
    [InlineData("https://127.0.0.1:PORT", 403)] // same host and port, another scheme
    [InlineData("null", 403)] // a sandboxed frame or a file: page
    [InlineData("not an origin", 403)]
    public async Task Default_origin_rule_allows_no_origin_and_the_servers_own_only(string? origin, int expected)
    {
        Assert.Equal(expected, await UpgradeStatusAsync("/raw", OriginHeader(origin)));
        if (expected == 403) Assert.False(_raw.Connected.Task.IsCompleted);
    }

    [Theory]
    [InlineData(Listed, 101)]
    [InlineData("HTTPS://APP.EXAMPLE:443", 101)] // origins compare case-insensitively, with the default port explicit
    [InlineData("own", 101)] // the server's own origin needs no listing
    [InlineData(null, 101)]
    [InlineData("http://app.example", 403)]
    [InlineData("https://app.example:8443", 403)]
    [InlineData("https://evil.app.example", 403)]
    public async Task Listed_origins_are_allowed_and_others_refused_with_403(string? origin, int expected)
    {
        Assert.Equal(expected, await UpgradeStatusAsync("/typed/r", OriginHeader(origin) + "Authorization: Bearer good-ann\r\n"));
        if (expected == 403) Assert.Empty(_connected);
    }

    [Fact]
    public async Task Star_allows_any_origin()
    {
        Assert.Equal(101, await UpgradeStatusAsync("/any", "Origin: http://evil.example\r\n"));
        Assert.Equal(101, await UpgradeStatusAsync("/any", "Origin: null\r\n"));
    }

    [Fact]
    public async Task ClientWebSocket_from_a_foreign_origin_gets_403_and_from_a_listed_one_connects()
    {
        using var refused = new ClientWebSocket();
        refused.Options.CollectHttpResponseDetails = true;
        refused.Options.SetRequestHeader("Origin", "http://evil.example");
        refused.Options.SetRequestHeader("Authorization", "Bearer good-ann");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(_server.Uri("/typed/r"), timeout.Token));
        Assert.Equal(HttpStatusCode.Forbidden, refused.HttpStatusCode);
        Assert.Empty(_connected);

        using var allowed = await _server.ConnectAsync("/typed/r", o =>
        {
            o.SetRequestHeader("Origin", Listed);
            o.SetRequestHeader("Authorization", "Bearer good-ann");
        });
        Assert.Equal("ann", (await ReceiveNoteAsync(allowed)).From);

        using var sameOrigin = await _server.ConnectAsync("/raw", o => o.SetRequestHeader("Origin", OwnOrigin));
        using var noOrigin = await _server.ConnectAsync("/raw");
        await _server.WaitForConnectionCountAsync(3);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.OK)]
    [InlineData(Listed, HttpStatusCode.OK)]
    [InlineData("own", HttpStatusCode.OK)]
    [InlineData("http://evil.example", HttpStatusCode.Forbidden)]
    public async Task Long_polling_open_follows_the_same_origin_rule(string? origin, HttpStatusCode expected)
    {
        using var request = OpenRequest("/typed/r");
        request.Headers.Add("Authorization", "Bearer good-ann");
        if (origin is not null) request.Headers.Add("Origin", origin == "own" ? OwnOrigin : origin);
        using var response = await _http.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? 1 : 0, _server.Server.LongPollingSessionCount);
        if (expected != HttpStatusCode.OK)
        {
            Assert.Empty(_connected);
            Assert.Contains("origin not allowed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Map_refuses_an_entry_that_is_not_an_origin()
    {
        var server = new WebSocketServer();
        foreach (var entry in new[] { "app.example", "https://app.example/", "https://app.example/path", "https://user@app.example", "" })
        {
            Assert.Throws<ArgumentException>(() => server.Map("/x", new RecordingEchoHandler(), new EndpointOptions { AllowedOrigins = [entry] }));
        }
    }

    // --- authentication ---

    public static TheoryData<string, string> Credentials => new()
    {
        { "header", "Authorization: Bearer good-ann" },
        { "query", "?token=good-ann" },
        { "cookie", "Cookie: theme=dark; sid=good-ann; other=1" },
    };

    [Theory]
    [MemberData(nameof(Credentials))]
    public async Task Authenticated_user_reaches_the_typed_context_over_WebSocket(string kind, string credential)
    {
        var query = kind == "query" ? credential : "";
        using var client = await _server.ConnectAsync("/typed/lobby" + query, o =>
        {
            if (kind != "query") o.SetRequestHeader(credential[..credential.IndexOf(':', StringComparison.Ordinal)], credential[(credential.IndexOf(':', StringComparison.Ordinal) + 2)..]);
        });
        Assert.Equal("ann", (await ReceiveNoteAsync(client)).From);
        Assert.Equal([("ann", "room:lobby")], _connected);
        Assert.Equal(["ann"], await _typed.UsersAsync());
    }

    [Theory]
    [MemberData(nameof(Credentials))]
    public async Task Authenticated_user_reaches_the_typed_context_over_long_polling(string kind, string credential)
    {
        using var request = OpenRequest("/typed/lobby" + (kind == "query" ? "?transport=longpolling&token=good-ann" : ""));
        if (kind != "query") request.Headers.Add(credential[..credential.IndexOf(':', StringComparison.Ordinal)], credential[(credential.IndexOf(':', StringComparison.Ordinal) + 2)..]);
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([("ann", "room:lobby")], _connected);

        using var opened = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var session = opened.RootElement.GetProperty("session").GetString();
        var poll = await _http.GetStringAsync(new Uri(HttpUri($"/typed/lobby?session={session}&ack=0")));
        Assert.Contains("""{"type":"test.note","data":{"from":"ann","seq":1}}""", poll, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "credentials required")]
    [InlineData("Authorization: Bearer bad\r\n", "invalid credentials")]
    [InlineData("Cookie: sid=forged\r\n", "invalid credentials")]
    public async Task Missing_or_invalid_credentials_get_401_and_no_hook_runs(string extra, string reason)
    {
        using var raw = await RawClient.ConnectAsync(_server);
        await raw.SendAsync(UpgradeRequest("/typed/r", extra));
        var head = await raw.ReadHeadAsync();
        Assert.StartsWith("HTTP/1.1 401 ", head, StringComparison.Ordinal);
        Assert.Contains("\r\nWWW-Authenticate: Bearer\r\n", head, StringComparison.Ordinal);
        Assert.Equal(reason + "\n", Encoding.UTF8.GetString(await raw.ReadAsync(reason.Length + 1, TimeSpan.FromSeconds(5))));

        using var request = OpenRequest("/typed/r");
        foreach (var line in extra.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            request.Headers.Add(line[..line.IndexOf(':', StringComparison.Ordinal)], line[(line.IndexOf(':', StringComparison.Ordinal) + 2)..]);
        }
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Empty(_connected);
        Assert.Equal(0, _server.Server.ConnectionCount);
        Assert.Equal(0, _server.Server.LongPollingSessionCount);
    }

    [Theory]
    [InlineData(SwitchboardTransport.WebSocket)]
    [InlineData(SwitchboardTransport.LongPolling)]
    [InlineData(SwitchboardTransport.Auto)]
    public async Task SwitchboardClient_authenticates_with_a_query_token_over_each_transport(SwitchboardTransport transport)
    {
        var notes = new ConcurrentQueue<Note>();
        await using var client = new SwitchboardClient(_server.Uri("/typed/lobby?token=good-cy"), SwitchboardMessages.Catalog,
            new SwitchboardClientOptions { Transport = transport });
        var arrived = new Changes();
        client.On<Note>(note =>
        {
            notes.Enqueue(note);
            arrived.Pulse();
        });
        await client.ConnectAsync();
        await arrived.UntilAsync(() => !notes.IsEmpty, "the greeting note arrived");
        Assert.Equal([new Note("cy", 1)], notes);
        Assert.Equal([("cy", "room:lobby")], _connected);

        // Without the token the open is refused with 401, whichever transport asked, and nothing connected.
        await using var anonymous = new SwitchboardClient(_server.Uri("/typed/lobby"), SwitchboardMessages.Catalog,
            new SwitchboardClientOptions { Transport = transport });
        var refused = await Assert.ThrowsAsync<SwitchboardConnectionException>(() => anonymous.ConnectAsync());
        Assert.Equal(SwitchboardConnectionErrorKind.Refused, refused.Kind);
        Assert.Equal(401, refused.StatusCode);
        Assert.Single(_connected);
    }

    [Theory]
    [InlineData(SwitchboardTransport.WebSocket, "Authorization", "Bearer good-dee")]
    [InlineData(SwitchboardTransport.LongPolling, "Authorization", "Bearer good-dee")]
    [InlineData(SwitchboardTransport.WebSocket, "Cookie", "sid=good-dee")]
    [InlineData(SwitchboardTransport.LongPolling, "Cookie", "sid=good-dee")]
    public async Task SwitchboardClient_sends_its_headers_with_every_request_of_either_transport(SwitchboardTransport transport, string name, string value)
    {
        var notes = new ConcurrentQueue<Note>();
        await using var client = new SwitchboardClient(_server.Uri("/typed/lobby"), SwitchboardMessages.Catalog, new SwitchboardClientOptions
        {
            Transport = transport,
            Connection = new WebSocketClientOptions { Headers = [new(name, value)] },
        });
        var arrived = new Changes();
        client.On<Note>(note =>
        {
            notes.Enqueue(note);
            arrived.Pulse();
        });
        await client.ConnectAsync();
        await arrived.UntilAsync(() => !notes.IsEmpty, "the greeting note arrived");
        Assert.Equal([new Note("dee", 1)], notes);
        Assert.Equal([("dee", "room:lobby")], _connected);
    }

    [Fact]
    public async Task SwitchboardClient_refuses_to_send_a_field_the_handshake_writes_itself()
    {
        await using var client = new SwitchboardClient(_server.Uri("/typed/lobby"), SwitchboardMessages.Catalog, new SwitchboardClientOptions
        {
            Transport = SwitchboardTransport.WebSocket,
            Connection = new WebSocketClientOptions { Headers = [new("Sec-WebSocket-Key", "x")] },
        });
        await Assert.ThrowsAsync<ArgumentException>(() => client.ConnectAsync());
        Assert.Empty(_connected);
    }

    [Fact]
    public async Task Raw_handler_sees_the_user_on_its_connection()
    {
        using var client = await _server.ConnectAsync("/raw-auth?token=good-bob");
        var connection = await _rawAuthenticated.Connected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("bob", connection.User);
        Assert.Equal("bob", connection.Principal?.Identity?.Name);

        using var anonymous = await _server.ConnectAsync("/raw");
        Assert.Null((await _raw.Connected.Task.WaitAsync(TimeSpan.FromSeconds(10))).User);
    }

    [Fact]
    public async Task A_hook_that_throws_refuses_with_500()
    {
        Assert.Equal(500, await UpgradeStatusAsync("/throws", ""));
        Assert.Equal(0, _server.Server.ConnectionCount);
    }

    [Fact]
    public async Task Origin_is_judged_before_authentication()
    {
        // A foreign page learns nothing about the credentials: 403, whatever it sends.
        Assert.Equal(403, await UpgradeStatusAsync("/typed/r", "Origin: http://evil.example\r\n"));
        Assert.Equal(403, await UpgradeStatusAsync("/typed/r", "Origin: http://evil.example\r\nCookie: sid=good-ann\r\n"));
    }

    private string OriginHeader(string? origin) => origin switch
    {
        null => "",
        "own" => $"Origin: {OwnOrigin}\r\n",
        _ => $"Origin: {origin.Replace("PORT", _server.Server.LocalEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)}\r\n",
    };

    private string UpgradeRequest(string path, string extra) =>
        $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{_server.Server.LocalEndPoint.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n";

    private async Task<int> UpgradeStatusAsync(string path, string extra)
    {
        using var raw = await RawClient.ConnectAsync(_server);
        await raw.SendAsync(UpgradeRequest(path, extra));
        var head = await raw.ReadHeadAsync();
        return int.Parse(head.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
    }

    private string HttpUri(string pathAndQuery) => $"http://127.0.0.1:{_server.Server.LocalEndPoint.Port}{pathAndQuery}";

    private HttpRequestMessage OpenRequest(string pathAndQuery) =>
        new(HttpMethod.Post, HttpUri(pathAndQuery.Contains('?', StringComparison.Ordinal) ? pathAndQuery : pathAndQuery + "?transport=longpolling"));

    private static async Task<Note> ReceiveNoteAsync(ClientWebSocket client)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var result = await client.ReceiveAsync(buffer, timeout.Token);
        using var json = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
        var data = json.RootElement.GetProperty("data");
        return new Note(data.GetProperty("from").GetString()!, data.GetProperty("seq").GetInt32());
    }
}
