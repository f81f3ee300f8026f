using System.Text;
using Switchboard.Benchmarks.Load.Wire;

namespace Switchboard.Benchmarks.Load.Scenarios;

/// <summary>
/// A room of N users; the server forwards every message to every member, the sender included. Each user keeps P
/// of its own messages in flight (closed loop: its next message goes when one of its own comes back). Every message
/// carries a <see cref="Marker"/> with its send time, so each of its N receipts is timed: fan-out latency is send time
/// to each receipt. Measures deliveries/s (receipts, all members together) and the bytes read per delivery. With
/// <c>--text chat</c> the message's text is chat words instead of filler; with <c>--deflate</c> (chat text unless
/// <c>--text</c> says otherwise) the load offers permessage-deflate without context takeover, compresses what it sends
/// and inflates what comes compressed.
/// </summary>
internal static class BroadcastScenario
{
    public static async Task<Result> RunAsync(Options options)
    {
        var settings = CommonSettings.From(options, warmup: 2, duration: 5, sourceIps: 1);
        var users = options.GetInt("users", 100, 1);
        var inflight = options.GetInt("inflight", 1, 1);
        var payloadSize = options.GetInt("payload", 64, 0);
        var deflate = options.Has("deflate");
        var text = options.Get("text", deflate ? "chat" : "filler");
        if (text is not ("chat" or "filler")) throw new UsageException($"--text must be filler or chat, not '{text}'");
        options.EnsureAllUsed();

        var chat = text == "chat";
        var result = settings.NewResult("broadcast", $"N={users} P={inflight} S={payloadSize}{(chat ? " chat" : "")}{(deflate ? " deflate" : "")}");
        var failures = new Dictionary<string, int>(StringComparer.Ordinal);
        // Everyone is in the room before the first message, so every message has the same N receivers.
        var opened = await Connections.OpenAsync(settings, settings.Target, users, 64, failures, CancellationToken.None,
            deflate ? ClientHandshake.DeflateOffer : null);
        var open = opened.OfType<LoadConnection>().ToList();

        var clock = new RunClock();
        using var stop = new CancellationTokenSource();
        var loops = open.Select((c, i) =>
        {
            // Each user its own words: a room's messages are alike, not the same.
            var (payload, markerOffset) = Payload(settings.Target.Format, payloadSize, chat ? new Random(i) : null);
            return new RoomUserLoop(c, i, 1, new RoomMessage(payload, markerOffset, inflight, compress: c.Deflate), clock);
        }).ToList();
        var running = loops.Select(l => l.RunAsync(stop.Token)).ToList();

        var window = await CpuWindow.MeasureAsync(settings, clock);

        stop.CancelAfter(TimeSpan.FromSeconds(5));
        await Task.WhenAll(running);
        await Connections.CloseAllAsync(opened, TimeSpan.FromSeconds(2));

        var histogram = new LatencyHistogram();
        long deliveries = 0, sent = 0, read = 0, payloadBytes = 0, compressed = 0;
        foreach (var loop in loops)
        {
            histogram.Add(loop.Latency);
            deliveries += loop.Deliveries;
            sent += loop.OwnReturned;
            read += loop.ReadBytes;
            payloadBytes += loop.PayloadBytes;
            compressed += loop.CompressedDeliveries;
        }
        result["users"] = loops.Count;
        result["deliveries"] = deliveries;
        result["deliveriesPerSec"] = deliveries / window.Seconds;
        result["msgsPerSec"] = sent / window.Seconds;
        result["readBytesPerDelivery"] = (double)read / deliveries;
        result["payloadBytesPerDelivery"] = (double)payloadBytes / deliveries;
        result["compressedDeliveryPct"] = 100.0 * compressed / deliveries;
        Connections.NoteDeflate(result, open, deflate);
        result.AddLatency("", histogram);
        result.AddCpu(window, settings.Duration, "Delivery", deliveries);
        result["loadAllocBytesPerDelivery"] = (double)window.LoadAllocatedBytes / deliveries;
        result["failedConnections"] = loops.Count(l => l.Failure is not null) + (users - loops.Count);
        Connections.NoteFailures(result, failures);
        foreach (var group in loops.Where(l => l.Failure is not null).GroupBy(l => l.Failure)) result.Notes.Add($"{group.Count()} x {group.Key}");
        return result;
    }

    /// <summary>
    /// The message a user sends, padded to <paramref name="size"/> bytes (or the least that holds it), and where its
    /// stamp goes: after the stamp, 'x' filler, or with <paramref name="words"/> a space and chat words. Envelope:
    /// <c>{"type":"bench.message","data":{"text":"#…"}}</c>, which the Switchboard room reads and re-serializes byte for
    /// byte and raw forwarders pass through. SignalR: an invocation of the hub's <c>Send(string)</c> (no invocation id:
    /// no completion comes back).
    /// </summary>
    internal static (byte[] Payload, int MarkerOffset) Payload(WireFormat format, int size, Random? words = null)
    {
        var (prefix, suffix) = format == WireFormat.SignalR
            ? ("{\"type\":1,\"target\":\"Send\",\"arguments\":[\"", "\"]}\u001e")
            : ("{\"type\":\"bench.message\",\"data\":{\"text\":\"", "\"}}");
        var padding = Math.Max(0, size - prefix.Length - suffix.Length - Marker.Length);
        var filler = words is null ? new string('x', padding) : " " + ChatText.Sentence(words, padding - 2);
        var text = prefix + new string('0', Marker.Length) + filler + suffix;
        return (Encoding.UTF8.GetBytes(text), prefix.Length);
    }
}
