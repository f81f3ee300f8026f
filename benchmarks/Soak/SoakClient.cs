using System.Diagnostics;
using System.Globalization;
using Chat;
using Switchboard.Client;

namespace Switchboard.Soak;

/// <summary>
/// One chat member of the soak: sends numbered, timestamped messages and checks that it receives every other member's
/// messages, in order per sender, while both are in the room.
/// </summary>
/// <remarks>
/// What counts as lost: the server broadcasts each message to the members of the room at that moment, over each
/// member's one connection, in one order; a reconnect is a new join. So for each sender S, a receiver's
/// <em>window</em> on S starts at the first live message of S it receives once it is in the room (after a message it
/// sent on its current connection has come back to it, which tells it the join's history replay is over) and ends when S leaves or rejoins or
/// the receiver itself reconnects. Inside a window S's numbers must follow each other: a gap is a message lost, a
/// number seen before is a duplicate. What a sender handed to a connection that then died is not counted: the server
/// never had it, and everyone is told the sender left. At the end every member sends one last message, which every
/// other member must receive.
/// Handlers run one at a time on the client's receive loop; the report side reads under the lock.
/// </remarks>
internal sealed class SoakClient : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SenderTrack> _senders = new(StringComparer.Ordinal);
    private readonly LatencyHistogram _latency;
    private bool _live;
    private int _markerSeq = 1; // our first number sent on the current connection, at the latest
    private int _nextSeq = 1;
    private int _reconnects;
    private int _refusals;
    private long _sent;
    private long _delivered;
    private long _lost;
    private long _duplicates;

    public SoakClient(string name, Uri server, SwitchboardTransport transport, LatencyHistogram latency)
    {
        Name = name;
        Transport = transport;
        _latency = latency;
        Client = new SwitchboardClient(new Uri(server, "/ws/" + name), SwitchboardMessages.Catalog, new SwitchboardClientOptions
        {
            Transport = transport,
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(200),
            ReconnectMaxDelay = TimeSpan.FromSeconds(2),
            // A rejoin that beats the server to noticing the old connection is refused as "name taken" (1008): retry it.
            ShouldReconnect = _ => true,
            MaxQueuedMessages = 10_000,
        });
        Client.StateChanged += (_, e) =>
        {
            if (e.Previous == ConnectionState.Connected && e.Current == ConnectionState.Reconnecting) Interlocked.Increment(ref _reconnects);
            if (e.Current == ConnectionState.Connected)
            {
                // Raised before the connection's first message is read; what we send from now on follows our join.
                lock (_lock) _markerSeq = Volatile.Read(ref _nextSeq);
            }
        };
        Client.On<Roster>(OnRoster);
        Client.On<UserJoined>(joined => Reset(joined.User));
        Client.On<UserLeft>(left => Reset(left.User));
        Client.On<ChatMessage>(OnMessage);
        Client.On<ChatError>(error =>
        {
            if (error.Reason.Contains("is taken", StringComparison.Ordinal)) Interlocked.Increment(ref _refusals);
        });
    }

    public string Name { get; }

    public SwitchboardTransport Transport { get; }

    public SwitchboardClient Client { get; }

    public long Sent => Interlocked.Read(ref _sent);

    public int Reconnects => Volatile.Read(ref _reconnects);

    public int Refusals => Volatile.Read(ref _refusals);

    public long Delivered
    {
        get { lock (_lock) return _delivered; }
    }

    public long Lost
    {
        get { lock (_lock) return _lost; }
    }

    public long Duplicates
    {
        get { lock (_lock) return _duplicates; }
    }

    /// <summary>Whether this member is connected and has seen its own message come back since it last joined.</summary>
    public bool IsLive
    {
        get { lock (_lock) return _live && Client.State == ConnectionState.Connected; }
    }

    /// <summary>The number of the last message sent.</summary>
    public int LastSeq => Volatile.Read(ref _nextSeq) - 1;

    /// <summary>The highest number of <paramref name="sender"/> received in the current window, or 0.</summary>
    public int LastFrom(string sender)
    {
        lock (_lock) return _senders.TryGetValue(sender, out var track) ? track.MaxSeen : 0;
    }

    public Task ConnectAsync(CancellationToken cancellationToken) => Client.ConnectAsync(cancellationToken);

    /// <summary>Sends the next numbered message if connected; false when the client is not connected now.</summary>
    public async Task<bool> TrySendAsync()
    {
        if (Client.State != ConnectionState.Connected) return false;
        var seq = Volatile.Read(ref _nextSeq);
        var text = string.Create(CultureInfo.InvariantCulture, $"{Name}|{seq}|{Stopwatch.GetTimestamp()}");
        try
        {
            await Client.SendAsync(new SendChat(text));
        }
        catch (InvalidOperationException)
        {
            return false; // closed or queue full: this number was never sent
        }
        Volatile.Write(ref _nextSeq, seq + 1);
        Interlocked.Increment(ref _sent);
        return true;
    }

    /// <summary>Counts what <paramref name="sender"/> sent up to <paramref name="lastSeq"/> that never arrived here, at the end.</summary>
    public void CountMissingTail(string sender, int lastSeq)
    {
        lock (_lock)
        {
            var seen = _senders.TryGetValue(sender, out var track) ? track.MaxSeen : 0;
            if (seen < lastSeq) _lost += lastSeq - seen;
        }
    }

    public ValueTask DisposeAsync() => Client.DisposeAsync();

    private void OnRoster(Roster roster)
    {
        lock (_lock)
        {
            // A new join: every window ends, and the history replay that follows is not live.
            _live = false;
            foreach (var track in _senders.Values) track.InWindow = false;
        }
    }

    private void Reset(string user)
    {
        lock (_lock)
        {
            if (_senders.TryGetValue(user, out var track)) track.InWindow = false;
        }
    }

    private void OnMessage(ChatMessage message)
    {
        var now = Stopwatch.GetTimestamp();
        var parts = message.Text.Split('|');
        if (parts.Length != 3 || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var seq)
            || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out var sentAt)) return;
        var sender = parts[0];
        lock (_lock)
        {
            if (!_senders.TryGetValue(sender, out var track)) _senders[sender] = track = new SenderTrack();
            // Our own message sent since we joined is back: the replay of history (which may hold our older ones) is over.
            if (!_live && sender == Name && seq >= _markerSeq) _live = true;
            if (seq <= track.MaxSeen)
            {
                // Numbers are never reused, so this one came before: a replay of history, or sent again on a new
                // long-polling session after the server had taken it.
                if (_live) _duplicates++;
                return;
            }
            track.MaxSeen = seq;
            if (!_live)
            {
                track.Last = seq;
                return;
            }

            if (track.InWindow && seq > track.Last + 1) _lost += seq - track.Last - 1;
            track.InWindow = true;
            track.Last = seq;
            _delivered++;
            _latency.Record(Stopwatch.GetElapsedTime(sentAt, now));
        }
    }

    private sealed class SenderTrack
    {
        /// <summary>The last number received from the sender.</summary>
        public int Last;

        /// <summary>The highest number ever received from the sender.</summary>
        public int MaxSeen;

        /// <summary>Whether the next number must follow <see cref="Last"/>.</summary>
        public bool InWindow;
    }
}
