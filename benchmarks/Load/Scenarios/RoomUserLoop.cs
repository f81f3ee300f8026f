using System.Net.Sockets;
using Switchboard.Benchmarks.Load.Wire;

namespace Switchboard.Benchmarks.Load.Scenarios;

/// <summary>
/// One user of a room (<see cref="BroadcastScenario"/>, <see cref="ClusterScenario"/>): keeps its own messages in flight,
/// each stamped with its send time and the user's id, and times every message it receives. Users are spread over
/// <c>nodes</c> servers by id (user <c>i</c> on node <c>i % nodes</c>), so a receipt whose sender is on another node is
/// also counted as cross-node; with one node there are none.
/// </summary>
/// <remarks>
/// A user made with <c>sends: false</c> only receives. A message that comes compressed (permessage-deflate) is inflated
/// whole before it is scanned for stamps; a connection that gets none never makes an inflater.
/// </remarks>
internal sealed class RoomUserLoop(LoadConnection connection, int id, int nodes, RoomMessage message, RunClock clock, bool sends = true) : IFrameHeaderSink
{
    private readonly byte[] _carry = new byte[Marker.Length];
    private int _carried;
    private MessageInflater? _inflater;
    private bool _compressed;
    private int _inflight;
    private int _returned;

    public LatencyHistogram Latency { get; } = new();

    public long Deliveries { get; private set; }

    /// <summary>Receipts of messages whose sender is connected to another node, and their latency.</summary>
    public LatencyHistogram CrossLatency { get; } = new();

    public long CrossDeliveries { get; private set; }

    /// <summary>This user's own messages that came back while measuring: the messages sent per second.</summary>
    public long OwnReturned { get; private set; }

    public string? Failure { get; private set; }

    /// <summary>Messages this user sent in the whole run, warm-up and stopping included.</summary>
    public long Sent { get; private set; }

    /// <summary>Messages this user received in the whole run, from every sender.</summary>
    public long Received { get; private set; }

    /// <summary>Frame bytes (headers included) read while measuring.</summary>
    public long ReadBytes { get; private set; }

    /// <summary>The messages' own bytes (inflated, when they came compressed) read while measuring.</summary>
    public long PayloadBytes { get; private set; }

    /// <summary>The <see cref="Deliveries"/> that came in a compressed message.</summary>
    public long CompressedDeliveries { get; private set; }

    public void OnFrame(in ServerFrame frame)
    {
        if (clock.Measuring) ReadBytes += frame.Length;
        if (frame.Compressed) _compressed = true;
    }

    public void OnData(ReadOnlySpan<byte> payload, bool fin)
    {
        var now = RunClock.Now;
        var measuring = clock.Measuring;
        if (_compressed)
        {
            var inflater = _inflater ??= new MessageInflater();
            inflater.Append(payload);
            if (!fin) return;
            Scan(inflater.Inflate(), now, measuring);
            _compressed = false;
        }
        else
        {
            Scan(payload, now, measuring);
        }
    }

    /// <summary>Finds the stamps in a message's bytes, a frame's or an inflated message's, and times each.</summary>
    private void Scan(ReadOnlySpan<byte> payload, long now, bool measuring)
    {
        if (measuring) PayloadBytes += payload.Length;
        if (_carried > 0)
        {
            // A stamp cut by the end of the last frame: its rest starts this one.
            var rest = Math.Min(Marker.Length - _carried, payload.Length);
            payload[..rest].CopyTo(_carry.AsSpan(_carried));
            _carried += rest;
            payload = payload[rest..];
            if (_carried < Marker.Length) return;
            _carried = 0;
            if (Marker.TryRead(_carry, out var sentAt, out var sender)) Receive(sentAt, sender, now, measuring);
        }
        while (true)
        {
            var at = payload.IndexOf(Marker.Start);
            if (at < 0) return;
            payload = payload[at..];
            if (payload.Length < Marker.Length)
            {
                // A server may fragment a message anywhere (SignalR sends each buffer segment as a frame): keep the
                // stamp's start for the next frame.
                payload.CopyTo(_carry);
                _carried = payload.Length;
                return;
            }
            if (!Marker.TryRead(payload, out var sentAt, out var sender))
            {
                payload = payload[1..];
                continue;
            }
            payload = payload[Marker.Length..];
            Receive(sentAt, sender, now, measuring);
        }
    }

    private void Receive(long sentAt, int sender, long now, bool measuring)
    {
        Received++;
        if (measuring)
        {
            Deliveries++;
            if (_compressed) CompressedDeliveries++;
            Latency.Record(now - sentAt);
            if (sender % nodes != id % nodes)
            {
                CrossDeliveries++;
                CrossLatency.Record(now - sentAt);
            }
        }
        if (sender == id)
        {
            _inflight--;
            _returned++;
            if (measuring) OwnReturned++;
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (sends) await SendAsync(message.Count, cancellationToken);
            while (true)
            {
                connection.Drain(this);
                if (connection.ProtocolError)
                {
                    Failure = "protocol error from the server";
                    return;
                }
                await connection.FlushControlAsync(cancellationToken);
                if (connection.CloseReceived)
                {
                    Failure = "the server closed the connection";
                    return;
                }

                if (clock.Stopping)
                {
                    if (_inflight <= 0) return;
                }
                else if (_returned > 0)
                {
                    var count = Math.Min(_returned, message.Count);
                    _returned = 0;
                    await SendAsync(count, cancellationToken);
                }

                if (!await connection.ReceiveAsync(cancellationToken))
                {
                    Failure = "the server dropped the connection";
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            if (!clock.Stopping) throw;
            // Others' messages may still be arriving when our own are all back; only a stuck server lands here.
            if (_inflight > 0) Failure = "own messages still missing after the run";
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            Failure = e.Message;
        }
        catch (InvalidDataException e)
        {
            Failure = $"a compressed message did not inflate: {e.Message}";
        }
    }

    /// <summary>
    /// After <see cref="RunAsync"/> (every user's own messages back, so nothing more is sent), reads on until this user
    /// has received <paramref name="expected"/> messages, every user's sends, or the server stops sending. The receipts
    /// still missing then were never delivered.
    /// </summary>
    public async Task ReceiveAllAsync(long expected, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                connection.Drain(this);
                if (Received >= expected || connection.ProtocolError) return;
                if (connection.CloseReceived)
                {
                    // A server closes a connection that reads too slowly for its send queue (Switchboard: 1013); the
                    // receipts missing then are undelivered, and this says why.
                    Failure ??= "the server closed the connection while the last messages were read";
                    return;
                }
                await connection.FlushControlAsync(cancellationToken);
                if (!await connection.ReceiveAsync(cancellationToken)) return;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
        {
            // What has not come by now counts as undelivered.
        }
    }

    private ValueTask<int> SendAsync(int count, CancellationToken cancellationToken)
    {
        Span<byte> stamp = stackalloc byte[Marker.Length];
        Marker.Write(stamp, RunClock.Now, id);
        _inflight += count;
        Sent += count;
        return connection.SendAsync(message.Stamp(count, stamp), cancellationToken);
    }
}
