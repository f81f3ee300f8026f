using System.Diagnostics;
using System.Globalization;
using Switchboard.Client;
using Switchboard.Messaging;
using SwitchboardBroadcast;

namespace Switchboard.Soak;

/// <summary>
/// One member of the multi-node run's room (benchmarks/Peers/SwitchboardBroadcast with history): sends numbered,
/// timestamped messages and records every message it receives with its position in the room's history. When its
/// connection ends (its node killed, or closed by its node while Redis was gone) it connects again, to the same node if
/// it is alive, else to the next live one, with a new <see cref="SwitchboardClient"/> seeded with the old one's
/// <see cref="SwitchboardClient.Positions"/>: what the room sent meanwhile is replayed, or the join says
/// <c>recovered=false</c>.
/// </summary>
/// <remarks>
/// A message's position is the client's <see cref="SwitchboardClient.Positions"/> once its handler has run: it is read
/// when the next message comes, and when the connection ends. Each client object makes one connection (it never
/// reconnects by itself), so each one is one <em>connection generation</em>: the report tells apart a message sent on a
/// connection that then died (it may never have reached Redis) from one a live connection dropped.
/// </remarks>
internal sealed class RoomMember(string name, ClusterNodes nodes, int node, LatencyHistogram latency) : IAsyncDisposable
{
    public const string Room = "room";

    private readonly Lock _lock = new();
    private readonly List<Receipt> _receipts = [];
    private readonly List<Join> _joins = [];
    private readonly Dictionary<string, HashSet<int>> _seen = new(StringComparer.Ordinal);
    private readonly List<int> _sentOn = [0]; // the generation each number went out on; index = number
    private readonly CancellationTokenSource _stop = new();
    private SwitchboardClient? _client;
    private int _generation;
    private int _pending = -1; // the receipt whose position is not known yet
    private int _node = node;
    private int _moves;
    private Task _running = Task.CompletedTask;

    public string Name { get; } = name;

    public int Moves => Volatile.Read(ref _moves);

    /// <summary>Connection attempts; the first included.</summary>
    public int Generations => Volatile.Read(ref _generation);

    /// <summary>Connections that joined the room; the first included.</summary>
    public int Joined
    {
        get { lock (_lock) return _joins.Count; }
    }

    public int LastSeq
    {
        get { lock (_lock) return _sentOn.Count - 1; }
    }

    /// <summary>Connected, and in the room (its join notice came).</summary>
    public bool IsLive
    {
        get
        {
            lock (_lock) return _client is { State: ConnectionState.Connected } && _joins.Count > 0 && _joins[^1].Generation == _generation;
        }
    }

    public IReadOnlyList<Receipt> Receipts
    {
        get { lock (_lock) return [.. _receipts]; }
    }

    public IReadOnlyList<Join> Joins
    {
        get { lock (_lock) return [.. _joins]; }
    }

    /// <summary>The generation each message went out on (index: its number; 0 unused).</summary>
    public IReadOnlyList<int> SentOn
    {
        get { lock (_lock) return [.. _sentOn]; }
    }

    public int Generation
    {
        get { lock (_lock) return _generation; }
    }

    public bool HasSeen(string sender, int seq)
    {
        lock (_lock) return _seen.TryGetValue(sender, out var seen) && seen.Contains(seq);
    }

