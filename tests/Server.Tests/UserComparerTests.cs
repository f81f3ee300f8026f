using System.Collections.Concurrent;
using System.Threading.Channels;
using Switchboard.Client;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// <see cref="MessageEndpoint.UserComparer"/>: one comparer for unique claims, user recipients, presence and the user
/// list, against real clients on loopback. Each connection claims the user in its route with
/// <see cref="MessageContext.TrySetUniqueUserAsync"/> and the outcome is recorded per route.
/// </summary>
public sealed class UserComparerTests
{
    [Fact]
    public async Task Ignoring_case_a_name_is_claimed_once_and_kept_as_its_owner_spelled_it()
    {
        await using var room = new Room(StringComparer.OrdinalIgnoreCase);
        var owner = await room.ConnectAsync("Alice");
        var rival = await room.ConnectAsync("aLICE");

        Assert.True(owner.Claimed);
        Assert.False(rival.Claimed);
        Assert.Equal("Alice", owner.Context.User);
        Assert.Null(rival.Context.User);
        Assert.Equal(["Alice"], await room.Endpoint.UsersAsync());
        Assert.True(await room.Endpoint.IsConnectedAsync("ALICE"));
        Assert.True(await room.Endpoint.IsConnectedAsync("alice"));
        Assert.False(await room.Endpoint.IsConnectedAsync("alicia"));

        // A user's recipients are found in any case; the rival, who has no user, gets nothing.
        await room.Endpoint.User("alice").SendAsync(new Note("to alice", 1));
        await room.Endpoint.All.SendAsync(new Note("all", 2));
        Assert.Equal(new Note("to alice", 1), await owner.NextAsync());
        Assert.Equal(new Note("all", 2), await owner.NextAsync());
        Assert.Equal(new Note("all", 2), await rival.NextAsync());

        // Once the owner has gone the name is free again, in any case.
        await owner.Client.CloseAsync();
        await owner.Disconnected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(await room.Endpoint.IsConnectedAsync("alice"));
        var next = await room.ConnectAsync("ALICE");
        Assert.True(next.Claimed);
        Assert.Equal(["ALICE"], await room.Endpoint.UsersAsync());
    }

    [Fact]
    public async Task Ordinal_by_default_so_names_in_another_case_are_other_users()
    {
        await using var room = new Room(comparer: null);
        var lower = await room.ConnectAsync("bob");
        var upper = await room.ConnectAsync("Bob");

        Assert.Same(StringComparer.Ordinal, room.Endpoint.UserComparer);
        Assert.True(lower.Claimed);
        Assert.True(upper.Claimed);
        Assert.Equal(["Bob", "bob"], await room.Endpoint.UsersAsync());
        Assert.False(await room.Endpoint.IsConnectedAsync("BOB"));
    }

    [Fact]
    public async Task Setting_the_same_user_in_another_case_renames_the_connection_in_place()
    {
        await using var room = new Room(StringComparer.OrdinalIgnoreCase);
        var carol = await room.ConnectAsync("carol");

        await carol.Context.SetUserAsync("Carol");

        Assert.Equal("Carol", carol.Context.User);
        Assert.Equal(["Carol"], await room.Endpoint.UsersAsync());
        Assert.True(await carol.Context.TrySetUniqueUserAsync("cArOl")); // its own name: still its own
    }

    [Fact]
    public async Task The_comparer_cannot_change_once_the_engine_is_open()
    {
        await using var room = new Room(comparer: null);
        var dave = await room.ConnectAsync("dave");

        Assert.Throws<InvalidOperationException>(() => room.Endpoint.UserComparer = StringComparer.OrdinalIgnoreCase);
        Assert.Throws<ArgumentNullException>(() => room.Endpoint.UserComparer = null!);
        Assert.Same(StringComparer.Ordinal, room.Endpoint.UserComparer);
        Assert.True(await room.Endpoint.IsConnectedAsync("dave"));
        Assert.False(await room.Endpoint.IsConnectedAsync("Dave"));

        await dave.Client.CloseAsync();
        await dave.Disconnected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // The engine compares users by it too: nobody left, still fixed.
        Assert.Throws<InvalidOperationException>(() => room.Endpoint.UserComparer = StringComparer.OrdinalIgnoreCase);
        Assert.True((await room.ConnectAsync("erin")).Claimed);
        Assert.False(await room.Endpoint.IsConnectedAsync("ERIN"));
    }

    /// <summary>An endpoint at <c>/ws/{user}</c> whose connections claim their route's user uniquely.</summary>
    private sealed class Room : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource<(MessageContext, bool)>> _connected = new();
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _disconnected = new();
        private readonly List<SwitchboardClient> _clients = [];
        private readonly TestServer _server;

        public Room(StringComparer? comparer)
        {
            Endpoint = new MessageEndpoint(SwitchboardMessages.Catalog);
            if (comparer is not null) Endpoint.UserComparer = comparer;
            Endpoint
                .OnConnected(async context =>
                {
                    var claimed = await context.TrySetUniqueUserAsync(context.RouteValues["user"]);
                    Slot(_connected, context.RouteValues["user"]).TrySetResult((context, claimed));
                })
                .OnDisconnected((context, _) =>
                {
                    Slot(_disconnected, context.RouteValues["user"]).TrySetResult();
                    return ValueTask.CompletedTask;
                });
            _server = new TestServer(null, ("/ws/{user}", Endpoint));
        }

        public MessageEndpoint Endpoint { get; }

        public async Task<Peer> ConnectAsync(string user)
        {
            var notes = Channel.CreateUnbounded<Note>();
            var client = new SwitchboardClient(_server.Uri($"/ws/{user}"), SwitchboardMessages.Catalog);
            _clients.Add(client);
            client.On<Note>(note => notes.Writer.TryWrite(note));
            await client.ConnectAsync();
            var (context, claimed) = await Slot(_connected, user).Task.WaitAsync(TimeSpan.FromSeconds(10));
            return new Peer(client, context, claimed, notes.Reader, Slot(_disconnected, user));
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in _clients) await client.DisposeAsync();
            await _server.DisposeAsync();
        }

        private static TaskCompletionSource<T> Slot<T>(ConcurrentDictionary<string, TaskCompletionSource<T>> slots, string key) =>
            slots.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

        private static TaskCompletionSource Slot(ConcurrentDictionary<string, TaskCompletionSource> slots, string key) =>
            slots.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    private sealed record Peer(SwitchboardClient Client, MessageContext Context, bool Claimed, ChannelReader<Note> Notes, TaskCompletionSource Disconnected)
    {
        public async Task<Note> NextAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return await Notes.ReadAsync(timeout.Token);
        }
    }
}
