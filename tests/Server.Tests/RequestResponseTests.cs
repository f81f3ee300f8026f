using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Switchboard.Client;
using Switchboard.Messaging;
using Switchboard.Server.Diagnostics;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// Requests between a typed endpoint and <see cref="SwitchboardClient"/> over both transports: the typed response, the
/// typed error, the built-in failures, the bound of requests in flight, and the client's timeout, cancellation and
/// connection loss. Handlers that must stay in flight wait on a gate the test opens; nothing waits a fixed time.
/// </summary>
public sealed class RequestResponseTests : IAsyncLifetime
{
    private const int MaxInFlight = 2;
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<string> _started = Channel.CreateUnbounded<string>();
    private readonly RecordingLoggerFactory _logs = new();
    private TestServer _server = null!;
    private LimitMetrics _limits = null!;
    private ServerInstruments _instruments = null!;

    public Task InitializeAsync()
    {
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog, _logs).OnRequest<Sum, SumResult>(async (context, sum) =>
        {
            switch (sum.Mode)
            {
                case "deny":
                    throw new RequestException<SumDenied>(new SumDenied($"no sums above {sum.A + sum.B - 1}"));
                case "undeclared":
                    throw new RequestException<OtherDenied>(new OtherDenied("not for this request"));
                case "throw":
                    throw new InvalidOperationException("secret-detail-4711 of the server");
                case "wait":
                    _started.Writer.TryWrite(sum.Mode);
                    await _gate.Task;
                    break;
                case "close":
                    _started.Writer.TryWrite(sum.Mode);
                    await context.CloseAsync(CloseCode.InternalError, "closed on purpose");
                    await _gate.Task;
                    break;
            }
            return new SumResult(sum.A + sum.B);
        });
        _server = new TestServer(null, _logs, server => server.Map("/ws", endpoint, new EndpointOptions { MaxRequestsInFlight = MaxInFlight }));
        _limits = new LimitMetrics(_server.Server);
        _instruments = new ServerInstruments(_server.Server);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _gate.TrySetResult();
        _limits.Dispose();
        _instruments.Dispose();
        await _server.DisposeAsync();
    }

    public static TheoryData<SwitchboardTransport> Transports => new() { SwitchboardTransport.WebSocket, SwitchboardTransport.LongPolling };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Request_gets_its_typed_response(SwitchboardTransport transport)
    {
        await using var client = await ConnectAsync(transport);
        SumResult result = await client.RequestAsync(new Sum(2, 3));
        Assert.Equal(new SumResult(5), result);

        // Several at once, each answered with its own.
        var results = await Task.WhenAll(Enumerable.Range(0, MaxInFlight).Select(i => client.RequestAsync(new Sum(i, 100))));
        Assert.Equal(Enumerable.Range(0, MaxInFlight).Select(i => new SumResult(i + 100)), results);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Typed_error_reaches_the_client_as_its_record(SwitchboardTransport transport)
    {
        await using var client = await ConnectAsync(transport);
        var failed = await Assert.ThrowsAsync<RequestFailedException>(() => client.RequestAsync(new Sum(2, 3, "deny")));
        Assert.Equal(new SumDenied("no sums above 4"), Assert.IsType<SumDenied>(failed.Error));
        Assert.Equal(("test.sum", "test.sum.denied", null), (failed.RequestType, failed.ErrorType, failed.Code));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Handler_exception_is_handler_failed_without_its_text(SwitchboardTransport transport)
    {
        await using var client = await ConnectAsync(transport);
        var failed = await Assert.ThrowsAsync<RequestFailedException>(() => client.RequestAsync(new Sum(1, 1, "throw")));
        Assert.Equal(RequestFailure.HandlerFailed, failed.Code);
        Assert.Null(failed.Error);
        Assert.DoesNotContain("secret-detail-4711", failed.Message, StringComparison.Ordinal);
        Assert.Contains(_logs.Events, e => e.Id.Id == 220);
        Assert.Equal(1, _instruments.Count(SwitchboardServerDiagnostics.HandlerFailures,
            (SwitchboardServerDiagnostics.HandlerTag, "request"), (SwitchboardServerDiagnostics.MessageTypeTag, "test.sum")));

        // The connection lives on.
        Assert.Equal(new SumResult(2), await client.RequestAsync(new Sum(1, 1)));
    }

    [Fact]
    public async Task Error_the_request_does_not_declare_is_handler_failed()
    {
        await using var client = await ConnectAsync(SwitchboardTransport.WebSocket);
        var failed = await Assert.ThrowsAsync<RequestFailedException>(() => client.RequestAsync(new Sum(1, 1, "undeclared")));
        Assert.Equal(RequestFailure.HandlerFailed, failed.Code);
        Assert.Contains(_logs.Events, e => e.Id.Id == 221);
    }

    [Fact]
    public async Task Request_without_handler_is_no_handler()
    {
        await using var client = await ConnectAsync(SwitchboardTransport.WebSocket);
        var failed = await Assert.ThrowsAsync<RequestFailedException>(() => client.RequestAsync(new Unanswered(1)));
        Assert.Equal(RequestFailure.NoHandler, failed.Code);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Request_over_the_bound_in_flight_is_too_many_requests(SwitchboardTransport transport)
    {
        await using var client = await ConnectAsync(transport);
        var waiting = Enumerable.Range(0, MaxInFlight).Select(_ => client.RequestAsync(new Sum(1, 2, "wait"))).ToList();
        for (var i = 0; i < MaxInFlight; i++) await NextAsync(_started);

        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => client.RequestAsync(new Sum(1, 2)));
        Assert.Equal(RequestFailure.TooManyRequests, refused.Code);
        Assert.Equal(1, _limits[ServerLimit.RequestsInFlight]);
        Assert.Contains(_logs.Events, e => e.Id.Id is 600 or 601);

        _gate.SetResult();
        Assert.All(await Task.WhenAll(waiting), r => Assert.Equal(new SumResult(3), r));
        Assert.Equal(new SumResult(3), await client.RequestAsync(new Sum(1, 2)));
    }

    [Fact]
    public async Task Request_without_reply_in_time_times_out()
    {
        await using var client = await ConnectAsync(SwitchboardTransport.WebSocket, TimeSpan.FromMilliseconds(200));
        var timedOut = await Assert.ThrowsAsync<TimeoutException>(() => client.RequestAsync(new Sum(1, 2, "wait")));
        Assert.Contains("test.sum", timedOut.Message, StringComparison.Ordinal);

        // A per-call timeout wins over the options'.
        var call = client.RequestAsync(new Sum(1, 2, "wait"), TimeSpan.FromMinutes(5));
        await NextAsync(_started);
        await NextAsync(_started);
        _gate.SetResult();
        Assert.Equal(new SumResult(3), await call);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Canceled_request_stops_waiting(SwitchboardTransport transport)
    {
        await using var client = await ConnectAsync(transport);
        using var cancel = new CancellationTokenSource();
        var call = client.RequestAsync(new Sum(1, 2, "wait"), cancel.Token);
        await NextAsync(_started);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        // The late reply is ignored, and the client goes on.
        _gate.SetResult();
        Assert.Equal(new SumResult(7), await client.RequestAsync(new Sum(3, 4)));
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Pending_request_fails_when_the_connection_is_lost(SwitchboardTransport transport)
    {
        await using var client = await ConnectAsync(transport);
        var call = client.RequestAsync(new Sum(1, 2, "close"), TimeSpan.FromMinutes(5));
        var lost = await Assert.ThrowsAsync<RequestFailedException>(() => call);
        Assert.Equal(RequestFailure.ConnectionLost, lost.Code);
    }

    [Fact]
    public async Task Invalid_request_data_is_invalid_request_naming_the_property()
    {
        using var socket = await _server.ConnectAsync("/ws");
        await SendAsync(socket, """{"type":"test.sum","id":"x1","data":{"a":"two","b":3}}""");
        using var reply = JsonDocument.Parse(await ReceiveAsync(socket));
        Assert.Equal("switchboard.failure", reply.RootElement.GetProperty("type").GetString());
        Assert.Equal("x1", reply.RootElement.GetProperty("id").GetString());
        Assert.Equal(RequestFailure.InvalidRequest, reply.RootElement.GetProperty("data").GetProperty("code").GetString());
        Assert.Contains("data.a", reply.RootElement.GetProperty("data").GetProperty("message").GetString(), StringComparison.Ordinal);

        // A success reply carries the same id.
        await SendAsync(socket, """{"type":"test.sum","id":"x2","data":{"a":2,"b":3}}""");
        Assert.Equal("""{"type":"test.sum.result","id":"x2","data":{"total":5}}""", await ReceiveAsync(socket));
    }

    [Theory]
    [InlineData("""{"type":"test.sum","data":{"a":2,"b":3}}""")]
    [InlineData("""{"type":"test.sum","id":"","data":{"a":2,"b":3}}""")]
    [InlineData("""{"type":"test.sum","id":"01234567890123456789012345678901234567890123456789012345678901234","data":{"a":2,"b":3}}""")]
    [InlineData("""{"type":"test.unanswered","data":{"n":1}}""")]
    public async Task Request_without_a_valid_id_closes_the_connection_with_1007(string text)
    {
        using var socket = await _server.ConnectAsync("/ws");
        await SendAsync(socket, text);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var result = await socket.ReceiveAsync(new byte[1024], timeout.Token);
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal((WebSocketCloseStatus)1007, result.CloseStatus);
    }

    private async Task<SwitchboardClient> ConnectAsync(SwitchboardTransport transport, TimeSpan? timeout = null)
    {
        var client = new SwitchboardClient(_server.Uri("/ws"), SwitchboardMessages.Catalog, new SwitchboardClientOptions
        {
            Transport = transport,
            RequestTimeout = timeout ?? TimeSpan.FromSeconds(30),
            MaxReconnectAttempts = 0,
        });
        await client.ConnectAsync();
        return client;
    }

    private static async Task<T> NextAsync<T>(Channel<T> channel)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await channel.Reader.ReadAsync(timeout.Token);
    }

    private static async Task SendAsync(ClientWebSocket socket, string text)
        => await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    private static async Task<string> ReceiveAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}
