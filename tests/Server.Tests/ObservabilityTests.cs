using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Switchboard.Client;
using Switchboard.Protocol;
using Switchboard.Server.Diagnostics;
using Switchboard.Server.WebSockets;
using Switchboard.Testing;
using Xunit;
using D = Switchboard.Server.SwitchboardServerDiagnostics;

namespace Switchboard.Server.Tests;

/// <summary>
/// The server's instruments (docs/observability.md), read with a MeterListener on one server's meter while real clients
/// connect over both transports.
/// </summary>
public sealed class ObservabilityTests
{
    private static readonly (string, object?) WebSocket = (D.TransportTag, D.WebSocketTransport);
    private static readonly (string, object?) LongPolling = (D.TransportTag, D.LongPollingTransport);

    private static MessageEndpoint Replying(Action<MessageContext>? onConnected = null) => new MessageEndpoint(SwitchboardMessages.Catalog)
        .OnConnected(context =>
        {
            onConnected?.Invoke(context);
            return ValueTask.CompletedTask;
        })
        .On<Route>(async (context, route) =>
        {
            if (route.Target == "throw") throw new InvalidOperationException("handler failure on purpose");
            await context.SendAsync(new Note(route.Target, route.Seq));
        });

    [Fact]
    public async Task A_WebSocket_connection_is_counted_by_route_with_its_messages_bytes_and_duration()
    {
        await using var server = new TestServer(null, ("/obs/{room}", Replying()));
        using var instruments = new ServerInstruments(server.Server);
        var route = (D.RouteTag, (object?)"/obs/{room}");

        using var client = await server.ConnectAsync("/obs/a");
        await instruments.WaitForAsync(m => m.Sum(D.ActiveConnections, WebSocket, route) == 1, "one active WebSocket connection on the route");

        var text = """{"type":"test.route","data":{"target":"t","name":null,"seq":1}}""";
        await client.SendTextAsync(text);
        var reply = await client.ReceiveTextAsync();
        // Counted before the handler ran, so before the reply was sent.
        Assert.Equal(1, instruments.Sum(D.MessagesReceived, WebSocket, (D.MessageTypeTag, "test.route")));
        Assert.Equal(Encoding.UTF8.GetByteCount(text), instruments.Sum(D.BytesReceived, WebSocket));
        await instruments.WaitForAsync(m => m.Sum(D.MessagesSent, WebSocket, (D.MessageTypeTag, "test.note")) == 1, "the reply counted as sent");
        Assert.Equal(Encoding.UTF8.GetByteCount(reply), instruments.Sum(D.BytesSent, WebSocket));

        // A type outside the catalogue is counted under one name, whatever the client made up.
        await client.SendTextAsync("""{"type":"made.up.by.the.client","data":{}}""");
        await instruments.WaitForAsync(m => m.Sum(D.MessagesReceived, WebSocket, (D.MessageTypeTag, D.UnknownMessageType)) == 1, "the unknown type counted");
        Assert.DoesNotContain(instruments.Matching(D.MessagesReceived), m => Equals(m.Tags.GetValueOrDefault(D.MessageTypeTag), "made.up.by.the.client"));

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        await instruments.WaitForAsync(m => m.Sum(D.ActiveConnections, WebSocket, route) == 0 && m.Count(D.ConnectionDuration, WebSocket, route) == 1,
            "the connection uncounted and its duration recorded");
        Assert.True(instruments.Sum(D.ConnectionDuration, WebSocket, route) > 0);
    }

    [Fact]
    public async Task A_long_polling_session_is_counted_by_route_with_its_messages_bytes_and_duration()
    {
        await using var server = new TestServer(null, ("/lp/{room}", Replying()));
        using var instruments = new ServerInstruments(server.Server);
        var route = (D.RouteTag, (object?)"/lp/{room}");
        var notes = new ConcurrentQueue<Note>();
        var client = new SwitchboardClient(server.Uri("/lp/a"), SwitchboardMessages.Catalog, new SwitchboardClientOptions { Transport = SwitchboardTransport.LongPolling });
        client.On<Note>(notes.Enqueue);

        await client.ConnectAsync();
        Assert.Equal(1, instruments.Sum(D.ActiveConnections, LongPolling, route)); // counted before the open was answered

        await client.SendAsync(new Route("x", null, 1));
        await client.SendAsync(new Route("y", null, 2));
        await instruments.WaitForAsync(m => m.Sum(D.MessagesReceived, LongPolling, (D.MessageTypeTag, "test.route")) == 2, "both envelopes counted");
        Assert.True(instruments.Sum(D.BytesReceived, LongPolling) > 2 * "{\"type\":\"test.route\"}".Length);
        await instruments.WaitForAsync(m => m.Sum(D.MessagesSent, LongPolling, (D.MessageTypeTag, "test.note")) == 2, "both replies counted as sent");
        Assert.True(instruments.Sum(D.BytesSent, LongPolling) > 0);
        Assert.Equal(0, instruments.Sum(D.MessagesSent, WebSocket));

        await client.DisposeAsync();
        await instruments.WaitForAsync(m => m.Sum(D.ActiveConnections, LongPolling, route) == 0 && m.Count(D.ConnectionDuration, LongPolling, route) == 1,
            "the session uncounted and its duration recorded");
    }

