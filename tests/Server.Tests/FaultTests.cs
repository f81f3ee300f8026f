using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Switchboard.Client;
using Switchboard.Connections;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// Peers that vanish (a reset, a silent half-open path, a long-polling client that never comes back) and a server that
/// restarts under its clients, over real sockets on loopback: the server forgets each lost connection exactly once,
/// its counts return to where they were, and the rest of the room keeps getting its messages.
/// </summary>
public sealed class FaultTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    public static TheoryData<string> Moments => ["idle", "mid-frame", "mid-fragmented-message", "fin-mid-frame", "after-close-frame-sent"];

    [Theory]
    [MemberData(nameof(Moments))]
    public async Task Vanished_peer_is_forgotten_once_and_the_room_keeps_getting_messages(string moment)
    {
        var room = new CountingRoom();
        await using var server = new TestServer(null, ("/room/{name}", room.Endpoint));
        await using var reader = await Member.JoinAsync(server.Uri("/room/reader"), SwitchboardTransport.WebSocket);
        await using var sender = await Member.JoinAsync(server.Uri("/room/sender"), SwitchboardTransport.WebSocket);

        using var victim = await RawClient.ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 101 ", await victim.UpgradeAsync("/room/victim"), StringComparison.Ordinal);
        // A connection is counted when it opens, before its connected hook has run: wait for the hook.
        await Eventually.TrueAsync(() => room.Endpoint.ConnectionCount == 3 && room.HasConnected("victim"), "the victim joined");
        var victimId = room.IdOf("victim");

        switch (moment)
        {
            case "mid-frame":
                await victim.SendAsync([.. RawFrames.Header(0x81, 200), .. "{\"type\":\"test.route\""u8.ToArray()]);
                break;
            case "mid-fragmented-message":
                var fragment = "{\"type\":\"test.route\",\"data\":"u8.ToArray();
                await victim.SendAsync([.. RawFrames.Header(0x01, fragment.Length), .. fragment]);
                break;
            case "fin-mid-frame":
                await victim.SendAsync([.. RawFrames.Header(0x82, 1000), 1, 2, 3]);
                break;
            case "after-close-frame-sent":
                await victim.SendAsync(RawFrames.Close());
                break;
        }
        if (moment == "fin-mid-frame") victim.Finish();
        else victim.Reset();

        await Eventually.TrueAsync(() => room.EndedCount(victimId) == 1, "the victim's end ran");
        await server.WaitForConnectionCountAsync(2);

        const int Messages = 50;
        for (var i = 0; i < Messages; i++) await sender.Client.SendAsync(new Route("all", null, i));
        await Eventually.TrueAsync(() => reader.NotesFrom("sender").Count == Messages, "the reader got every message");
        Assert.Equal(Enumerable.Range(0, Messages), reader.NotesFrom("sender"));
        Assert.Equal(1, room.EndedCount(victimId));

        await reader.Client.CloseAsync();
        await sender.Client.CloseAsync();
        await AssertServerIsEmptyAsync(server.Server);
        Assert.All(room.Ended.Values, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task Half_open_connection_is_dropped_by_the_keepalive_timeout_on_both_sides_and_the_client_reconnects()
    {
        var room = new CountingRoom();
        var options = new WebSocketServerOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(200), KeepAliveTimeout = TimeSpan.FromMilliseconds(600) };
        await using var server = new TestServer(options, ("/room/{name}", room.Endpoint));
        await using var front = new TcpFront(server.Server.LocalEndPoint.Port, refuseWebSocket: false);
        await using var reader = await Member.JoinAsync(server.Uri("/room/reader"), SwitchboardTransport.WebSocket);
        // The client pings too; its heartbeat runs once a second, so it notices within a few seconds.
        var clientSession = new WebSocketSessionOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(500), KeepAliveTimeout = TimeSpan.FromMilliseconds(1000) };
        await using var victim = await Member.JoinAsync(front.Uri("/room/victim"), SwitchboardTransport.WebSocket, clientSession);
        await Eventually.TrueAsync(() => room.Endpoint.ConnectionCount == 2, "both joined");
        var firstId = room.IdOf("victim");

        // The path goes silent: no FIN, no reset, nothing either way, as when a cable is pulled or a NAT forgets the flow.
        front.BlackHoleConnections();

        await Eventually.TrueAsync(() => room.EndedCount(firstId) == 1, "the server dropped the silent peer");
        Assert.Null(room.Status[firstId]); // no close frame: the peer is presumed dead
        await Eventually.TrueAsync(() => victim.States.Contains(ConnectionState.Reconnecting), "the client noticed the dead path");
        await Eventually.TrueAsync(() => victim.Client.State == ConnectionState.Connected && room.Endpoint.ConnectionCount == 2 && room.IdOf("victim") != firstId,
            "the client reconnected through the front");

        await victim.Client.SendAsync(new Route("all", null, 7));
        await Eventually.TrueAsync(() => reader.NotesFrom("victim").Contains(7), "a message after the reconnect arrived");
        Assert.Equal(1, room.EndedCount(firstId));
        Assert.Equal(2, server.Server.ConnectionCount);

        await victim.Client.CloseAsync();
        await reader.Client.CloseAsync();
        await AssertServerIsEmptyAsync(server.Server);
    }

    [Fact]
    public async Task Long_polling_client_on_a_half_open_path_recovers_and_the_server_lets_the_dead_connections_go()
    {
        var room = new CountingRoom();
        var options = new WebSocketServerOptions
        {
            HttpIdleTimeout = TimeSpan.FromSeconds(1),
            LongPolling = new LongPollingOptions { HoldTime = TimeSpan.FromMilliseconds(300), IdleTimeout = TimeSpan.FromSeconds(3) },
        };
        await using var server = new TestServer(options, ("/room/{name}", room.Endpoint));
        await using var front = new TcpFront(server.Server.LocalEndPoint.Port);
        await using var reader = await Member.JoinAsync(server.Uri("/room/reader"), SwitchboardTransport.WebSocket);
        // A request with no answer within this (past the hold time, for a poll) counts as lost and is sent again.
        await using var victim = await Member.JoinAsync(front.Uri("/room/victim"), SwitchboardTransport.LongPolling, connectTimeout: TimeSpan.FromSeconds(3));
        await victim.Client.SendAsync(new Route("all", null, 1));
        await Eventually.TrueAsync(() => reader.NotesFrom("victim").Contains(1), "the victim's first message arrived");

        front.BlackHoleConnections();
        await victim.Client.SendAsync(new Route("all", null, 2));
        await victim.Client.SendAsync(new Route("all", null, 3));

        // The requests on the dead connections time out and go again over new ones: within the session, or, when the
        // retries fail for too long, on a new session that gets what the old one never confirmed. Either way, once.
        await Eventually.TrueAsync(() => reader.NotesFrom("victim").Contains(3), "the messages sent into the silent path arrived", TimeSpan.FromSeconds(30));
        Assert.Equal([1, 2, 3], reader.NotesFrom("victim"));

        // The server's side of each silenced connection ends at the HTTP idle timeout, and a session left behind expires.
        await victim.Client.CloseAsync();
        await reader.Client.CloseAsync();
        await AssertServerIsEmptyAsync(server.Server);
        Assert.All(room.Ended.Values, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task Long_polling_session_whose_client_vanishes_expires_once()
    {
        var room = new CountingRoom();
        var options = new WebSocketServerOptions
        {
            // The idle timeout outlasts a cold start's first requests (the setup of the held poll takes four of them).
            LongPolling = new LongPollingOptions { HoldTime = TimeSpan.FromMilliseconds(300), IdleTimeout = TimeSpan.FromSeconds(2) },
        };
        await using var server = new TestServer(options, ("/room/{name}", room.Endpoint));
        var port = server.Server.LocalEndPoint.Port;

        // One client is reset while its poll is held; another opens a session and is never heard of again.
        using (var polling = await RawClient.ConnectAsync(port))
        {
            var opened = await polling.RequestAsync("POST", "/room/polling?transport=longpolling");
            Assert.Equal(200, opened.Status);
            var token = System.Text.Json.JsonDocument.Parse(opened.Text).RootElement.GetProperty("session").GetString()!;
            await HoldPollAsync(server.Server, polling, "/room/polling", token);
            polling.Reset();
        }
        using (var quiet = await RawClient.ConnectAsync(port))
        {
            var status = (await quiet.RequestAsync("POST", "/room/quiet?transport=longpolling")).Status;
            Assert.Equal(200, status);
            quiet.Reset();
        }
        var quietId = room.IdOf("quiet");
        var pollingId = room.IdOf("polling");

        await Eventually.TrueAsync(() => server.Server.LongPollingSessionCount == 0, "the sessions expired");
        await Eventually.TrueAsync(() => room.EndedCount(quietId) == 1 && room.EndedCount(pollingId) == 1, "each session ended");
        Assert.Null(room.Status[quietId]);
        Assert.Null(room.Status[pollingId]);
        await AssertServerIsEmptyAsync(server.Server);
        // A later sweep must not end them again. The marker: a third session, opened now and never polled, whose
        // expiry shows that a sweep has run since.
        using (var marker = await RawClient.ConnectAsync(port))
        {
            Assert.Equal(200, (await marker.RequestAsync("POST", "/room/marker?transport=longpolling")).Status);
        }
        var markerId = room.IdOf("marker");
        await Eventually.TrueAsync(() => room.EndedCount(markerId) == 1, "the marker session expired");
        Assert.Equal(1, room.EndedCount(quietId));
        Assert.Equal(1, room.EndedCount(pollingId));
    }

    [Fact]
    public async Task Stopping_the_server_ends_every_long_polling_session_once_even_one_that_is_not_polling()
    {
        var room = new CountingRoom();
        var server = new WebSocketServer(new WebSocketServerOptions { LongPolling = new LongPollingOptions { HoldTime = TimeSpan.FromSeconds(5) } });
        server.Map("/room/{name}", room.Endpoint);
        server.Start();
        var port = server.LocalEndPoint.Port;
        try
        {
            // One client has its poll held when the server stops; one is between polls (and can never reach it again).
            using var polling = await RawClient.ConnectAsync(port);
            var opened = await polling.RequestAsync("POST", "/room/polling?transport=longpolling");
            Assert.Equal(200, opened.Status);
            var token = System.Text.Json.JsonDocument.Parse(opened.Text).RootElement.GetProperty("session").GetString()!;
            await HoldPollAsync(server, polling, "/room/polling", token);
            using var idle = await RawClient.ConnectAsync(port);
            Assert.Equal(200, (await idle.RequestAsync("POST", "/room/idle?transport=longpolling")).Status);
            Assert.Equal(2, server.LongPollingSessionCount);

            await server.StopAsync().WaitAsync(Bound);

            Assert.Equal(0, server.LongPollingSessionCount);
            Assert.Equal(1, room.EndedCount(room.IdOf("idle")));
            Assert.Null(room.Status[room.IdOf("idle")]); // never told: it ends as a dropped socket does
            Assert.Equal(1, room.EndedCount(room.IdOf("polling")));
            Assert.Equal(CloseCode.GoingAway, room.Status[room.IdOf("polling")]); // its poll carried the 1001
            Assert.Equal(0, room.Endpoint.ConnectionCount);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Clients_of_both_transports_reconnect_after_a_server_restart_and_every_message_sent_after_it_reaches_everyone()
    {
        const int PerTransport = 4;
        var firstRoom = new CountingRoom();
        var first = StartServer(0, firstRoom);
        var port = first.LocalEndPoint.Port;
        var uri = new Uri($"ws://127.0.0.1:{port}");
        var members = new List<Member>();
        try
        {
            for (var i = 0; i < PerTransport * 2; i++)
            {
                var transport = i % 2 == 0 ? SwitchboardTransport.WebSocket : SwitchboardTransport.LongPolling;
                members.Add(await Member.JoinAsync(new Uri(uri, $"/room/m{i}"), transport));
            }
            await Eventually.TrueAsync(() => firstRoom.Endpoint.ConnectionCount == members.Count, "everyone joined");
            Assert.Equal(PerTransport, first.ConnectionCount);
            Assert.Equal(PerTransport, first.LongPollingSessionCount);

            await first.DisposeAsync();
            await Eventually.TrueAsync(() => members.All(m => m.States.Contains(ConnectionState.Reconnecting)), "every client noticed the restart");
            Assert.Equal(0, first.ConnectionCount);
            Assert.Equal(0, first.LongPollingSessionCount);

            var secondRoom = new CountingRoom();
            await using var second = StartServer(port, secondRoom);
            await Eventually.TrueAsync(() => members.All(m => m.Client.State == ConnectionState.Connected) && secondRoom.Endpoint.ConnectionCount == members.Count,
                "every client reconnected to the new server");
            Assert.Equal(PerTransport, second.ConnectionCount);
            Assert.Equal(PerTransport, second.LongPollingSessionCount);
            Assert.All(members, m => Assert.Equal(
                [ConnectionState.Connecting, ConnectionState.Connected, ConnectionState.Reconnecting, ConnectionState.Connected], m.Transitions()));

            const int Messages = 10;
            var sends = members.Select(async (m, i) =>
            {
                for (var seq = 0; seq < Messages; seq++) await m.Client.SendAsync(new Route("all", null, seq));
            });
            await Task.WhenAll(sends);
            for (var i = 0; i < members.Count; i++)
            {
                var from = $"m{i}";
                await Eventually.TrueAsync(() => members.All(m => m.NotesFrom(from).Count >= Messages), $"everyone got every message of {from}");
                Assert.All(members, m => Assert.Equal(Enumerable.Range(0, Messages), m.NotesFrom(from)));
            }

            foreach (var member in members) await member.Client.CloseAsync();
            await AssertServerIsEmptyAsync(second);
            Assert.All(secondRoom.Ended.Values, count => Assert.Equal(1, count));
        }
        finally
        {
            foreach (var member in members) await member.DisposeAsync();
            await first.DisposeAsync();
        }
    }

    /// <summary>
    /// Sends a poll of the room's only long-polling session <paramref name="token"/> on <paramref name="raw"/>, and returns
    /// once the server holds it. The session is first sent one message (the room's note for a route it is sent), which
    /// the poll acknowledges: the server lets go of that message's bytes under the session's lock in the same step in
    /// which it starts to hold the poll, so its queued bytes falling to zero is the poll being held.
    /// </summary>
    private static async Task HoldPollAsync(WebSocketServer server, RawClient raw, string path, string token)
    {
        var target = $"{path}?session={Uri.EscapeDataString(token)}";
        var body = Encoding.UTF8.GetBytes("""[{"type":"test.route","data":{"target":"all","name":null,"seq":1}}]""");
        await raw.SendAsync($"POST {target}&seq=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
        await raw.SendAsync(body);
        var sent = await raw.ReadResponseAsync();
        Assert.True(sent.Status is 200 or 204, $"the send got {sent.Status}: {sent.Text}");
        var first = await raw.RequestAsync("GET", $"{target}&ack=0");
        Assert.True(first.Status == 200, $"the first poll got {first.Status}: {first.Text}"); // the note, at seq 1
        Assert.NotEqual(0, server.LongPollingQueuedBytes);
        await raw.SendGetAsync($"{target}&ack=1");
        await Eventually.TrueAsync(() => server.LongPollingQueuedBytes == 0, "the poll acknowledged the note and is held");
    }

    /// <summary>Every count of the server is back to zero, bounded: connections, sessions, sockets and their tasks.</summary>
    internal static async Task AssertServerIsEmptyAsync(WebSocketServer server)
    {
        await Eventually.TrueAsync(() => server.ConnectionCount == 0 && server.LongPollingSessionCount == 0 && server.OpenSocketCount == 0
            && server.RunningSessionCount == 0,
            () => $"the server is empty (connections {server.ConnectionCount}, long-polling sessions {server.LongPollingSessionCount}, "
                + $"sockets {server.OpenSocketCount}, session tasks {server.RunningSessionCount})");
    }

    private static WebSocketServer StartServer(int port, CountingRoom room)
    {
        var server = new WebSocketServer(new WebSocketServerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, port),
            // No session here is left to expire: the first server's end with its stop, the second's when their clients
            // close. A session whose client, stalled in a busy test process, has not polled yet within the idle timeout
            // of its open does expire, and its client rightly reconnects a second time (404 on its first poll): the
            // timeout is kept far above any such stall so that the one reconnect counted is the restart's.
            LongPolling = new LongPollingOptions { HoldTime = TimeSpan.FromSeconds(1), IdleTimeout = TimeSpan.FromSeconds(30) },
        });
        server.Map("/room/{name}", room.Endpoint);
        server.Start();
        return server;
    }
}

/// <summary>
/// A room for fault tests: <c>test.route</c> with target <c>all</c> is broadcast as a <see cref="Note"/> from the sender's
/// name; every connection's end is counted, so an end that runs twice (or never) shows.
/// </summary>
internal sealed class CountingRoom
{
    private readonly ConcurrentDictionary<string, long> _ids = new(StringComparer.Ordinal);

    public CountingRoom()
    {
        Endpoint = new MessageEndpoint(SwitchboardMessages.Catalog)
            .OnConnected(context =>
            {
                _ids[context.RouteValues["name"]] = context.ConnectionId;
                return ValueTask.CompletedTask;
            })
            .OnDisconnected((context, status) =>
            {
                Status[context.ConnectionId] = status;
                Ended.AddOrUpdate(context.ConnectionId, 1, (_, count) => count + 1);
                return ValueTask.CompletedTask;
            })
            .On<Route>((context, route) => context.Endpoint.All.SendAsync(new Note(context.RouteValues["name"], route.Seq)));
    }

    public MessageEndpoint Endpoint { get; }

    /// <summary>How many times each connection's end ran.</summary>
    public ConcurrentDictionary<long, int> Ended { get; } = new();

    /// <summary>The close code each ended connection reported.</summary>
    public ConcurrentDictionary<long, CloseCode?> Status { get; } = new();

    /// <summary>Whether the connected hook of <paramref name="name"/>'s connection has run.</summary>
    public bool HasConnected(string name) => _ids.ContainsKey(name);

    public long IdOf(string name) => _ids.TryGetValue(name, out var id) ? id : throw new InvalidOperationException($"{name} never connected");

    public int EndedCount(long id) => Ended.GetValueOrDefault(id);
}

/// <summary>A client of a <see cref="CountingRoom"/>, with what it received and the states it went through.</summary>
internal sealed class Member : IAsyncDisposable
{
    private readonly ConcurrentQueue<(string From, int Seq)> _notes = new();
    private readonly ConcurrentQueue<ConnectionState> _states = new();

    public Member(SwitchboardClient client)
    {
        Client = client;
        client.StateChanged += (_, e) => _states.Enqueue(e.Current);
        client.On<Note>(note => _notes.Enqueue((note.From, note.Seq)));
    }

    public SwitchboardClient Client { get; }

    /// <summary>Connects a client that records every note and every state it goes through.</summary>
    public static async Task<Member> JoinAsync(Uri uri, SwitchboardTransport transport, WebSocketSessionOptions? session = null, TimeSpan? connectTimeout = null)
    {
        var client = new SwitchboardClient(uri, SwitchboardMessages.Catalog, new SwitchboardClientOptions
        {
            Transport = transport,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(300),
            Connection = new WebSocketClientOptions { Session = session ?? WebSocketSessionOptions.Default, ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(5) },
        });
        var member = new Member(client);
        await client.ConnectAsync();
        return member;
    }

    public IReadOnlyCollection<ConnectionState> States => _states;

    public List<int> NotesFrom(string from) => [.. _notes.Where(n => n.From == from).Select(n => n.Seq)];

    /// <summary>The states without repeats (a failed retry reports Reconnecting again).</summary>
    public ConnectionState[] Transitions()
    {
        var all = _states.ToArray();
        return [.. all.Where((state, i) => i == 0 || state != all[i - 1])];
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
