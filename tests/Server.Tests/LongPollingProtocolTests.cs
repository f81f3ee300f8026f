using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Switchboard.Client;
using Switchboard.Protocol;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// The long-polling transport of a typed endpoint, driven over HTTP by .NET's HttpClient and raw sockets exactly as
/// docs/protocol.md ("Long polling") describes it: sessions, acknowledged and redelivered polls, deduplicated sends,
/// expiry, limits, and a room shared with WebSocket clients.
/// </summary>
public sealed class LongPollingProtocolTests : IAsyncLifetime
{
    private readonly MessageEndpoint _endpoint = new(SwitchboardMessages.Catalog);
    private readonly ConcurrentQueue<(long Id, CloseCode? Status)> _ended = new();
    private readonly Changes _endedChanges = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 4 }) { Timeout = TimeSpan.FromSeconds(30) };
    private TestServer _server = null!;
    private TimeSpan _holdTime;

    public Task InitializeAsync()
    {
        _endpoint
            .OnConnected(async context =>
            {
                await context.SetUserAsync(context.RouteValues["name"]);
                if (context.RouteValues["name"] == "refused") await context.CloseAsync(CloseCode.PolicyViolation, "not you");
            })
            .OnDisconnected((context, status) =>
            {
                _ended.Enqueue((context.ConnectionId, status));
                _endedChanges.Pulse();
                return ValueTask.CompletedTask;
            })
            // "all" broadcasts a note; "echo" answers the sender; "flood" sends Seq notes of Name's length to the sender.
            .On<Route>((context, route) => route.Target switch
            {
                "all" => context.Endpoint.All.SendAsync(new Note(context.User!, route.Seq)),
                "flood" => FloodAsync(context, route),
                _ => context.SendAsync(new Note(route.Target, route.Seq)),
            });
        // Sessions outlive any pause a loaded machine makes between a test's requests; the expiry test restarts the
        // server with a short idle timeout of its own.
        _server = StartServer(TimeSpan.FromSeconds(30));
        return Task.CompletedTask;
    }

    private TestServer StartServer(TimeSpan idleTimeout, TimeSpan? holdTime = null)
    {
        _holdTime = holdTime ?? TimeSpan.FromMilliseconds(400);
        return new(new WebSocketServerOptions
        {
            MaxRequestBodySize = 64 * 1024,
            LongPolling = new LongPollingOptions { HoldTime = _holdTime, IdleTimeout = idleTimeout, MaxQueuedBytes = 16 * 1024 },
        }, ("/lp/{name}", _endpoint));
    }

    /// <summary>
    /// For the tests of a held poll, which must be answered by what the test does, never by the hold time running out:
    /// a hold far longer than any pause a loaded machine makes between two of a test's steps.
    /// </summary>
    private async Task RestartWithLongHoldAsync()
    {
        await _server.DisposeAsync();
        _server = StartServer(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(20));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Session_opens_polls_and_sends_typed_messages()
    {
        var session = await OpenAsync("ann");
        Assert.Equal(1, _server.Server.LongPollingSessionCount);
        Assert.Equal(204, (int)(await SendAsync("ann", session, 1, Route("echo", 7), Route("echo", 8))).StatusCode);

        var poll = await PollAsync("ann", session, 0);
        Assert.Equal(1, poll.Seq);
        Assert.Equal(["""{"type":"test.note","data":{"from":"echo","seq":7}}""", """{"type":"test.note","data":{"from":"echo","seq":8}}"""], poll.Messages);
        Assert.Null(poll.Close);
    }

    [Fact]
    public async Task A_lost_poll_response_is_delivered_again_and_an_ack_forgets_it()
    {
        var session = await OpenAsync("bea");
        await SendAsync("bea", session, 1, Route("echo", 1), Route("echo", 2));
        var first = await PollAsync("bea", session, 0);
        // The client never saw that answer: the same ack gets the same messages.
        var again = await PollAsync("bea", session, 0);
        Assert.Equal(first.Seq, again.Seq);
        Assert.Equal(first.Messages, again.Messages);

        await SendAsync("bea", session, 3, Route("echo", 3));
        var next = await PollAsync("bea", session, 2);
        Assert.Equal(3, next.Seq);
        Assert.Equal(["""{"type":"test.note","data":{"from":"echo","seq":3}}"""], next.Messages);
    }

    [Fact]
    public async Task A_poll_with_nothing_to_say_answers_204_after_the_hold_time()
    {
        var session = await OpenAsync("cal");
        using var response = await _http.GetAsync(Url("cal", $"session={session}&ack=0"));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task A_held_poll_answers_as_soon_as_a_message_is_sent()
    {
        await RestartWithLongHoldAsync();
        var session = await OpenAsync("dee");
        var held = await HeldPollAsync("dee", session);
        using (await SendAsync("dee", session, 2, Route("echo", 5)))
        {
        }
        using var poll = await held;
        Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
        Assert.Contains("""{"type":"test.note","data":{"from":"echo","seq":5}}""", await poll.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_newer_poll_takes_over_from_the_one_waiting()
    {
        await RestartWithLongHoldAsync();
        var session = await OpenAsync("eve");
        var older = await HeldPollAsync("eve", session);
        var newer = PollAsync("eve", session, 1);
        using (var answer = await older) Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        await SendAsync("eve", session, 2, Route("echo", 1));
        Assert.Single((await newer).Messages);
    }

    [Fact]
    public async Task A_retried_send_is_handled_once_and_a_gap_gets_409()
    {
        var session = await OpenAsync("fay");
        await SendAsync("fay", session, 1, Route("echo", 1), Route("echo", 2));
        // The answer to that send was lost; the client sends it again, with one more envelope.
        Assert.Equal(204, (int)(await SendAsync("fay", session, 1, Route("echo", 1), Route("echo", 2), Route("echo", 3))).StatusCode);
        using var gap = await SendAsync("fay", session, 9, Route("echo", 9));
        Assert.Equal(HttpStatusCode.Conflict, gap.StatusCode);

        var poll = await PollAsync("fay", session, 0);
        Assert.Equal([1, 2, 3], poll.Messages.Select(m => JsonDocument.Parse(m).RootElement.GetProperty("data").GetProperty("seq").GetInt32()));
    }

    [Fact]
    public async Task A_session_nobody_polls_expires_and_is_gone()
    {
        await _server.DisposeAsync();
        _server = StartServer(TimeSpan.FromSeconds(1));
        var session = await OpenAsync("gus");
        var id = await WaitForEndAsync();
        Assert.Null(id.Status);
        using var poll = await _http.GetAsync(Url("gus", $"session={session}&ack=0"));
        Assert.Equal(HttpStatusCode.NotFound, poll.StatusCode);
        Assert.Equal(0, _server.Server.LongPollingSessionCount);
    }

    [Fact]
    public async Task A_close_from_the_endpoint_follows_the_messages_sent_before_it()
    {
        var session = await OpenAsync("refused");
        var poll = await PollAsync("refused", session, 0);
        Assert.Empty(poll.Messages);
        Assert.Equal((1008, "not you"), poll.Close);
        Assert.Equal(CloseCode.PolicyViolation, (await WaitForEndAsync()).Status);
        // The answer may be lost: the close is said again.
        Assert.Equal((1008, "not you"), (await PollAsync("refused", session, 0)).Close);
    }

    [Fact]
    public async Task A_client_that_does_not_poll_past_the_queue_bound_is_closed_with_1013()
    {
        var session = await OpenAsync("hal");
        // 40 notes of about 1 KiB: more than the 16 KiB the session may hold.
        await SendAsync("hal", session, 1, $$$"""{"type":"test.route","data":{"target":"flood","name":"{{{new string('x', 1000)}}}","seq":40}}""");
        var poll = await PollAsync("hal", session, 0);
        Assert.InRange(poll.Messages.Count, 10, 16);
        Assert.Equal((1013, "send queue full: the client does not poll"), poll.Close);
    }

    [Fact]
    public async Task Delete_ends_the_session_with_1000()
    {
        var session = await OpenAsync("ike");
        using var deleted = await _http.DeleteAsync(Url("ike", $"session={session}"));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(CloseCode.NormalClosure, (await WaitForEndAsync()).Status);
        using var poll = await _http.GetAsync(Url("ike", $"session={session}&ack=0"));
        Assert.Equal(HttpStatusCode.NotFound, poll.StatusCode);
    }

    [Fact]
    public async Task A_malformed_envelope_closes_the_session_with_1007_as_on_a_WebSocket()
    {
        var session = await OpenAsync("jo");
        using (var send = await PostAsync("jo", $"session={session}&seq=1", """[{"type":"test.route","data":{"target":"echo","name":null,"seq":1}},{"data":{}}]"""))
            Assert.Equal(HttpStatusCode.NoContent, send.StatusCode);
        var poll = await PollAsync("jo", session, 0);
        Assert.Single(poll.Messages);
        Assert.Equal(1007, poll.Close?.Code);
    }

    [Theory]
    [InlineData("""{"type":"test.route","data":{}}""", "array")]
    [InlineData("""[1,2]""", "object")]
    [InlineData("""[{"type":"a","data":{}}""", "JSON")]
    [InlineData("""[{"type":"a","data":{}}] []""", "JSON")]
    public async Task A_send_body_that_is_not_an_array_of_envelopes_gets_400_and_the_session_lives(string body, string why)
    {
        var session = await OpenAsync("kim");
        using var send = await PostAsync("kim", $"session={session}&seq=1", body);
        Assert.Equal(HttpStatusCode.BadRequest, send.StatusCode);
        Assert.Contains(why, await send.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(204, (int)(await SendAsync("kim", session, 1, Route("echo", 1))).StatusCode);
        Assert.Single((await PollAsync("kim", session, 0)).Messages);
    }

    [Theory]
    [InlineData("session=nope&ack=0", 404)]
    [InlineData("ack=0", 400)]
    public async Task Unknown_or_missing_sessions_are_refused(string query, int status)
    {
        using var poll = await _http.GetAsync(Url("lee", query));
        Assert.Equal(status, (int)poll.StatusCode);
    }

    [Fact]
    public async Task Bad_numbers_and_an_ack_past_the_last_message_get_400()
    {
        var session = await OpenAsync("max");
        foreach (var query in new[] { $"session={session}&ack=-1", $"session={session}&ack=x", $"session={session}", $"session={session}&ack=5" })
        {
            using var poll = await _http.GetAsync(Url("max", query));
            Assert.Equal(HttpStatusCode.BadRequest, poll.StatusCode);
        }
        using var send = await PostAsync("max", $"session={session}&seq=0", "[]");
        Assert.Equal(HttpStatusCode.BadRequest, send.StatusCode);
    }

    [Fact]
    public async Task A_session_is_bound_to_the_path_it_was_opened_on()
    {
        var session = await OpenAsync("ned");
        using var poll = await _http.GetAsync(Url("someone-else", $"session={session}&ack=0"));
        Assert.Equal(HttpStatusCode.NotFound, poll.StatusCode);
    }

    [Fact]
    public async Task Wrong_method_size_and_framing_get_405_413_and_400()
    {
        using (var put = await _http.PutAsync(Url("oz", "session=x"), new StringContent("[]")))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
            Assert.Equal(["GET", "HEAD", "POST", "DELETE", "OPTIONS"], put.Content.Headers.Allow);
        }

        var session = await OpenAsync("oz");
        using (var big = await PostAsync("oz", $"session={session}&seq=1", "[" + new string(' ', 70 * 1024) + "]"))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);

        using var raw = await RawClient.ConnectAsync(_server);
        await raw.SendAsync($"POST /lp/oz?session={session}&seq=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
                            "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n[]");
        Assert.Equal(400, (await raw.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task Polls_and_sends_share_one_persistent_connection()
    {
        using var raw = await RawClient.ConnectAsync(_server);
        await raw.SendAsync("POST /lp/pat?transport=longpolling HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
        var opened = await raw.ReadResponseAsync();
        var session = JsonDocument.Parse(opened.Body).RootElement.GetProperty("session").GetString();
        var body = """[{"type":"test.route","data":{"target":"echo","name":null,"seq":4}}]""";
        await raw.SendAsync($"POST /lp/pat?session={session}&seq=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        Assert.Equal(204, (await raw.ReadResponseAsync()).Status);
        await raw.SendGetAsync($"/lp/pat?session={session}&ack=0");
        var poll = await raw.ReadResponseAsync();
        Assert.Equal(200, poll.Status);
        Assert.Equal("no-store", poll["Cache-Control"]);
        Assert.Contains("\"seq\":4", poll.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebSocket_and_long_polling_users_share_the_room()
    {
        await using var ws = new SwitchboardClient(_server.Uri("/lp/wes"), SwitchboardMessages.Catalog);
        var atWebSocket = new ConcurrentQueue<Note>();
        var arrived = new Changes();
        ws.On<Note>(note =>
        {
            atWebSocket.Enqueue(note);
            arrived.Pulse();
        });
        await ws.ConnectAsync();
        var session = await OpenAsync("lou");

        // One after the other, so every recipient sees the same order.
        await ws.SendAsync(new Route("all", null, 1));
        await arrived.UntilAsync(() => !atWebSocket.IsEmpty, "the WebSocket user's own note came back");
        await SendAsync("lou", session, 1, Route("all", 2));

        var seen = new List<string>();
        long ack = 0;
        for (var i = 0; i < 20 && seen.Count < 2; i++)
        {
            var poll = await PollAsync("lou", session, ack);
            seen.AddRange(poll.Messages);
            ack = poll.Seq + poll.Messages.Count - 1;
        }
        await arrived.UntilAsync(() => atWebSocket.Count >= 2, "both notes reached the WebSocket user");
        Assert.Equal([new Note("wes", 1), new Note("lou", 2)], atWebSocket);
        Assert.Equal(["""{"type":"test.note","data":{"from":"wes","seq":1}}""", """{"type":"test.note","data":{"from":"lou","seq":2}}"""], seen);
    }

    [Fact]
    public async Task Shutdown_answers_a_held_poll_with_going_away()
    {
        await RestartWithLongHoldAsync();
        var session = await OpenAsync("quin");
        var held = await HeldPollAsync("quin", session);
        await _server.Server.StopAsync();
        using var poll = await held;
        Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
        using var json = JsonDocument.Parse(await poll.Content.ReadAsStringAsync());
        Assert.Equal(1001, json.RootElement.GetProperty("close").GetProperty("code").GetInt32());
    }

    private static ValueTask FloodAsync(MessageContext context, Route route)
    {
        var tasks = Enumerable.Range(0, route.Seq).Select(i => context.SendAsync(new Note(route.Name!, i)).AsTask());
        return new ValueTask(Task.WhenAll(tasks));
    }

    private static string Route(string target, int seq) => $$$"""{"type":"test.route","data":{"target":"{{{target}}}","name":null,"seq":{{{seq}}}}}""";

    private Uri Url(string name, string query) => new($"http://127.0.0.1:{_server.Server.LocalEndPoint.Port}/lp/{name}?{query}");

    private async Task<string> OpenAsync(string name)
    {
        using var response = await _http.PostAsync(Url(name, "transport=longpolling"), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)_holdTime.TotalMilliseconds, json.RootElement.GetProperty("holdMs").GetInt32());
        return json.RootElement.GetProperty("session").GetString()!;
    }

    private Task<HttpResponseMessage> SendAsync(string name, string session, long seq, params string[] envelopes)
        => PostAsync(name, $"session={session}&seq={seq}", "[" + string.Join(',', envelopes) + "]");

    private Task<HttpResponseMessage> PostAsync(string name, string query, string body)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return _http.PostAsync(Url(name, query), content);
    }

    /// <summary>Polls until a non-empty answer (bounded), and returns it with every envelope as text.</summary>
    private async Task<(long Seq, List<string> Messages, (int Code, string Reason)? Close)> PollAsync(string name, string session, long ack)
    {
        for (var attempt = 0; attempt < 25; attempt++)
        {
            using var response = await _http.GetAsync(Url(name, $"session={session}&ack={ack}"));
            if (response.StatusCode == HttpStatusCode.NoContent) continue;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = json.RootElement;
            var messages = root.GetProperty("messages").EnumerateArray().Select(m => m.GetRawText()).ToList();
            (int, string)? close = root.TryGetProperty("close", out var c) ? (c.GetProperty("code").GetInt32(), c.GetProperty("reason").GetString()!) : null;
            return (root.GetProperty("seq").GetInt64(), messages, close);
        }
        throw new TimeoutException("no poll answered with messages");
    }

    private async Task<(long Id, CloseCode? Status)> WaitForEndAsync()
    {
        (long Id, CloseCode? Status) ended = default;
        await _endedChanges.UntilAsync(() => _ended.TryDequeue(out ended), "a session ended");
        return ended;
    }

    /// <summary>
    /// Starts a poll on a session that has sent nothing yet (its next seq is 1) and returns it once the server holds it.
    /// The session is first sent one message (an echo), and the poll acknowledges it: the server lets go of that
    /// message's bytes under the session's lock in the same step in which it starts to hold the poll, so the server's
    /// queued bytes falling to zero is the poll being held, and whatever the test does next (a send, a newer poll, a
    /// stop) takes that lock after it. The next seq the session sends with is then 2.
    /// </summary>
    private async Task<Task<HttpResponseMessage>> HeldPollAsync(string name, string session)
    {
        using (var echo = await SendAsync(name, session, 1, Route("echo", 0))) Assert.True(echo.IsSuccessStatusCode, $"the echo's send got {echo.StatusCode}");
        var echoed = await PollAsync(name, session, 0);
        Assert.NotEqual(0, _server.Server.LongPollingQueuedBytes);
        var poll = _http.GetAsync(Url(name, $"session={session}&ack={echoed.Seq + echoed.Messages.Count - 1}"));
        await Eventually.TrueAsync(() => _server.Server.LongPollingQueuedBytes == 0 || poll.IsCompleted, "the poll acknowledged the echo");
        Assert.False(poll.IsCompleted, "the poll was answered instead of held");
        return poll;
    }
}
