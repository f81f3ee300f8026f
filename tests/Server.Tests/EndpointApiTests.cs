using System.Collections.Concurrent;
using System.Threading.Channels;
using Switchboard.Client;
using Switchboard.Server.Engines;
using Switchboard.Server.WebSockets;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// The typed endpoint's addressing API (<see cref="MessageEndpoint"/>, <see cref="MessageContext"/>,
/// <see cref="Recipients"/>) against real clients on loopback. "Got nothing" is never judged by waiting: after the send
/// under test the endpoint sends a fence to everyone, and since a connection's messages arrive in order, what a client
/// holds when its fence arrives is everything the send gave it.
/// </summary>
public sealed class EndpointApiTests : IAsyncLifetime
{
    private const string Fence = "fence";
    private const string NoItem = "(none)";

    private readonly MessageEndpoint _endpoint = new(SwitchboardMessages.Catalog);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<MessageContext>> _connected = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _disconnected = new();
    private readonly List<Peer> _peers = [];
    private TestServer _server = null!;
    private int _fences;

    public Task InitializeAsync()
    {
        _endpoint
            .OnConnected(async context =>
            {
                await context.SetUserAsync(context.RouteValues["user"]);
                Slot(_connected, Key(context)).TrySetResult(context);
            })
            .OnDisconnected((context, _) =>
            {
                Slot(_disconnected, Key(context)).TrySetResult();
                return ValueTask.CompletedTask;
            })
            .On<Route>((context, route) =>
            {
                switch (route.Target)
                {
                    case "set":
                        context.Items["value"] = route.Name;
                        return context.SendAsync(new Note("set", route.Seq));
                    case "get":
                        var value = context.Items.TryGetValue("value", out var stored) ? (string?)stored : NoItem;
                        return context.SendAsync(new Note(value ?? "(null)", route.Seq));
                    default:
                        throw new ArgumentException(route.Target);
                }
            });
        _server = new TestServer(null, ("/ws/{user}/{tag}", _endpoint));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var peer in _peers) await peer.Client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Member_that_left_a_group_no_longer_gets_its_messages_nor_appears_in_it()
    {
        var (a, b, c) = await ConnectThreeAsync();
        foreach (var peer in new[] { a, b, c }) await peer.Context.JoinGroupAsync("room");
        await b.Context.JoinGroupAsync("other");

        await b.Context.LeaveGroupAsync("room");
        await _endpoint.Group("room").SendAsync(new Note("room", 1));
        var got = await FenceAsync();

        Assert.Equal([1], got[a]);
        Assert.Empty(got[b]);
        Assert.Equal([1], got[c]);
        Assert.Equal(Ids(a, c), Ids((await _endpoint.GroupMembersAsync("room"))));
        Assert.Equal(["other"], b.Context.Groups);
        Assert.Equal(["room"], a.Context.Groups);
        Assert.Equal(Ids(b), Ids((await _endpoint.GroupMembersAsync("other")))); // leaving one group keeps the others

        await b.Context.LeaveGroupAsync("room");  // again: nothing happens
        await b.Context.LeaveGroupAsync("never"); // never joined: nothing happens
        Assert.Equal(Ids(a, c), Ids((await _endpoint.GroupMembersAsync("room"))));
        await a.Context.LeaveGroupAsync("room");
        await c.Context.LeaveGroupAsync("room");
        Assert.Empty((await _endpoint.GroupMembersAsync("room")));
        Assert.Empty(a.Context.Groups);
    }

    [Fact]
    public async Task Group_members_are_exactly_the_open_connections_that_joined()
    {
        var (a, b, c) = await ConnectThreeAsync();
        await a.Context.JoinGroupAsync("red");
        await a.Context.JoinGroupAsync("red"); // twice: listed once
        await b.Context.JoinGroupAsync("red");
        await c.Context.JoinGroupAsync("blue");

        var red = await _endpoint.GroupMembersAsync("red");
        Assert.Equal(Ids(a, b), Ids(red));
        Assert.Equal(new GroupMember(c.Context.ConnectionId, c.User), Assert.Single(await _endpoint.GroupMembersAsync("blue")));
        Assert.Empty((await _endpoint.GroupMembersAsync("green")));
        Assert.Empty((await _endpoint.GroupMembersAsync("Red"))); // names are ordinal

        await DisconnectAsync(a);
        Assert.Equal(b.Context.ConnectionId, Assert.Single(await _endpoint.GroupMembersAsync("red")).ConnectionId);
        await _endpoint.Group("red").SendAsync(new Note("red", 2));
        var got = await FenceAsync();
        Assert.Equal([2], got[b]);
        Assert.Empty(got[c]);
    }

