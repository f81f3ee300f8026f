using System.Collections.Concurrent;
using System.Net;
using Switchboard.Client;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>SwitchboardClient over HTTP long polling, and its WebSocket fallback, against the real server on loopback.</summary>
public sealed class LongPollingClientTests
{
    private static readonly SwitchboardClientOptions LongPolling = new()
    {
        Transport = SwitchboardTransport.LongPolling,
        ReconnectInitialDelay = TimeSpan.FromMilliseconds(50),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    [Fact]
    public async Task Typed_round_trip_over_forced_long_polling()
    {
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog).On<Route>((context, route) => context.SendAsync(new Note(route.Target, route.Seq)));
        await using var server = new TestServer(null, ("/typed", endpoint));
        var notes = new ConcurrentQueue<Note>();
        var client = new SwitchboardClient(server.Uri("/typed"), SwitchboardMessages.Catalog, LongPolling);
        var connected = new TaskCompletionSource<SwitchboardTransport?>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.StateChanged += (_, e) => { if (e.Current == ConnectionState.Connected) connected.TrySetResult(e.Transport); };
        client.On<Note>(notes.Enqueue);

        await client.ConnectAsync();
        Assert.Equal(SwitchboardTransport.LongPolling, client.Transport);
        Assert.Equal(SwitchboardTransport.LongPolling, await connected.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, server.Server.LongPollingSessionCount);
        Assert.Equal(0, server.Server.ConnectionCount);

        await client.SendAsync(new Route("echo", null, 7));
        await client.SendAsync(new Route("again", "x", 8));
        await WaitUntilAsync(() => notes.Count == 2);
        Assert.Equal([new Note("echo", 7), new Note("again", 8)], notes);

        await client.DisposeAsync(); // DELETE: the session ends as a close with 1000
        await WaitUntilAsync(() => server.Server.LongPollingSessionCount == 0);
        Assert.Equal(ConnectionState.Closed, client.State);
    }

    [Fact]
    public async Task Room_mixing_websocket_and_long_polling_clients_delivers_every_route_exactly_once()
    {
        // Client i uses WebSocket when i is even and long polling when odd; clients 2k and 2k+1 are user uk, so every
        // user and every group (g0: users 0 and 2, g1: users 1 and 3) spans both transports.
        const int Clients = 8;
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog);
        endpoint
            .OnConnected(async context =>
            {
                var index = int.Parse(context.RouteValues["index"], System.Globalization.CultureInfo.InvariantCulture);
                await context.SetUserAsync($"u{index / 2}");
                await context.JoinGroupAsync($"g{index / 2 % 2}");
            })
            .On<Route>((context, route) =>
            {
                var note = new Note(context.User!, route.Seq);
                return route.Target switch
                {
                    "all" => endpoint.All.SendAsync(note),
                    "user" => endpoint.User(route.Name!).SendAsync(note),
                    "group" => endpoint.Group(route.Name!).SendAsync(note),
                    _ => throw new ArgumentException(route.Target),
                };
            });
        await using var server = new TestServer(null, ("/ws/{index}", endpoint));

