using System.Collections.Concurrent;
using Switchboard.Client;
using Switchboard.Messaging;
using Switchboard.Server;
using Switchboard.Server.Engines;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Tests.Client;

/// <summary>
/// SwitchboardClient's recovery against a real typed endpoint on the in-memory engine, over both transports: the same
/// client after a server-side close, a new client seeded with positions, and a position of an epoch the history never had.
/// </summary>
public sealed class RealServerRecoveryTests
{
    private sealed class Room : IAsyncDisposable
    {
        public Room()
        {
            Endpoint = new MessageEndpoint(SwitchboardMessages.Catalog)
            {
                History = group => group == "room" ? new GroupHistory { MaxLength = 100 } : null,
            };
            Endpoint
                .On<Enter>(async (context, enter) =>
                {
                    Connections[context.ConnectionId] = context;
                    var joined = await context.JoinGroupAsync(enter.Group, enter.History);
                    await context.SendAsync(new Entered(enter.Group, joined.Recovered?.ToString() ?? "null", joined.Position?.Offset ?? -1));
                })
                .On<Say>((context, say) => context.Endpoint.Group(say.Group).SendAsync(new Said(say.Text)));
            Server = new WebSocketServer();
            Server.Map("/room", Endpoint);
            Server.Start();
        }

        public MessageEndpoint Endpoint { get; }

        public WebSocketServer Server { get; }

        public ConcurrentDictionary<long, MessageContext> Connections { get; } = new();

        public Uri Uri => new($"ws://127.0.0.1:{Server.LocalEndPoint.Port}/room");

        public async ValueTask DisposeAsync()
        {
            await Server.StopAsync();
            await Endpoint.DisposeAsync();
        }
    }

    /// <summary>A client whose notices, messages and answers land in one log.</summary>
    private sealed class Member : IAsyncDisposable
    {
        public Member(Uri uri, SwitchboardTransport transport, IReadOnlyDictionary<string, StreamPosition>? positions = null)
        {
            Client = new SwitchboardClient(uri, SwitchboardMessages.Catalog, new SwitchboardClientOptions
            {
                Transport = transport,
                ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
                ReconnectMaxDelay = TimeSpan.FromMilliseconds(100),
                Positions = positions,
            });
            Client.GroupJoined += (_, e) => Add($"notice {e.Group} {e.Recovered?.ToString() ?? "null"} {e.Offset}");
            Client.On<Said>(said => Add($"said {said.Text}"));
            Client.On<Entered>(entered => Add($"entered {entered.Recovered} {entered.Offset}"));
            Client.StateChanged += (_, e) =>
            {
                if (e.Current == ConnectionState.Connected) Interlocked.Increment(ref _connects);
                Changes.Pulse();
            };
        }

        private int _connects;

        public SwitchboardClient Client { get; }

        public ConcurrentQueue<string> Log { get; } = new();

        public Changes Changes { get; } = new();

        public int Connects => Volatile.Read(ref _connects);

        private void Add(string line)
        {
            Log.Enqueue(line);
            Changes.Pulse();
        }

        public async Task EnterAsync(int history = 0)
        {
            var before = Log.Count(l => l.StartsWith("entered ", StringComparison.Ordinal));
            await Client.SendAsync(new Enter("room", history));
            await Changes.UntilAsync(() => Log.Count(l => l.StartsWith("entered ", StringComparison.Ordinal)) > before, () => $"entered; log: {string.Join(" | ", Log)}");
        }

        public Task HasAsync(string line) => Changes.UntilAsync(() => Log.Contains(line), () => $"'{line}'; log: {string.Join(" | ", Log)}");

        public ValueTask DisposeAsync() => Client.DisposeAsync();
    }

    private static async Task SayAsync(Member speaker, Member witness, int from, int to)
    {
        for (var i = from; i <= to; i++) await speaker.Client.SendAsync(new Say("room", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await witness.HasAsync($"said {to}");
    }

    private static IEnumerable<string> Said(int from, int to) => Enumerable.Range(from, to - from + 1).Select(i => $"said {i}");

    [Theory]
    [InlineData(SwitchboardTransport.WebSocket)]
    [InlineData(SwitchboardTransport.LongPolling)]
    public async Task The_same_client_closed_by_the_server_recovers_exactly_what_it_missed(SwitchboardTransport transport)
    {
        await using var room = new Room();
        await using var speaker = new Member(room.Uri, SwitchboardTransport.WebSocket);
        await using var client = new Member(room.Uri, transport);
        await speaker.Client.ConnectAsync();
        await client.Client.ConnectAsync();
        await speaker.EnterAsync();
        await client.EnterAsync();
        await SayAsync(speaker, client, 1, 5);

        // Closed by the server: the client comes back as a new connection, which is in no group until it joins again,
        // so what is said meanwhile is missed.
        var id = room.Connections.Keys.Max(); // the client entered after the speaker, so its id is the later one
        await room.Connections[id].CloseAsync(CloseCode.ServiceRestart, "restarting");
        await client.Changes.UntilAsync(() => client.Connects == 2, "the client back");
        await SayAsync(speaker, speaker, 6, 9);
        client.Log.Clear();
        await client.EnterAsync();
        await SayAsync(speaker, client, 10, 10);
        Assert.Equal(["notice room True 9", .. Said(6, 9), "entered True 9", "said 10"], client.Log);
        Assert.Equal(10, client.Client.Positions["room"].Offset);
    }

    [Theory]
    [InlineData(SwitchboardTransport.WebSocket)]
    [InlineData(SwitchboardTransport.LongPolling)]
    public async Task A_new_client_seeded_with_positions_recovers_and_an_unknown_epoch_gets_the_last_messages(SwitchboardTransport transport)
    {
        await using var room = new Room();
        await using var speaker = new Member(room.Uri, SwitchboardTransport.WebSocket);
        await speaker.Client.ConnectAsync();
        await speaker.EnterAsync();
        IReadOnlyDictionary<string, StreamPosition> saved;
        await using (var first = new Member(room.Uri, transport))
        {
            await first.Client.ConnectAsync();
            await first.EnterAsync();
            await SayAsync(speaker, first, 1, 3);
            saved = first.Client.Positions;
        }
        await SayAsync(speaker, speaker, 4, 6);

        await using var second = new Member(room.Uri, transport, saved);
        await second.Client.ConnectAsync();
        await second.EnterAsync(history: 2);
        Assert.Equal(["notice room True 6", .. Said(4, 6), "entered True 6"], second.Log);

        await using var stale = new Member(room.Uri, transport, new Dictionary<string, StreamPosition> { ["room"] = new("gone", 2) });
        await stale.Client.ConnectAsync();
        await stale.EnterAsync(history: 2);
        Assert.Equal(["notice room False 6", .. Said(5, 6), "entered False 6"], stale.Log);
        Assert.Equal(new StreamPosition(saved["room"].Epoch, 6), stale.Client.Positions["room"]);

        // A second join: nothing replayed, nothing announced; the live messages still come once.
        await stale.EnterAsync(history: 2);
        await SayAsync(speaker, stale, 7, 7);
        Assert.Equal(["entered null -1", "said 7"], stale.Log.Skip(4));
    }
}