    [Fact]
    public async Task Items_set_in_one_handler_call_are_read_back_in_a_later_one_of_the_same_connection()
    {
        var a = await ConnectAsync("a", "0");
        var b = await ConnectAsync("b", "0");

        await a.Client.SendAsync(new Route("set", "first", 1));
        Assert.Equal(new Note("set", 1), await a.NextAsync());
        await a.Client.SendAsync(new Route("get", null, 2));
        Assert.Equal(new Note("first", 2), await a.NextAsync());

        await b.Client.SendAsync(new Route("get", null, 3)); // another connection has its own items
        Assert.Equal(new Note(NoItem, 3), await b.NextAsync());

        await a.Client.SendAsync(new Route("set", "second", 4));
        await a.Client.SendAsync(new Route("get", null, 5));
        Assert.Equal(new Note("set", 4), await a.NextAsync());
        Assert.Equal(new Note("second", 5), await a.NextAsync());
        Assert.Equal("second", a.Context.Items["value"]);
    }

    [Fact]
    public async Task Others_reaches_everyone_but_the_sender_exactly_once()
    {
        var peers = new List<Peer>();
        for (var i = 0; i < 6; i++) peers.Add(await ConnectAsync($"u{i % 3}", $"{i}")); // the sender's user has another connection
        var sender = peers[2];

        await sender.Context.Others.SendAsync(new Note("others", 7));
        var got = await FenceAsync();

        Assert.Empty(got[sender]);
        foreach (var peer in peers.Where(p => p != sender)) Assert.Equal([7], got[peer]);
    }

    [Fact]
    public async Task User_reaches_every_connection_of_that_user_and_no_other()
    {
        var alice = new[] { await ConnectAsync("alice", "0"), await ConnectAsync("alice", "1"), await ConnectAsync("alice", "2") };
        var bob = new[] { await ConnectAsync("bob", "0"), await ConnectAsync("bob", "1") };
        var carol = await ConnectAsync("carol", "0");
        var almost = await ConnectAsync("Alice", "0"); // names are ordinal

        await _endpoint.User("alice").SendAsync(new Note("alice", 1));
        await _endpoint.User("bob").SendAsync(new Note("bob", 2));
        await _endpoint.User("nobody").SendAsync(new Note("nobody", 3));
        var got = await FenceAsync();

        foreach (var peer in alice) Assert.Equal([1], got[peer]);
        foreach (var peer in bob) Assert.Equal([2], got[peer]);
        Assert.Empty(got[carol]);
        Assert.Empty(got[almost]);

        await DisconnectAsync(alice[1]);
        await _endpoint.User("alice").SendAsync(new Note("alice", 4));
        got = await FenceAsync();
        Assert.Equal([4], got[alice[0]]);
        Assert.Equal([4], got[alice[2]]);
        Assert.Empty(got[bob[0]]);
    }

    [Fact]
    public async Task Connection_reaches_exactly_one_connection_and_nothing_once_it_is_gone()
    {
        var (a, b, c) = await ConnectThreeAsync();
        var twin = await ConnectAsync(b.User, "twin"); // same user, different connection

        await _endpoint.Connection(b.Context.ConnectionId).SendAsync(new Note("one", 5));
        await a.Context.SendAsync(new Note("self", 6)); // MessageContext.SendAsync is the same thing
        var got = await FenceAsync();
        Assert.Empty(got[c]);
        Assert.Equal([5], got[b]);
        Assert.Equal([6], got[a]);
        Assert.Empty(got[twin]);

        var goneId = c.Context.ConnectionId;
        await DisconnectAsync(c);
        await _endpoint.Connection(goneId).SendAsync(new Note("gone", 7));
        await _endpoint.Connection(long.MaxValue).SendAsync(new Note("never", 8));
        got = await FenceAsync();
        Assert.Empty(got[a]);
        Assert.Empty(got[b]);
        Assert.Empty(got[twin]);
    }