    [Fact]
    public async Task A_message_sent_to_many_is_counted_once_per_connection_it_went_to()
    {
        var joined = 0;
        var endpoint = Replying(_ => Interlocked.Increment(ref joined));
        await using var server = new TestServer(null, ("/fan", endpoint));
        using var instruments = new ServerInstruments(server.Server);
        var clients = new List<ClientWebSocket>();
        for (var i = 0; i < 3; i++) clients.Add(await server.ConnectAsync("/fan"));
        await Eventually.TrueAsync(() => Volatile.Read(ref joined) == 3, "three connected");

        await endpoint.All.SendAsync(new Note("all", 1));

        var measured = Assert.Single(instruments.Matching(D.MessagesSent, WebSocket, (D.MessageTypeTag, "test.note")));
        Assert.Equal(3, measured.Value); // one measurement for the lot
        var bytes = Assert.Single(instruments.Matching(D.BytesSent, WebSocket));
        Assert.Equal(3 * Encoding.UTF8.GetByteCount(await clients[0].ReceiveTextAsync()), bytes.Value);
        foreach (var client in clients) client.Dispose();
    }

    [Fact]
    public async Task Refused_upgrades_and_long_polling_opens_are_counted_by_status_and_reason()
    {
        await using var server = new TestServer(null, ("/r", Replying()));
        using var instruments = new ServerInstruments(server.Server);

        await Assert.ThrowsAsync<WebSocketException>(() => server.ConnectAsync("/nowhere"));
        await Assert.ThrowsAsync<WebSocketException>(() => server.ConnectAsync("/r", o => o.SetRequestHeader("Origin", "http://evil.example")));
        using var http = new HttpClient();
        var url = $"http://127.0.0.1:{server.Server.LocalEndPoint.Port}/r";
        using (var noTransport = await http.PostAsync(url, null)) Assert.Equal(HttpStatusCode.BadRequest, noTransport.StatusCode);
        using (var request = new HttpRequestMessage(HttpMethod.Post, url + "?transport=longpolling"))
        {
            request.Headers.Add("Origin", "http://evil.example");
            using var foreign = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        }

        // Each was counted before it was answered.
        Assert.Equal(1, instruments.Sum(D.HandshakeRefusals, WebSocket, (D.StatusCodeTag, 404), (D.RefusalReasonTag, "no_route")));
        Assert.Equal(1, instruments.Sum(D.HandshakeRefusals, WebSocket, (D.StatusCodeTag, 403), (D.RefusalReasonTag, "origin")));
        Assert.Equal(1, instruments.Sum(D.HandshakeRefusals, LongPolling, (D.StatusCodeTag, 400), (D.RefusalReasonTag, "invalid_request")));
        Assert.Equal(1, instruments.Sum(D.HandshakeRefusals, LongPolling, (D.StatusCodeTag, 403), (D.RefusalReasonTag, "origin")));
        Assert.Equal(4, instruments.Sum(D.HandshakeRefusals));
        Assert.Equal(0, instruments.Count(D.ActiveConnections));
    }