        var received = Enumerable.Range(0, Clients).Select(_ => new ConcurrentQueue<Note>()).ToArray();
        var clients = new SwitchboardClient[Clients];
        try
        {
            for (var i = 0; i < Clients; i++)
            {
                var transport = i % 2 == 0 ? SwitchboardTransport.WebSocket : SwitchboardTransport.LongPolling;
                clients[i] = new SwitchboardClient(server.Uri($"/ws/{i}"), SwitchboardMessages.Catalog, new SwitchboardClientOptions { Transport = transport });
                clients[i].On<Note>(received[i].Enqueue);
                await clients[i].ConnectAsync();
                Assert.Equal(transport, clients[i].Transport);
            }
            await WaitUntilAsync(() => endpoint.ConnectionCount == Clients);
            Assert.Equal(Clients / 2, server.Server.ConnectionCount);
            Assert.Equal(Clients / 2, server.Server.LongPollingSessionCount);

            // Sender i: to everyone (seq 10i), to the next user (10i+1), to the other group (10i+2), then a marker to
            // everyone (10i+9). A sender's notes reach each recipient in order, so a client with every marker has all.
            static int UserOf(int i) => i / 2;
            static int GroupOf(int i) => i / 2 % 2;
            await Task.WhenAll(clients.Select(async (client, i) =>
            {
                await client.SendAsync(new Route("all", null, 10 * i));
                await client.SendAsync(new Route("user", $"u{(UserOf(i) + 1) % 4}", 10 * i + 1));
                await client.SendAsync(new Route("group", $"g{1 - GroupOf(i)}", 10 * i + 2));
                await client.SendAsync(new Route("all", null, 10 * i + 9));
            }));
            await WaitUntilAsync(() => received.All(notes => notes.Count(n => n.Seq % 10 == 9) == Clients));

            for (var j = 0; j < Clients; j++)
            {
                var expected = new List<Note>();
                for (var i = 0; i < Clients; i++)
                {
                    var from = $"u{UserOf(i)}";
                    expected.Add(new Note(from, 10 * i));
                    if ((UserOf(i) + 1) % 4 == UserOf(j)) expected.Add(new Note(from, 10 * i + 1));
                    if (1 - GroupOf(i) == GroupOf(j)) expected.Add(new Note(from, 10 * i + 2));
                    expected.Add(new Note(from, 10 * i + 9));
                }
                Assert.Equal(expected.OrderBy(n => n.Seq), received[j].OrderBy(n => n.Seq));
            }
        }
        finally
        {
            await Task.WhenAll(clients.OfType<SwitchboardClient>().Select(c => c.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task Auto_falls_back_to_long_polling_when_the_upgrade_is_refused_and_keeps_it_across_reconnects()
    {
        var received = new ConcurrentQueue<int>();
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog).On<Route>((context, route) =>
        {
            received.Enqueue(route.Seq);
            return context.SendAsync(new Note(route.Target, route.Seq));
        });
        await using var server = new TestServer(null, ("/typed", endpoint));
        await using var front = new TcpFront(server.Server.LocalEndPoint.Port);
        var notes = new ConcurrentQueue<Note>();
        var options = new SwitchboardClientOptions { ReconnectInitialDelay = TimeSpan.FromMilliseconds(50), ReconnectMaxDelay = TimeSpan.FromMilliseconds(200) };
        await using var client = new SwitchboardClient(front.Uri("/typed"), SwitchboardMessages.Catalog, options);
        client.On<Note>(notes.Enqueue);

        await client.ConnectAsync();
        Assert.Equal(SwitchboardTransport.LongPolling, client.Transport);
        Assert.Equal(1, front.UpgradesRefused);
        await client.SendAsync(new Route("fallback", null, 1));
        await WaitUntilAsync(() => notes.Count == 1);
        Assert.Equal(new Note("fallback", 1), notes.Single());

        // A lost session: the client opens a new one over long polling, with no new upgrade attempt.
        front.DropConnections();
        await using var second = new TestServer(null, ("/typed", endpoint));
        front.BackendPort = second.Server.LocalEndPoint.Port;
        await client.SendAsync(new Route("after", null, 2));
        await WaitUntilAsync(() => second.Server.LongPollingSessionCount == 1 && received.Count == 2);
        Assert.Equal(1, front.UpgradesRefused);
        Assert.Equal(SwitchboardTransport.LongPolling, client.Transport);

        // Without the front, Auto takes WebSocket.
        await using var direct = new SwitchboardClient(server.Uri("/typed"), SwitchboardMessages.Catalog);
        await direct.ConnectAsync();
        Assert.Equal(SwitchboardTransport.WebSocket, direct.Transport);
    }

    [Fact]
    public async Task Forced_websocket_does_not_fall_back()
    {
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog);
        await using var server = new TestServer(null, ("/typed", endpoint));
        await using var front = new TcpFront(server.Server.LocalEndPoint.Port);
        await using var client = new SwitchboardClient(front.Uri("/typed"), SwitchboardMessages.Catalog,
            new SwitchboardClientOptions { Transport = SwitchboardTransport.WebSocket });
        var refused = await Assert.ThrowsAsync<SwitchboardConnectionException>(() => client.ConnectAsync());
        Assert.Equal(SwitchboardConnectionErrorKind.HandshakeFailed, refused.Kind);
        Assert.Equal(400, refused.StatusCode);
        Assert.Equal(ConnectionState.Closed, client.State);
        Assert.Equal(0, server.Server.LongPollingSessionCount);
    }

    [Fact]
    public async Task Policy_close_in_a_poll_ends_the_client_without_reconnecting()
    {
        var opened = 0;
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog).OnConnected(context =>
        {
            Interlocked.Increment(ref opened);
            return context.CloseAsync(CloseCode.PolicyViolation, "go away");
        });
        await using var server = new TestServer(null, ("/typed", endpoint));
        var closed = new TaskCompletionSource<ConnectionStateChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = new SwitchboardClient(server.Uri("/typed"), SwitchboardMessages.Catalog,
            new SwitchboardClientOptions { Transport = SwitchboardTransport.LongPolling, ReconnectInitialDelay = TimeSpan.FromMilliseconds(10) });
        client.StateChanged += (_, e) => { if (e.Current == ConnectionState.Closed) closed.TrySetResult(e); };

        await client.ConnectAsync();
        var end = await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(CloseCode.PolicyViolation, end.CloseStatus);
        Assert.Equal(SwitchboardTransport.LongPolling, end.Transport);
        Assert.Equal(ConnectionState.Closed, client.State);
        await WaitUntilAsync(() => server.Server.LongPollingSessionCount == 0);
        Assert.Equal(1, Volatile.Read(ref opened));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await client.SendAsync(new Route("late", null, 0)));
    }

    [Fact]
    public async Task Lost_session_reconnects_with_a_new_session_and_delivers_what_was_sent_meanwhile_in_order()
    {
        // The server behind the front dies without a word and another one takes its place: the session is unknown there (404).
        var first = new ConcurrentQueue<int>();
        var second = new ConcurrentQueue<int>();
        await using var before = new TestServer(null, ("/typed", Recorder(first)));
        await using var after = new TestServer(null, ("/typed", Recorder(second)));
        await using var front = new TcpFront(before.Server.LocalEndPoint.Port);
        var states = new ConcurrentQueue<ConnectionState>();
        var logs = new RecordingLoggerFactory();
        await using var client = new SwitchboardClient(front.Uri("/typed"), SwitchboardMessages.Catalog, LongPolling, logs);
        client.StateChanged += (_, e) => states.Enqueue(e.Current);
        await client.ConnectAsync();
        await client.SendAsync(new Route("r", null, 0));
        await WaitUntilAsync(() => first.Count == 1);

        front.BackendPort = after.Server.LocalEndPoint.Port;
        front.DropConnections();
        for (var i = 1; i <= 20; i++) await client.SendAsync(new Route("r", null, i));

        await WaitUntilAsync(() => second.Contains(20));
        Assert.Equal([0], first);
        // Message 0 goes again only when the answer to its POST was lost with the dropped connections before the client
        // read it (docs/protocol.md: an envelope whose POST got no answer may reach the server twice).
        Assert.Equal(Enumerable.Range(second.First(), 21 - second.First()), second);
        Assert.InRange(second.First(), 0, 1);
        await WaitUntilAsync(() => client.State == ConnectionState.Connected && after.Server.LongPollingSessionCount == 1);
        var transitions = states.Where((state, i) => i == 0 || state != states.ElementAt(i - 1)).ToArray();
        Assert.Equal([ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Reconnecting, ConnectionState.Connected], transitions);
        Assert.Contains(logs.Events, e => e.Id.Id == 313 && e.Message.EndsWith("answered 404 (0: no answer)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Server_stop_reaches_the_poll_and_the_client_reconnects_to_the_next_server()
    {
        var received = new ConcurrentQueue<int>();
        var first = StartServer(0, received);
        var port = first.LocalEndPoint.Port;
        await using var client = new SwitchboardClient(new Uri($"ws://127.0.0.1:{port}/typed"), SwitchboardMessages.Catalog, LongPolling);
        await client.ConnectAsync();
        await client.SendAsync(new Route("r", null, 0));
        await WaitUntilAsync(() => received.Count == 1);

        await first.StopAsync(); // 1001 going away, in the held poll: the client retries
        await WaitUntilAsync(() => client.State == ConnectionState.Reconnecting);
        for (var i = 1; i <= 20; i++) await client.SendAsync(new Route("r", null, i)); // queued

        await using var second = StartServer(port, received);
        await WaitUntilAsync(() => client.State == ConnectionState.Connected && received.Count == 21);
        Assert.Equal(Enumerable.Range(0, 21), received);
        Assert.Equal(SwitchboardTransport.LongPolling, client.Transport);
    }

    [Fact]
    public async Task Burst_of_500_sends_arrives_in_order_exactly_once()
    {
        var received = new ConcurrentQueue<int>();
        await using var server = new TestServer(null, ("/typed", Recorder(received)));
        await using var client = new SwitchboardClient(server.Uri("/typed"), SwitchboardMessages.Catalog, LongPolling);
        await client.ConnectAsync();
        for (var i = 0; i < 500; i++) await client.SendAsync(new Route("burst", null, i));
        await client.SendAsync(new Route("last", null, 500));
        await WaitUntilAsync(() => received.Contains(500));
        Assert.Equal(Enumerable.Range(0, 501), received);
    }

    [Fact]
    public async Task Close_delivers_what_was_sent_before_it()
    {
        var received = new ConcurrentQueue<int>();
        var disconnected = new TaskCompletionSource<CloseCode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var endpoint = Recorder(received).OnDisconnected((_, status) =>
        {
            disconnected.TrySetResult(status);
            return ValueTask.CompletedTask;
        });
        await using var server = new TestServer(null, ("/typed", endpoint));
        var client = new SwitchboardClient(server.Uri("/typed"), SwitchboardMessages.Catalog, LongPolling);
        await client.ConnectAsync();
        for (var i = 0; i < 50; i++) await client.SendAsync(new Route("bye", null, i));
        await client.CloseAsync();
        Assert.Equal(CloseCode.NormalClosure, await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(Enumerable.Range(0, 50), received);
        await client.DisposeAsync();
    }

    private static MessageEndpoint Recorder(ConcurrentQueue<int> received) => new MessageEndpoint(SwitchboardMessages.Catalog).On<Route>((_, route) =>
    {
        received.Enqueue(route.Seq);
        return ValueTask.CompletedTask;
    });

    private static WebSocketServer StartServer(int port, ConcurrentQueue<int> received)
    {
        var server = new WebSocketServer(new WebSocketServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, port) });
        server.Map("/typed", Recorder(received));
        server.Start();
        return server;
    }

    private static Task WaitUntilAsync(Func<bool> condition, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(condition))] string what = "")
        => Eventually.TrueAsync(condition, what);
}
