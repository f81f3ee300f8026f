using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Server.Diagnostics;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// The limits that keep one long-polling client from exhausting the server (docs/security.md, "Long polling"): session
/// caps, an idle clock only real polls and sends reset, the server-wide budget of queued bytes, messages shared by
/// every session they are queued for, and the number of envelopes in one send.
/// </summary>
public sealed class LongPollingLimitTests : IAsyncDisposable
{
    private readonly MessageEndpoint _endpoint = new(SwitchboardMessages.Catalog);
    private readonly ConcurrentQueue<(long Id, CloseCode? Status)> _ended = new();
    private readonly ConcurrentQueue<Route> _received = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 4 }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly RecordingLoggerFactory _logs = new();
    private readonly PreparedMessage _prepared = PreparedMessage.Create(new Note(new string('p', 8000), 1));
    private TestServer? _server;

    public LongPollingLimitTests()
    {
        _endpoint
            .OnDisconnected((context, status) =>
            {
                _ended.Enqueue((context.ConnectionId, status));
                return ValueTask.CompletedTask;
            })
            // "all" broadcasts a note named Name; "flood" sends Seq notes named Name to the sender alone.
            .On<Route>((context, route) =>
            {
                _received.Enqueue(route);
                return route.Target switch
                {
                    "all" => context.Endpoint.All.SendAsync(new Note(route.Name!, route.Seq)),
                    "prepared" => context.Endpoint.All.SendAsync(_prepared),
                    "flood" => FloodAsync(context, route),
                    _ => ValueTask.CompletedTask,
                };
            });
    }

    private WebSocketServer Server => _server!.Server;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_session_touched_only_by_refused_requests_expires()
    {
        Start(new LongPollingOptions { HoldTime = TimeSpan.FromMilliseconds(200), IdleTimeout = TimeSpan.FromSeconds(2) });
        var session = await OpenAsync("ann");

        // The attack: requests that name the session but are refused (400, 409), sent more often than the idle
        // timeout, used to keep a session nobody polls alive for ever.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(12));
        while (_ended.IsEmpty && !deadline.IsCancellationRequested)
        {
            foreach (var query in new[] { $"session={session}&ack=x", $"session={session}&ack=99", $"session={session}" })
            {
                using var poll = await _http.GetAsync(Url("ann", query));
                if (poll.StatusCode != HttpStatusCode.NotFound) Assert.Equal(HttpStatusCode.BadRequest, poll.StatusCode);
            }
            using (var gap = await PostAsync("ann", $"session={session}&seq=5", "[]"))
                if (gap.StatusCode != HttpStatusCode.NotFound) Assert.Equal(HttpStatusCode.Conflict, gap.StatusCode);
            using (var notJson = await _http.PostAsync(Url("ann", $"session={session}&seq=1"), new StringContent("[]")))
                if (notJson.StatusCode != HttpStatusCode.NotFound) Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
            await Task.Delay(50); // paces the attack (a round every 50 ms, far more often than the idle timeout); not a wait for an event
        }

        Assert.True(_ended.TryDequeue(out var ended), "the session outlived its idle timeout");
        Assert.Null(ended.Status);
        Assert.Equal(0, Server.LongPollingSessionCount);
        Assert.Contains(_logs.Events, e => e.Id.Id == 403 && e.Level == LogLevel.Debug);
    }

    [Fact]
    public async Task A_send_with_more_envelopes_than_allowed_gets_413_and_none_of_it_is_delivered()
    {
        Start(new LongPollingOptions { HoldTime = TimeSpan.FromMilliseconds(300) });
        using var metrics = new LimitMetrics(Server);
        var session = await OpenAsync("bea");

        // 101 envelopes: one over the default of 100.
        using var send = await SendAsync("bea", session, 1, [.. Enumerable.Range(1, 101).Select(i => Route("none", null, i))]);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, send.StatusCode);
        Assert.Contains("100 envelopes", await send.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(_received);
        Assert.Equal(1, metrics[ServerLimit.LongPollingEnvelopes]);

        // The session lives on, and the same numbers are taken in sends of 100 and 1.
        using (var first = await SendAsync("bea", session, 1, [.. Enumerable.Range(1, 100).Select(i => Route("none", null, i))]))
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        using (var second = await SendAsync("bea", session, 101, Route("none", null, 101)))
            Assert.Equal(HttpStatusCode.NoContent, second.StatusCode);
        Assert.Equal(Enumerable.Range(1, 101), _received.Select(r => r.Seq));
    }

    [Fact]
    public async Task Opens_over_the_per_address_cap_get_503_with_Retry_After_and_other_addresses_still_open()
    {
        Start(new LongPollingOptions { MaxSessionsPerAddress = 3 });
        using var metrics = new LimitMetrics(Server);
        var sessions = new List<string>();
        for (var i = 0; i < 3; i++) sessions.Add(await OpenAsync($"a{i}"));

        // No request of theirs is in flight: the sessions count from their open until they end.
        using (var refused = await _http.PostAsync(Url("a3", "transport=longpolling"), null))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
            Assert.Contains("from this address", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(1, metrics[ServerLimit.LongPollingSessionsPerAddress]);
        Assert.Equal(3, Server.LongPollingSessionCount);

        // Another address is not held back by this one.
        using (var other = new HttpClient(new SocketsHttpHandler { ConnectCallback = ConnectFrom127002Async }))
        using (var opened = await other.PostAsync(Url("b0", "transport=longpolling"), null))
            Assert.Equal(HttpStatusCode.OK, opened.StatusCode);

        // A session that ends gives its place back.
        using (var deleted = await _http.DeleteAsync(Url("a0", $"session={sessions[0]}"))) Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await OpenAsync("a3");
    }

    [Fact]
    public async Task Opens_over_the_server_wide_cap_get_503_until_a_session_expires()
    {
        Start(new LongPollingOptions { MaxSessions = 2, HoldTime = TimeSpan.FromMilliseconds(200), IdleTimeout = TimeSpan.FromSeconds(1) });
        using var metrics = new LimitMetrics(Server);
        await OpenAsync("c0");
        await OpenAsync("c1");
        using (var refused = await _http.PostAsync(Url("c2", "transport=longpolling"), null))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
        }
        Assert.Equal(1, metrics[ServerLimit.LongPollingSessions]);

        await Eventually.TrueAsync(() => !_ended.IsEmpty, "a session expired", TimeSpan.FromSeconds(10));
        await OpenAsync("c2");
    }

    [Fact]
    public async Task At_the_server_wide_budget_the_session_that_would_go_over_is_closed_with_1013_and_the_others_keep_theirs()
    {
        // 40 KiB for all sessions, 64 KiB each: the budget is what runs out. Each note is about 1 KiB.
        Start(new LongPollingOptions { HoldTime = TimeSpan.FromMilliseconds(300), MaxQueuedBytes = 64 * 1024, MaxQueuedBytesTotal = 40 * 1024 });
        using var metrics = new LimitMetrics(Server);
        var name = new string('n', 1000);
        var a = await OpenAsync("ann");
        var b = await OpenAsync("bob");
        var c = await OpenAsync("cat");
        foreach (var (who, session) in new[] { ("ann", a), ("bob", b), ("cat", c) })
        {
            using var send = await SendAsync(who, session, 1, Route("flood", name, 15));
            Assert.Equal(HttpStatusCode.NoContent, send.StatusCode);
        }

        var ann = await PollAsync("ann", a, 0);
        var bob = await PollAsync("bob", b, 0);
        var cat = await PollAsync("cat", c, 0);
        Assert.Equal((15, null), (ann.Messages, ann.Close));
        Assert.Equal((15, null), (bob.Messages, bob.Close));
        Assert.InRange(cat.Messages, 1, 14);
        Assert.Equal((1013, "server busy: too many undelivered long-polling messages; try again later"), cat.Close);
        Assert.Equal(1, metrics[ServerLimit.LongPollingMemory]);

        // Acknowledged messages leave the budget; the ended session's leave it when it is forgotten.
        await PollAsync("ann", a, 15, expectEmpty: true);
        using (var deleted = await _http.DeleteAsync(Url("bob", $"session={b}"))) Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.InRange(Server.LongPollingQueuedBytes, 0, 15 * 1100);
    }

    [Theory]
    [InlineData("all")]
    [InlineData("prepared")]
    public async Task A_message_queued_for_many_sessions_is_held_once_and_counted_once(string target)
    {
        // Ten sessions, each queued an 8 KB note: counted per session that would be 80 KB, past the 40 KiB budget.
        Start(new LongPollingOptions { HoldTime = TimeSpan.FromMilliseconds(300), MaxQueuedBytesTotal = 40 * 1024 });
        using var metrics = new LimitMetrics(Server);
        var sessions = new List<string>();
        for (var i = 0; i < 10; i++) sessions.Add(await OpenAsync($"s{i}"));
        using (var send = await SendAsync("s0", sessions[0], 1, Route(target, new string('p', 8000), 1)))
            Assert.Equal(HttpStatusCode.NoContent, send.StatusCode);

        Assert.InRange(Server.LongPollingQueuedBytes, 8000, 8000 + 100 + 10 * LongPollingOptions.QueueEntryBytes);
        for (var i = 0; i < 10; i++)
        {
            var poll = await PollAsync($"s{i}", sessions[i], 0);
            Assert.Equal((1, null), (poll.Messages, poll.Close));
        }
        Assert.Equal(0, metrics[ServerLimit.LongPollingMemory]);
        for (var i = 0; i < 10; i++) await PollAsync($"s{i}", sessions[i], 1, expectEmpty: true);
        Assert.Equal(0, Server.LongPollingQueuedBytes);
    }

    private static async ValueTask<Stream> ConnectFrom127002Async(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One poll (held at most the hold time); the number of messages and the close code and reason, if any.</summary>
    private async Task<(int Messages, (int, string)? Close)> PollAsync(string name, string session, long ack, bool expectEmpty = false)
    {
        using var response = await _http.GetAsync(Url(name, $"session={session}&ack={ack}"));
        if (expectEmpty)
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            return (0, null);
        }
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        (int, string)? close = root.TryGetProperty("close", out var c) ? (c.GetProperty("code").GetInt32(), c.GetProperty("reason").GetString()!) : null;
        return (root.GetProperty("messages").GetArrayLength(), close);
    }

    private void Start(LongPollingOptions options, int maxRequestBodySize = 1024 * 1024)
        => _server ??= new TestServer(new WebSocketServerOptions { LongPolling = options, MaxRequestBodySize = maxRequestBodySize }, _logs,
            server => server.Map("/lp/{name}", _endpoint));

    private static ValueTask FloodAsync(MessageContext context, Route route)
    {
        var tasks = Enumerable.Range(0, route.Seq).Select(i => context.SendAsync(new Note(route.Name!, i)).AsTask());
        return new ValueTask(Task.WhenAll(tasks));
    }

    private static string Route(string target, string? name, int seq)
        => JsonSerializer.Serialize(new { type = "test.route", data = new { target, name, seq } });

    private Uri Url(string name, string query) => new($"http://127.0.0.1:{Server.LocalEndPoint.Port}/lp/{name}?{query}");

    private async Task<string> OpenAsync(string name)
    {
        using var response = await _http.PostAsync(Url(name, "transport=longpolling"), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
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
}
