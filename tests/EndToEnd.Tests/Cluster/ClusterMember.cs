using System.Net.Security;
using Chat;
using Switchboard.Client;
using Switchboard.Messaging;
using Switchboard.Testing;

namespace Switchboard.EndToEnd.Tests.Cluster;

/// <summary>
/// A chat user on one node, through Switchboard's .NET client: everything it receives, in order, the joined notices
/// and its connection states, each change announced so that tests wait for the event they need.
/// </summary>
internal sealed class ClusterMember : IAsyncDisposable
{
    private readonly List<object> _seen = [];
    private readonly List<GroupJoinedEventArgs> _joins = [];
    private readonly List<ConnectionStateChangedEventArgs> _states = [];

    private ClusterMember(string name, SwitchboardClient client)
    {
        Name = name;
        Client = client;
    }

    public string Name { get; }

    public SwitchboardClient Client { get; }

    public Changes Changes { get; } = new();

    /// <summary>Every chat message received, in order of arrival.</summary>
    public IReadOnlyList<object> Seen
    {
        get { lock (_seen) return [.. _seen]; }
    }

    public IReadOnlyList<GroupJoinedEventArgs> Joins
    {
        get { lock (_seen) return [.. _joins]; }
    }

    public IReadOnlyList<ConnectionStateChangedEventArgs> States
    {
        get { lock (_seen) return [.. _states]; }
    }

    public IEnumerable<T> All<T>() => Seen.OfType<T>();

    /// <summary>Connects <paramref name="name"/> to the chat node at <paramref name="node"/>, without waiting for the roster.</summary>
    public static async Task<ClusterMember> ConnectAsync(Uri node, string name, SwitchboardTransport transport,
        IReadOnlyDictionary<string, StreamPosition>? positions = null, RemoteCertificateValidationCallback? certificates = null)
    {
        var client = new SwitchboardClient(new Uri(node, "/ws/" + Uri.EscapeDataString(name)), SwitchboardMessages.Catalog, new SwitchboardClientOptions
        {
            Transport = transport,
            Positions = positions,
            Connection = new WebSocketClientOptions { RemoteCertificateValidation = certificates },
            // An outage of Redis lasts seconds here: come back soon after it ends.
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
        });
        var member = new ClusterMember(name, client);
        client.On<Roster>(member.Receive);
        client.On<ChatMessage>(member.Receive);
        client.On<DirectMessage>(member.Receive);
        client.On<UserJoined>(member.Receive);
        client.On<UserLeft>(member.Receive);
        client.On<ChatError>(member.Receive);
        client.GroupJoined += (_, e) =>
        {
            lock (member._seen) member._joins.Add(e);
            member.Changes.Pulse();
        };
        client.StateChanged += (_, e) =>
        {
            lock (member._seen) member._states.Add(e);
            member.Changes.Pulse();
        };
        await client.ConnectAsync();
        return member;
    }

    /// <summary>Connects and waits for the roster: the member is in the room.</summary>
    public static async Task<ClusterMember> JoinAsync(Uri node, string name, SwitchboardTransport transport,
        IReadOnlyDictionary<string, StreamPosition>? positions = null, RemoteCertificateValidationCallback? certificates = null)
    {
        var member = await ConnectAsync(node, name, transport, positions, certificates);
        await member.UntilAsync<Roster>(_ => true, "the roster");
        return member;
    }

    public Task UntilAsync<T>(Func<T, bool> match, string what, TimeSpan? within = null) =>
        Changes.UntilAsync(() => All<T>().Any(match), () => $"{Name} never received {what}; received: {string.Join(" | ", Seen)}", within);

    /// <summary>The texts of the room messages from <paramref name="sender"/>, in the order received.</summary>
    public List<string> TextsFrom(string sender) => [.. All<ChatMessage>().Where(m => m.Sender == sender).Select(m => m.Text)];

    /// <summary>Sends <paramref name="text"/> to the room and waits until it comes back: the room has it.</summary>
    public async Task SayAsync(string text)
    {
        await Client.SendAsync(new SendChat(text));
        await UntilAsync<ChatMessage>(m => m.Sender == Name && m.Text == text, $"its own '{text}'");
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();

    private void Receive<T>(T message) where T : notnull
    {
        lock (_seen) _seen.Add(message);
        Changes.Pulse();
    }
}