    [Fact]
    public async Task Sending_to_an_empty_group_does_nothing()
    {
        var (a, b, _) = await ConnectThreeAsync();
        await a.Context.JoinGroupAsync("emptied");
        await a.Context.LeaveGroupAsync("emptied");

        await _endpoint.Group("never-joined").SendAsync(new Note("x", 1));
        await _endpoint.Group("emptied").SendAsync(new Note("x", 2));
        var got = await FenceAsync();

        Assert.All(got.Values, Assert.Empty);
        Assert.Equal(3, got.Count);
        await b.Client.SendAsync(new Route("get", null, 3)); // the connections are untouched
        Assert.Equal(new Note(NoItem, 3), await b.NextAsync());
    }

    [Fact]
    public async Task Users_lists_each_connected_user_once_in_ordinal_order()
    {
        var bob = await ConnectAsync("bob", "0");
        await ConnectAsync("bob", "1");
        await ConnectAsync("alice", "0");
        await ConnectAsync("Zed", "0");
        var carol = await ConnectAsync("carol", "0");
        await ConnectAsync("Alice", "0");
        await ConnectAsync("_x", "0");

        Assert.Equal(["Alice", "Zed", "_x", "alice", "bob", "carol"], await _endpoint.UsersAsync());

        await DisconnectAsync(carol); // a user's last connection: gone
        await DisconnectAsync(bob);   // one of two: still there
        Assert.Equal(["Alice", "Zed", "_x", "alice", "bob"], await _endpoint.UsersAsync());
        Assert.False(await _endpoint.IsConnectedAsync("carol"));
        Assert.True(await _endpoint.IsConnectedAsync("bob"));
    }

    [Fact]
    public async Task Everyone_is_whoever_is_connected_at_each_send()
    {
        var (a, b, c) = await ConnectThreeAsync();
        await _endpoint.All.SendAsync(new Note("all", 1));
        var d = await ConnectAsync("d", "0"); // after a send: the next one reaches it
        await _endpoint.All.SendAsync(new Note("all", 2));
        await DisconnectAsync(a);
        await _endpoint.All.SendAsync(new Note("all", 3));
        await b.Context.JoinGroupAsync("late");
        await _endpoint.Group("late").SendAsync(new Note("late", 4));
        var e = await ConnectAsync("e", "0");
        await e.Context.JoinGroupAsync("late");
        await _endpoint.Group("late").SendAsync(new Note("late", 5));
        var got = await FenceAsync();

        Assert.Equal([1, 2, 3, 4, 5], got[b]);
        Assert.Equal([2, 3], got[d]);
        Assert.Equal([5], got[e]);
        Assert.Equal([1, 2, 3], got[c]);
        Assert.Equal(4, _endpoint.ConnectionCount);
    }

