using System.Collections.Concurrent;
using System.Net.WebSockets;
using Switchboard.Client;
using Switchboard.Server.Engines;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests.Engines;

/// <summary>
/// The endpoint's side of the engine seam with an engine that numbers its node and acts on it as a scale-out engine
/// would: cluster-wide connection ids, an interruption closing everyone with 1012, and connections another node lost
/// getting their disconnected hook here.
/// </summary>
public sealed class EngineNodeTests
{
    [Fact]
    public async Task Connection_ids_carry_the_node_number_in_their_high_bits_and_reach_their_connection()
    {
        var engine = new NodeEngine(5);
        var connected = new TaskCompletionSource<MessageContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog) { Engine = engine };
        endpoint.OnConnected(c =>
        {
            connected.TrySetResult(c);
            return ValueTask.CompletedTask;
        });
        await using var server = new TestServer(null, ("/ws", endpoint));
        var notes = System.Threading.Channels.Channel.CreateUnbounded<Note>();
        await using var client = new SwitchboardClient(server.Uri("/ws"), SwitchboardMessages.Catalog);
        client.On<Note>(n => notes.Writer.TryWrite(n));
        await client.ConnectAsync();

        var context = await connected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(5, context.ConnectionId >> 40);
        Assert.NotEqual(0, context.ConnectionId & ((1L << 40) - 1));
        await endpoint.Connection(context.ConnectionId).SendAsync(new Note("to you", 1));
        await context.SendAsync(new Note("reply", 2));
        Assert.Equal(new Note("to you", 1), await notes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(new Note("reply", 2), await notes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task An_interrupted_engine_closes_every_connection_with_1012_and_its_reason()
    {
        var engine = new NodeEngine(0);
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog) { Engine = engine };
        await using var server = new TestServer(null, ("/ws", endpoint));
        using var first = await server.ConnectAsync("/ws");
        using var second = await server.ConnectAsync("/ws");
        await Eventually.TrueAsync(() => endpoint.ConnectionCount == 2, "two connections");

        (await engine.Node).Interrupted("the store went away");

        foreach (var socket in new[] { first, second })
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var result = await socket.ReceiveAsync(new byte[256], timeout.Token);
            Assert.Equal(WebSocketMessageType.Close, result.MessageType);
            Assert.Equal((WebSocketCloseStatus)1012, socket.CloseStatus);
            Assert.Equal("the store went away", socket.CloseStatusDescription);
        }
        await Eventually.TrueAsync(() => endpoint.ConnectionCount == 0, "everyone gone");
    }

    [Fact]
    public async Task Connections_another_node_lost_get_the_disconnected_hook_here_with_their_user_and_groups()
    {
        var engine = new NodeEngine(1);
        var ended = new ConcurrentQueue<(long Id, string? User, string[] Groups, CloseCode? Status)>();
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog) { Engine = engine };
        endpoint.OnDisconnected(async (c, status) =>
        {
            await c.SendAsync(new Note("goes nowhere", 1)); // no error: there is no one to send to
            ended.Enqueue((c.ConnectionId, c.User, [.. c.Groups.Order(StringComparer.Ordinal)], status));
        });
        await using var server = new TestServer(null, ("/ws", endpoint));
        using var bystander = await server.ConnectAsync("/ws"); // the engine is open once a connection is
        await Eventually.TrueAsync(() => endpoint.ConnectionCount == 1, "the bystander");

        var lost = new[]
        {
            new ConnectionPresence((2L << 40) | 7, "ghost", ["room", "lobby"]),
            new ConnectionPresence((2L << 40) | 8, null, []),
        };
        await (await engine.Node).ConnectionsLostAsync(lost);

        Assert.Equal(
            [((2L << 40) | 7, (string?)"ghost", (string[])["lobby", "room"], (CloseCode?)null), ((2L << 40) | 8, null, [], null)],
            ended.ToArray());
        Assert.Equal(1, endpoint.ConnectionCount);
    }

    [Fact]
    public async Task Presence_is_asked_of_the_engine()
    {
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog) { Engine = new NodeEngine(3) };
        var claims = new ConcurrentDictionary<string, bool>();
        endpoint.OnConnected(async c =>
        {
            var name = c.RouteValues["name"];
            claims[c.RouteValues["tag"]] = await c.TrySetUniqueUserAsync(name);
            await c.JoinGroupAsync("g");
        });
        await using var server = new TestServer(null, ("/ws/{name}/{tag}", endpoint));
        using var a = await server.ConnectAsync("/ws/ann/1");
        using var b = await server.ConnectAsync("/ws/ann/2");
        using var c = await server.ConnectAsync("/ws/bob/3");
        await Eventually.TrueAsync(() => claims.Count == 3, "three connected");

        Assert.Equal([true, false, true], [claims["1"], claims["2"], claims["3"]]);
        Assert.Equal(["ann", "bob"], await endpoint.UsersAsync());
        Assert.True(await endpoint.IsConnectedAsync("bob"));
        var members = await endpoint.GroupMembersAsync("g");
        Assert.Equal(3, members.Count);
        Assert.All(members, m => Assert.Equal(3, m.ConnectionId >> 40));
        Assert.Equal(["ann", "bob"], members.Where(m => m.User is not null).Select(m => m.User!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_engine_that_fails_to_open_fails_the_first_send_and_is_tried_again_by_the_next()
    {
        var engine = new FlakyEngine();
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog) { Engine = engine };
        var failure = await Assert.ThrowsAsync<EngineUnavailableException>(() => endpoint.All.SendAsync(new Note("x", 1)).AsTask());
        Assert.Equal("down", failure.Message);
        await endpoint.All.SendAsync(new Note("x", 2)); // the second open succeeds
        Assert.Equal(2, engine.Opens);
        Assert.Throws<InvalidOperationException>(() => endpoint.Engine = null);
    }

    private sealed class FlakyEngine : IMessageEngine
    {
        public int Opens { get; private set; }

        public ValueTask<IEndpointEngine> OpenAsync(EngineEndpoint endpoint, CancellationToken cancellationToken)
        {
            if (++Opens == 1) throw new EngineUnavailableException("down");
            return new InMemoryEngine().OpenAsync(endpoint, cancellationToken);
        }
    }
}