    /// <summary>Connects for the first time (bounded by <paramref name="cancellationToken"/>), then keeps connected in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var closed = await ConnectAsync(cancellationToken);
        _running = KeepConnectedAsync(closed);
    }

    /// <summary>Sends the next numbered message on the current connection; false when there is none.</summary>
    public async Task<bool> TrySendAsync()
    {
        SwitchboardClient client;
        int seq, generation;
        lock (_lock)
        {
            if (_client is not { State: ConnectionState.Connected } current) return false;
            client = current;
            seq = _sentOn.Count;
            generation = _generation;
        }
        try
        {
            await client.SendAsync(new BenchMessage(string.Create(CultureInfo.InvariantCulture, $"{Name}|{seq}|{Stopwatch.GetTimestamp()}")));
        }
        catch (InvalidOperationException)
        {
            return false; // closed meanwhile: this number was never sent
        }
        lock (_lock)
        {
            if (_sentOn.Count != seq) throw new InvalidOperationException($"{Name}: two sends at once");
            _sentOn.Add(generation);
        }
        return true;
    }

    private async Task KeepConnectedAsync(Task closed)
    {
        while (true)
        {
            try
            {
                await closed.WaitAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                closed = await ConnectAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Replaces the client with a new one seeded with its positions, on a live node, retrying until one takes it.
    /// Returns a task that completes when that connection ends.
    /// </summary>
    private async Task<Task> ConnectAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            IReadOnlyDictionary<string, StreamPosition>? positions = null;
            SwitchboardClient? old;
            lock (_lock)
            {
                old = _client;
                _client = null;
            }
            if (old is not null)
            {
                await old.DisposeAsync();
                positions = old.Positions;
                lock (_lock)
                {
                    if (_pending >= 0 && positions.TryGetValue(Room, out var last)) _receipts[_pending] = _receipts[_pending] with { Epoch = last.Epoch, Offset = last.Offset };
                    _pending = -1;
                }
            }
            // A connection that a node closed at once (resubscribing after an outage) is retried after a pause too.
            if (old is not null) await Task.Delay(TimeSpan.FromMilliseconds(100 + Random.Shared.Next(200)), cancellationToken);
            if (nodes.IsDown(_node))
            {
                _node = nodes.NextLive(_node);
                Interlocked.Increment(ref _moves);
            }
            var client = new SwitchboardClient(nodes.Uri(_node), SwitchboardBroadcast.SwitchboardMessages.Catalog, new SwitchboardClientOptions
            {
                Transport = SwitchboardTransport.WebSocket,
                ShouldReconnect = _ => false,
                Positions = positions,
            });
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            int generation;
            lock (_lock)
            {
                generation = ++_generation;
                _client = client;
            }
            client.StateChanged += (_, e) =>
            {
                if (e.Current == ConnectionState.Closed) closed.TrySetResult();
            };
            client.GroupJoined += (_, e) =>
            {
                lock (_lock)
                {
                    StreamPosition? presented = positions is not null && positions.TryGetValue(e.Group, out var p) ? p : null;
                    _joins.Add(new Join(generation, presented, e.Epoch, e.Offset, e.Recovered));
                }
            };
            client.On<BenchMessage>(message => OnMessage(client, message));
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await client.ConnectAsync(timeout.Token);
                return closed.Task;
            }
            catch (Exception e) when (e is SwitchboardConnectionException or OperationCanceledException or IOException or InvalidOperationException)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Refused (its node is down, or resubscribing to Redis): the next attempt starts from this client's
                // positions, the same as it was seeded with.
            }
        }
    }

    private void OnMessage(SwitchboardClient client, BenchMessage message)
    {
        var now = Stopwatch.GetTimestamp();
        var parts = message.Text.Split('|');
        if (parts.Length != 3 || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var seq)
            || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out var sentAt)) return;
        var positions = client.Positions; // the previous message's, now that its handler is done
        lock (_lock)
        {
            if (_pending >= 0 && positions.TryGetValue(Room, out var previous))
                _receipts[_pending] = _receipts[_pending] with { Epoch = previous.Epoch, Offset = previous.Offset };
            _pending = _receipts.Count;
            _receipts.Add(new Receipt(parts[0], seq, "", 0));
            if (!_seen.TryGetValue(parts[0], out var seen)) _seen[parts[0]] = seen = [];
            seen.Add(seq);
        }
        latency.Record(Stopwatch.GetElapsedTime(sentAt, now));
    }

    /// <summary>Closes the connection for good and gives the last message received its position.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        SwitchboardClient? client;
        lock (_lock) client = _client;
        if (client is null) return;
        await client.DisposeAsync();
        var positions = client.Positions;
        lock (_lock)
        {
            if (_pending >= 0 && positions.TryGetValue(Room, out var last)) _receipts[_pending] = _receipts[_pending] with { Epoch = last.Epoch, Offset = last.Offset };
            _pending = -1;
        }
        _stop.Dispose();
    }

    /// <summary>A message received: its sender and number, and its place in the room's history.</summary>
    public readonly record struct Receipt(string Sender, int Seq, string Epoch, long Offset);

    /// <summary>A join notice: the connection it came on, the position presented, and what the server answered.</summary>
    public sealed record Join(int Generation, StreamPosition? Presented, string Epoch, long Offset, bool? Recovered);
}