    [Fact]
    public async Task A_handler_that_throws_is_counted_with_its_message_type_and_the_connection_lives_on()
    {
        await using var server = new TestServer(null, ("/typed", Replying()));
        using var instruments = new ServerInstruments(server.Server);
        using var client = await server.ConnectAsync("/typed");

        await client.SendTextAsync("""{"type":"test.route","data":{"target":"throw","name":null,"seq":1}}""");
        await client.SendTextAsync("""{"type":"test.route","data":{"target":"after","name":null,"seq":2}}""");
        Assert.Contains("\"after\"", await client.ReceiveTextAsync(), StringComparison.Ordinal);

        // One message of a connection at a time: the failure was counted before the next message was handled.
        Assert.Equal(1, instruments.Sum(D.HandlerFailures, WebSocket, (D.HandlerTag, "message"), (D.MessageTypeTag, "test.route")));
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task A_slow_reader_closed_over_its_send_queue_is_counted_as_an_overflow()
    {
        var connected = new TaskCompletionSource<WebSocketConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingEchoHandler();
        await using var server = new TestServer(new WebSocketServerOptions { SendQueueLimit = 64 * 1024, CloseTimeout = TimeSpan.FromMilliseconds(300) }, ("/slow", handler));
        using var instruments = new ServerInstruments(server.Server);
        using var raw = await RawClient.ConnectAsync(server.Server.LocalEndPoint.Port);
        Assert.StartsWith("HTTP/1.1 101 ", await raw.UpgradeAsync("/slow"), StringComparison.Ordinal);
        var connection = await handler.Connected.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // The client never reads: sends pile up until the queue is over its limit and the server gives up on it.
        var chunk = new byte[16 * 1024];
        for (var i = 0; i < 10_000 && connection.State == Switchboard.Protocol.Connection.ProtocolState.Open; i++)
            await connection.SendAsync(Opcode.Binary, chunk);
        await instruments.WaitForAsync(m => m.Sum(D.SendQueueOverflows, WebSocket) == 1, "the overflow counted once the connection ended");
        Assert.True(instruments.Sum(D.MessagesSent, WebSocket) >= 4); // raw sends are counted too, without a type
    }

    public static TheoryData<string, byte[]> FrameLimitHits => new()
    {
        // A frame declaring more than MaxFrameSize (16), refused from its header.
        { nameof(ServerLimit.FrameSize), RawFrames.Header(0x81, 17) },
        // Two frames of 16: the second crosses MaxMessageSize (24) at its header.
        { nameof(ServerLimit.MessageSize), [.. RawFrames.Header(0x01, 16), .. new byte[16], .. RawFrames.Header(0x00, 16)] },
        // A third fragment, one over MaxFragments (2).
        { nameof(ServerLimit.Fragments), [.. RawFrames.Header(0x01, 1), (byte)'a', .. RawFrames.Header(0x00, 1), (byte)'b', .. RawFrames.Header(0x80, 1), (byte)'c'] },
    };

    [Theory]
    [MemberData(nameof(FrameLimitHits))]
    public async Task A_frame_limit_hit_closes_the_connection_and_is_counted_once_it_has_ended(string limit, byte[] frames)
    {
        var options = new WebSocketServerOptions
        {
            Frames = new Switchboard.Protocol.Framing.FrameReaderOptions { MaxFrameSize = 16, MaxMessageSize = 24, MaxFragments = 2 },
        };
        await using var server = new TestServer(options, ("/", new RecordingEchoHandler()));
        using var metrics = new LimitMetrics(server.Server);
        using var raw = await RawClient.ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 101 ", await raw.UpgradeAsync("/"), StringComparison.Ordinal);

        await raw.SendAsync(frames);
        var close = await raw.ReadAsync(4, TimeSpan.FromSeconds(5));
        Assert.Equal(0x88, close[0]);
        Assert.Equal(limit == nameof(ServerLimit.Fragments) ? 1008 : 1009, (close[2] << 8) | close[3]);
        await raw.SendAsync(RawFrames.Close());

        var hit = Enum.Parse<ServerLimit>(limit);
        await Eventually.TrueAsync(() => metrics[hit] == 1, $"{limit} counted");
        Assert.Equal(1, metrics[ServerLimit.FrameSize] + metrics[ServerLimit.MessageSize] + metrics[ServerLimit.Fragments]);
    }
}

/// <summary>
/// The servers' spans, read with an ActivityListener. The source is process-wide, so these run in the collection that
/// runs alone: no other test's connections show up in them.
/// </summary>
[Collection(Measurements.Name)]
public sealed class ObservabilitySpanTests
{
    [Fact]
    public async Task Upgrades_opens_and_handled_messages_each_have_a_span()
    {
        var stopped = new ConcurrentQueue<Activity>();
        var arrived = new SemaphoreSlim(0);
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == D.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                stopped.Enqueue(activity);
                arrived.Release();
            },
        };
        ActivitySource.AddActivityListener(listener);
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog).On<Route>(async (context, route) =>
        {
            if (route.Target == "throw") throw new InvalidOperationException("handler failure on purpose");
            await context.SendAsync(new Note(route.Target, route.Seq));
        });
        await using var server = new TestServer(null, ("/spans/{room}", endpoint));

        async Task<Activity> WaitForSpanAsync(Func<Activity, bool> match, string what)
        {
            var deadline = Environment.TickCount64 + 15_000;
            while (true)
            {
                if (stopped.FirstOrDefault(match) is { } found) return found;
                var left = deadline - Environment.TickCount64;
                Assert.True(left > 0 && await arrived.WaitAsync(TimeSpan.FromMilliseconds(left)), $"no span: {what}");
            }
        }

        using var client = await server.ConnectAsync("/spans/a");
        var upgrade = await WaitForSpanAsync(a => a.OperationName == D.ConnectActivityName && Equals(a.GetTagItem(D.StatusCodeTag), 101), "the upgrade");
        Assert.Equal(ActivityKind.Server, upgrade.Kind);
        Assert.Equal("/spans/{room}", upgrade.GetTagItem(D.RouteTag));
        Assert.Equal(D.WebSocketTransport, upgrade.GetTagItem(D.TransportTag));
        Assert.Equal("accepted", upgrade.GetTagItem(D.OutcomeTag));
        Assert.Equal("127.0.0.1", upgrade.GetTagItem(D.ClientAddressTag));
        Assert.Null(upgrade.Parent);

        await Assert.ThrowsAsync<WebSocketException>(() => server.ConnectAsync("/nowhere"));
        var refused = await WaitForSpanAsync(a => a.OperationName == D.ConnectActivityName && Equals(a.GetTagItem(D.StatusCodeTag), 404), "the refusal");
        Assert.Equal("refused", refused.GetTagItem(D.OutcomeTag));
        Assert.Equal(ActivityStatusCode.Unset, refused.Status); // the client's mistake, not the server's

        await client.SendTextAsync("""{"type":"test.route","data":{"target":"throw","name":null,"seq":1}}""");
        await client.SendTextAsync("""{"type":"test.route","data":{"target":"fine","name":null,"seq":2}}""");
        Assert.Contains("\"fine\"", await client.ReceiveTextAsync(), StringComparison.Ordinal);
        var failed = await WaitForSpanAsync(a => a.OperationName == D.MessageActivityName && a.Status == ActivityStatusCode.Error, "the failed message");
        var handled = await WaitForSpanAsync(a => a.OperationName == D.MessageActivityName && a.Status != ActivityStatusCode.Error, "the handled message");
        Assert.Equal("test.route", failed.GetTagItem(D.MessageTypeTag));
        Assert.Equal("handler failure on purpose", failed.StatusDescription);
        Assert.Contains(failed.Events, e => e.Name == "exception");
        Assert.Equal(failed.GetTagItem(D.ConnectionIdTag), handled.GetTagItem(D.ConnectionIdTag));
        Assert.IsType<long>(handled.GetTagItem(D.ConnectionIdTag));
        Assert.Equal(ActivityKind.Consumer, handled.Kind);

        using var http = new HttpClient();
        using var open = await http.PostAsync(new Uri($"http://127.0.0.1:{server.Server.LocalEndPoint.Port}/spans/b?transport=longpolling"), null);
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        var opened = await WaitForSpanAsync(a => a.OperationName == D.ConnectActivityName && Equals(a.GetTagItem(D.TransportTag), D.LongPollingTransport), "the long-polling open");
        Assert.Equal(200, opened.GetTagItem(D.StatusCodeTag));
        Assert.Equal("/spans/{room}", opened.GetTagItem(D.RouteTag));
        Assert.Equal("accepted", opened.GetTagItem(D.OutcomeTag));
    }

    [Fact]
    public void With_nothing_listening_measuring_and_tracing_allocate_nothing()
    {
        using var metrics = new ServerMetrics();
        Assert.False(ServerActivities.Source.HasListeners());
        var remote = new IPEndPoint(IPAddress.Loopback, 1234);
        Measure(metrics, remote, 100); // warm up: first calls may initialise statics

        var before = GC.GetAllocatedBytesForCurrentThread();
        Measure(metrics, remote, 10_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void With_a_listener_the_per_message_measurements_allocate_nothing()
    {
        using var metrics = new ServerMetrics();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        long total = 0;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => total += value);
        listener.Start();
        PerMessage(metrics, 100);

        var before = GC.GetAllocatedBytesForCurrentThread();
        PerMessage(metrics, 10_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(total > 0);
    }

    private static void PerMessage(ServerMetrics metrics, int times)
    {
        for (var i = 0; i < times; i++)
        {
            metrics.MessagesReceived(ServerTransport.WebSocket, "test.route");
            metrics.BytesReceived(ServerTransport.WebSocket, 64);
            metrics.Sent(ServerTransport.LongPolling, "test.note", 3, 64);
        }
    }

    private static void Measure(ServerMetrics metrics, IPEndPoint remote, int times)
    {
        for (var i = 0; i < times; i++)
        {
            PerMessage(metrics, 1);
            var counted = metrics.ConnectionOpened(ServerTransport.WebSocket, "/ws");
            metrics.ConnectionClosed(ServerTransport.WebSocket, "/ws", counted, Stopwatch.GetTimestamp());
            metrics.HandshakeRefused(ServerTransport.WebSocket, 404, RefusalReasons.NoRoute);
            metrics.SendQueueOverflow(ServerTransport.LongPolling);
            metrics.HandlerFailed(ServerTransport.WebSocket, HandlerKinds.Message, "test.route");
            metrics.LimitHit(ServerLimit.MessageRate);
            Assert.Null(ServerActivities.StartConnect(ServerTransport.WebSocket, remote));
        }
    }
}
