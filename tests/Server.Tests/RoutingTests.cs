using System.Collections.Concurrent;
using Switchboard.Client;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// Hundreds of real client connections over loopback: every routing target delivers each message exactly once to
/// exactly the connections it names.
/// </summary>
public sealed class RoutingTests : IAsyncLifetime
{
    private const int Clients = 300;
    private const int Users = 100;   // three connections per user
    private const int Groups = 10;   // thirty connections per group

    private readonly MessageEndpoint _endpoint = new(SwitchboardMessages.Catalog);
    private readonly SwitchboardClient?[] _clients = new SwitchboardClient?[Clients]; // by route index
    private readonly ConcurrentDictionary<int, ConcurrentBag<(string From, int Seq)>> _received = new();
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _endpoint
            .OnConnected(async context =>
            {
                var index = int.Parse(context.RouteValues["index"], System.Globalization.CultureInfo.InvariantCulture);
                await context.SetUserAsync($"u{index % Users}");
                await context.JoinGroupAsync($"g{index % Groups}");
                context.Items["index"] = index;
            })
            .On<Route>((context, route) =>
            {
                var note = new Note(context.User!, route.Seq);
                return route.Target switch
                {
                    "all" => _endpoint.All.SendAsync(note),
                    "others" => context.Others.SendAsync(note),
                    "user" => _endpoint.User(route.Name!).SendAsync(note),
                    "group" => _endpoint.Group(route.Name!).SendAsync(note),
                    _ => throw new ArgumentException(route.Target),
                };
            });
        // 300 clients, every one from 127.0.0.1: the per-address cap is lifted to the server's.
        _server = new TestServer(new WebSocketServerOptions { MaxConnectionsPerAddress = WebSocketServerOptions.DefaultMaxConnections }, ("/ws/{index}", _endpoint));

        await Parallel.ForEachAsync(Enumerable.Range(0, Clients), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var client = new SwitchboardClient(_server.Uri($"/ws/{i}"), SwitchboardMessages.Catalog);
            var bag = _received.GetOrAdd(i, _ => []);
            client.On<Note>(note => bag.Add((note.From, note.Seq)));
            await client.ConnectAsync(ct);
            _clients[i] = client;
        });
        await Eventually.TrueAsync(() => _endpoint.ConnectionCount == Clients, () => $"{Clients} connections; the endpoint has {_endpoint.ConnectionCount}");
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(_clients.OfType<SwitchboardClient>().Select(c => c.DisposeAsync().AsTask()));
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Routes_deliver_exactly_once_to_exactly_their_targets()
    {
        // Sender i sends to: everyone, everyone else, a user, a group. Every client is a sender once.
        // Seq is unique per request: the sender's route index times ten, plus a last digit that says which route it took.
        var senders = _clients.Select((client, index) => (client: client!, seq: index * 10)).ToArray();
        await Parallel.ForEachAsync(senders, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (sender, ct) =>
        {
            var (client, seq) = sender;
            await client.SendAsync(new Route("all", null, seq), ct);
            await client.SendAsync(new Route("others", null, seq + 1), ct);
            await client.SendAsync(new Route("user", "u7", seq + 2), ct);
            await client.SendAsync(new Route("group", "g3", seq + 3), ct);
        });

        await Eventually.TrueAsync(() => _received.Values.Sum(b => b.Count) >= ExpectedTotal(), "every routed note arrived");
        // Anything extra (a duplicate) would arrive before a marker sent after it: each sender sends one more note to
        // everyone (route index 9), and once every connection holds every sender's marker, every earlier note has arrived.
        await Parallel.ForEachAsync(senders, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (sender, ct) =>
            await sender.client.SendAsync(new Route("all", null, sender.seq + 9), ct));
        await Eventually.TrueAsync(() => _received.Values.All(b => b.Count(n => n.Seq % 10 == 9) == Clients), "every sender's marker reached every connection");

        Assert.Equal(ExpectedTotal(), _received.Values.Sum(b => b.Count(n => n.Seq % 10 != 9)));
        var everyone = Enumerable.Range(0, Clients).ToArray();
        foreach (var (connection, bag) in _received)
        {
            var notes = bag.ToArray();
            Assert.Equal(notes.Length, notes.Distinct().Count()); // no duplicates
            Assert.All(notes, n => Assert.Equal($"u{n.Seq / 10 % Users}", n.From)); // each note names its sender's user
            // Who reached this connection by each route, not just how many: "others" lacks exactly the connection itself.
            Assert.Equal(everyone, SendersOf(notes, 0));
            Assert.Equal(everyone.Where(i => i != connection), SendersOf(notes, 1));
            Assert.Equal(connection % Users == 7 ? everyone : [], SendersOf(notes, 2));
            Assert.Equal(connection % Groups == 3 ? everyone : [], SendersOf(notes, 3));
        }
    }

    /// <summary>The route indexes of the senders whose request for <paramref name="route"/> reached a connection, in order.</summary>
    private static int[] SendersOf((string From, int Seq)[] notes, int route) =>
        [.. notes.Where(n => n.Seq % 10 == route).Select(n => n.Seq / 10).Order()];

    private static int ExpectedTotal() =>
        Clients * Clients                    // all
        + Clients * (Clients - 1)            // others
        + Clients * (Clients / Users)        // the three connections of u7
        + Clients * (Clients / Groups);      // the thirty members of g3
}