    [Fact]
    public async Task Concurrent_broadcasts_reach_every_member_once_each_in_its_sender_order()
    {
        const int Senders = 4, PerSender = 150;
        var peers = new List<Peer>();
        for (var i = 0; i < 8; i++) peers.Add(await ConnectAsync($"u{i}", "0"));

        // Senders on several threads contend for each connection's write lock, so some sends wait for it; a frame
        // released before its waiting sends were done would show here as a wrong or garbled note.
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
        {
            for (var seq = 1; seq <= PerSender; seq++) await _endpoint.All.SendAsync(new Note($"s{s}", seq));
        })));
        var fence = ++_fences;
        await _endpoint.All.SendAsync(new Note(Fence, fence));

        foreach (var peer in peers)
        {
            var bySender = new Dictionary<string, List<int>>();
            while (await peer.NextAsync() is var note && note != new Note(Fence, fence))
            {
                if (!bySender.TryGetValue(note.From, out var seqs)) bySender[note.From] = seqs = [];
                seqs.Add(note.Seq);
            }
            Assert.Equal(Senders, bySender.Count);
            foreach (var seqs in bySender.Values) Assert.Equal(Enumerable.Range(1, PerSender), seqs);
        }
    }

    [Fact]
    public async Task A_member_closing_during_broadcasts_leaves_the_others_every_message()
    {
        var peers = new List<Peer>();
        for (var i = 0; i < 6; i++) peers.Add(await ConnectAsync($"u{i}", "0"));
        var leaving = peers[3];

        var sending = Task.Run(async () =>
        {
            for (var seq = 1; seq <= 300; seq++) await _endpoint.All.SendAsync(new Note("all", seq));
        });
        await leaving.NextAsync(); // the broadcasts have begun
        ((WebSocketConnection)leaving.Context.Channel).Abort();
        await sending; // no send fails for the dropped member
        await Slot(_disconnected, $"{leaving.User}/{leaving.Tag}").Task.WaitAsync(TimeSpan.FromSeconds(10));
        _peers.Remove(leaving);
        var got = await FenceAsync();

        foreach (var peer in peers.Where(p => p != leaving)) Assert.Equal(Enumerable.Range(1, 300), got[peer]);
    }

    private async Task<(Peer, Peer, Peer)> ConnectThreeAsync() =>
        (await ConnectAsync("a", "0"), await ConnectAsync("b", "0"), await ConnectAsync("c", "0"));

    private async Task<Peer> ConnectAsync(string user, string tag)
    {
        var notes = Channel.CreateUnbounded<Note>();
        var client = new SwitchboardClient(_server.Uri($"/ws/{user}/{tag}"), SwitchboardMessages.Catalog);
        client.On<Note>(note => notes.Writer.TryWrite(note));
        await client.ConnectAsync();
        var context = await Slot(_connected, $"{user}/{tag}").Task.WaitAsync(TimeSpan.FromSeconds(10));
        var peer = new Peer(user, tag, client, context, notes.Reader);
        _peers.Add(peer);
        return peer;
    }

    /// <summary>Closes the peer and waits, bounded, until the endpoint has forgotten it.</summary>
    private async Task DisconnectAsync(Peer peer)
    {
        await peer.Client.CloseAsync();
        await Slot(_disconnected, $"{peer.User}/{peer.Tag}").Task.WaitAsync(TimeSpan.FromSeconds(10));
        _peers.Remove(peer);
        await peer.Client.DisposeAsync();
    }

    /// <summary>Sends a fence to every connection and returns, per open peer, the sequence numbers it got before it.</summary>
    private async Task<Dictionary<Peer, int[]>> FenceAsync()
    {
        var fence = ++_fences;
        await _endpoint.All.SendAsync(new Note(Fence, fence));
        var got = new Dictionary<Peer, int[]>();
        foreach (var peer in _peers) got[peer] = await peer.UntilFenceAsync(fence);
        return got;
    }

    private static string Key(MessageContext context) => $"{context.RouteValues["user"]}/{context.RouteValues["tag"]}";

    private static TaskCompletionSource<T> Slot<T>(ConcurrentDictionary<string, TaskCompletionSource<T>> slots, string key) =>
        slots.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    private static TaskCompletionSource Slot(ConcurrentDictionary<string, TaskCompletionSource> slots, string key) =>
        slots.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    private static long[] Ids(params Peer[] peers) => [.. peers.Select(p => p.Context.ConnectionId).Order()];

    private static long[] Ids(IEnumerable<GroupMember> members) => [.. members.Select(m => m.ConnectionId).Order()];

    private sealed record Peer(string User, string Tag, SwitchboardClient Client, MessageContext Context, ChannelReader<Note> Notes)
    {
        public async Task<Note> NextAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return await Notes.ReadAsync(timeout.Token);
        }

        public async Task<int[]> UntilFenceAsync(int fence)
        {
            var before = new List<int>();
            while (await NextAsync() is var note && note != new Note(Fence, fence)) before.Add(note.Seq);
            return [.. before];
        }
    }
}
