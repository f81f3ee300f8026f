using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Switchboard.Server;

namespace Switchboard.Tests.Client;

/// <summary>
/// A real server on loopback that answers the long-polling requests of <c>/lp</c> by hand (docs/protocol.md, "Long
/// polling"): each open gets a new session <c>s1</c>, <c>s2</c>… and is handed to the test with its query; a poll gets
/// the next body the test queued for its session, or 204 after a short hold; sends and the DELETE get 204.
/// </summary>
internal sealed class ScriptedLongPolling : IAsyncDisposable
{
    private static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(500);
    private readonly WebSocketServer _server = new();
    private readonly Channel<(string Session, string Query)> _opens = Channel.CreateUnbounded<(string, string)>();
    private readonly ConcurrentDictionary<string, Channel<string>> _polls = new(StringComparer.Ordinal);
    private int _sessions;

    public ScriptedLongPolling()
    {
        _server.MapPost("/lp", OnPostAsync).MapGet("/lp", OnPollAsync).MapMethod("DELETE", "/lp", (_, response) =>
        {
            response.StatusCode = 204;
            return ValueTask.CompletedTask;
        });
        _server.Start();
    }

    public Uri Uri => new($"ws://127.0.0.1:{_server.LocalEndPoint.Port}/lp");

    /// <summary>The queries of every request other than an open, as they came.</summary>
    public ConcurrentQueue<string> OtherQueries { get; } = new();

    /// <summary>The next session the client opens, and the query of its open request.</summary>
    public async Task<(string Session, string Query)> NextOpenAsync() => await _opens.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

    /// <summary>Answers a poll of <paramref name="session"/> with <c>{"seq":seq,"messages":[…]}</c> and the close, if any.</summary>
    public void Answer(string session, long seq, IEnumerable<string> envelopes, string? close = null) =>
        PollsOf(session).Writer.TryWrite($"{{\"seq\":{seq},\"messages\":[{string.Join(',', envelopes)}]{(close is null ? "" : ",\"close\":" + close)}}}");

    private Channel<string> PollsOf(string session) => _polls.GetOrAdd(session, _ => Channel.CreateUnbounded<string>());

    private ValueTask OnPostAsync(ServerRequest request, ServerResponse response)
    {
        if (request.GetQueryValue("transport") != "longpolling")
        {
            OtherQueries.Enqueue(request.Query);
            response.StatusCode = 204;
            return ValueTask.CompletedTask;
        }
        var session = "s" + Interlocked.Increment(ref _sessions);
        PollsOf(session);
        _opens.Writer.TryWrite((session, request.Query));
        response.ContentType = "application/json";
        response.SetBody(Encoding.UTF8.GetBytes($"{{\"session\":\"{session}\",\"holdMs\":{(int)Hold.TotalMilliseconds}}}"));
        return ValueTask.CompletedTask;
    }

    private async ValueTask OnPollAsync(ServerRequest request, ServerResponse response)
    {
        OtherQueries.Enqueue(request.Query);
        var polls = PollsOf(request.GetQueryValue("session") ?? "");
        try
        {
            var body = await polls.Reader.ReadAsync(request.Aborted).AsTask().WaitAsync(Hold);
            response.ContentType = "application/json";
            response.SetBody(Encoding.UTF8.GetBytes(body));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            response.StatusCode = 204;
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
