using System.Collections.Concurrent;
using Switchboard.Client;
using Switchboard.Messaging;
using Switchboard.Testing;

namespace Switchboard.Redis.Tests.Endpoints;

/// <summary>
/// A real <see cref="SwitchboardClient"/> whose notes, joined notices and answers land in one log, in the order the
/// client raised them.
/// </summary>
internal sealed class Peer : IAsyncDisposable
{
    private Peer(Uri uri, SwitchboardTransport transport, IReadOnlyDictionary<string, StreamPosition>? positions)
    {
        Client = new SwitchboardClient(uri, SwitchboardMessages.Catalog, new SwitchboardClientOptions
        {
            Transport = transport,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
            Positions = positions,
        });
        Client.On<Note>(note => Log.Enqueue($"note {note.From} {note.Seq}"));
        Client.On<Welcome>(welcome =>
        {
            if (welcome.Ok) ConnectionId = welcome.ConnectionId;
            Log.Enqueue($"welcome {welcome.User} {welcome.Ok}");
        });
        Client.On<JoinedRoom>(joined => Log.Enqueue($"joined-reply {joined.Group} {joined.Recovered} {joined.Offset}"));
        Client.GroupJoined += (_, e) => Log.Enqueue($"notice {e.Group} {e.Recovered?.ToString() ?? "null"} {e.Offset}");
        Client.StateChanged += (_, e) =>
        {
            if (e.Current == ConnectionState.Connected) Connects.Enqueue(Environment.TickCount64);
        };
    }

    public SwitchboardClient Client { get; }

    public ConcurrentQueue<string> Log { get; } = new();

    public ConcurrentQueue<long> Connects { get; } = new();

    public long ConnectionId { get; private set; }

    public static async Task<Peer> ConnectAsync(Uri uri, SwitchboardTransport transport, IReadOnlyDictionary<string, StreamPosition>? positions = null)
    {
        var peer = new Peer(uri, transport, positions);
        await peer.Client.ConnectAsync();
        return peer;
    }

    /// <summary>Names the connection and waits for the answer.</summary>
    public async Task<bool> LoginAsync(string user, bool unique = false)
    {
        var before = Count($"welcome {user} ");
        await Client.SendAsync(new Login(user, unique));
        await Eventually.TrueAsync(() => Count($"welcome {user} ") > before, $"{user}'s login answered");
        return Log.Last(l => l.StartsWith($"welcome {user} ", StringComparison.Ordinal)).EndsWith("True", StringComparison.Ordinal);
    }

    /// <summary>Joins <paramref name="group"/> and waits for the endpoint's answer, which follows the notice and the replay.</summary>
    public async Task JoinAsync(string group, int history = 0)
    {
        var before = Count($"joined-reply {group} ");
        await Client.SendAsync(new JoinRoom(group, history));
        await WaitForAsync($"joined-reply {group} ", before + 1);
    }

    public int Count(string prefix) => Log.Count(l => l.StartsWith(prefix, StringComparison.Ordinal));

    public Task WaitForAsync(string prefix, int count = 1) =>
        Eventually.TrueAsync(() => Count(prefix) >= count, () => $"{count} of '{prefix}'; the log holds: {string.Join(" | ", Log)}");

    /// <summary>The notes' sequence numbers in the order they came.</summary>
    public int[] Notes() => [.. Log.Where(l => l.StartsWith("note ", StringComparison.Ordinal)).Select(l => int.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))];

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
