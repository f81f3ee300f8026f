using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Switchboard.Client;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>The client's own limits, against real sockets: the connect timeout and the cap on reconnect attempts.</summary>
public sealed class ClientLimitTests
{
    [Fact]
    public async Task Server_that_accepts_but_never_answers_the_upgrade_fails_the_connect_after_ConnectTimeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptSocketAsync(); // holds the connection, says nothing
        await using var client = new SwitchboardClient(new Uri($"ws://127.0.0.1:{port}/ws"), SwitchboardMessages.Catalog, new SwitchboardClientOptions
        {
            Transport = SwitchboardTransport.WebSocket,
            Connection = new WebSocketClientOptions { ConnectTimeout = TimeSpan.FromMilliseconds(300) },
            MaxConnectAttempts = 1,
        });

        var started = Environment.TickCount64;
        var failed = await Assert.ThrowsAsync<SwitchboardConnectionException>(() => client.ConnectAsync().WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(SwitchboardConnectionErrorKind.Timeout, failed.Kind);
        Assert.InRange(Environment.TickCount64 - started, 250, 10_000);
        Assert.Equal(ConnectionState.Closed, client.State);
        (await accepted).Dispose();
    }

    [Fact]
    public async Task Client_gives_up_after_MaxReconnectAttempts_and_is_closed()
    {
        var server = new WebSocketServer();
        server.Map("/ws", new MessageEndpoint(SwitchboardMessages.Catalog));
        server.Start();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failedAttempts = 0;
        await using var client = new SwitchboardClient(new Uri($"ws://127.0.0.1:{server.LocalEndPoint.Port}/ws"), SwitchboardMessages.Catalog, new SwitchboardClientOptions
        {
            Transport = SwitchboardTransport.WebSocket,
            MaxReconnectAttempts = 3,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(10),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(20),
        });
        client.StateChanged += (_, e) =>
        {
            if (e.Previous == ConnectionState.Reconnecting && e.Current == ConnectionState.Reconnecting && e.Error is not null) Interlocked.Increment(ref failedAttempts);
            if (e.Current == ConnectionState.Closed) closed.TrySetResult();
        };
        await client.ConnectAsync();

        await server.DisposeAsync(); // nothing listens on the port any more: every retry is refused
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(3, Volatile.Read(ref failedAttempts));
        Assert.Equal(ConnectionState.Closed, client.State);
    }
}

/// <summary><see cref="FrameReaderOptions.MaxMessageSize"/> over long polling: an envelope over it closes the session with 1009.</summary>
public sealed class LongPollingEnvelopeLimitTests
{
    [Fact]
    public async Task Envelope_over_MaxMessageSize_closes_the_session_with_1009()
    {
        var ended = new TaskCompletionSource<CloseCode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = 0;
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog)
            .OnDisconnected((_, status) =>
            {
                ended.TrySetResult(status);
                return ValueTask.CompletedTask;
            })
            .On<Route>((_, _) =>
            {
                Interlocked.Increment(ref received);
                return ValueTask.CompletedTask;
            });
        var options = new WebSocketServerOptions
        {
            Frames = new FrameReaderOptions { MaxMessageSize = 1024 },
            LongPolling = new LongPollingOptions { HoldTime = TimeSpan.FromSeconds(2) },
        };
        await using var server = new TestServer(options, ("/lp", endpoint));
        using var metrics = new LimitMetrics(server.Server);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        var url = $"http://127.0.0.1:{server.Server.LocalEndPoint.Port}/lp";

        using var open = await http.PostAsync(url + "?transport=longpolling", null);
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        using var openBody = JsonDocument.Parse(await open.Content.ReadAsStringAsync());
        var session = Uri.EscapeDataString(openBody.RootElement.GetProperty("session").GetString()!);

        var small = """{"type":"test.route","data":{"target":"x","name":null,"seq":1}}""";
        var big = $$$"""{"type":"test.route","data":{"target":"{{{new string('x', 1100)}}}","name":null,"seq":2}}""";
        using var send = await http.PostAsync($"{url}?session={session}&seq=1", new StringContent($"[{small},{big}]", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, send.StatusCode);

        using var poll = await http.GetAsync($"{url}?session={session}&ack=0");
        using var answer = JsonDocument.Parse(await poll.Content.ReadAsStringAsync());
        Assert.Equal(1009, answer.RootElement.GetProperty("close").GetProperty("code").GetInt32());
        Assert.Equal(CloseCode.MessageTooBig, await ended.Task.WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(1, received); // the envelope within the limit was delivered, the one over it was not
        Assert.Equal(1, metrics[Switchboard.Server.Diagnostics.ServerLimit.LongPollingEnvelopeSize]); // counted before the send was answered
    }
}
