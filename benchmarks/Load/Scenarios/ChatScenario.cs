using System.Text;
using Switchboard.Benchmarks.Load.Wire;

namespace Switchboard.Benchmarks.Load.Scenarios;

/// <summary>
/// C connections, each keeping P of the chat's messages in flight against an echo server (closed loop): the chat's
/// <c>chat.message</c> envelopes with texts of 20 to 300 characters, and every 16th message a 2 to 5 KB
/// <c>chat.history.page</c> or <c>chat.roster</c>. With <c>--deflate</c> the load offers permessage-deflate without
/// context takeover either way, as the servers' defaults are, and compresses what it sends as a browser does. Measures
/// the bytes on the wire (frames, both ways) and the server's CPU per message, against the envelopes' own size.
/// </summary>
internal static class ChatScenario
{
    /// <summary>Distinct messages per connection, sent in turn.</summary>
    private const int Messages = 64;

    public static async Task<Result> RunAsync(Options options)
    {
        var settings = CommonSettings.From(options, warmup: 2, duration: 5, sourceIps: 1);
        var connections = options.GetInt("connections", 32, 1);
        var inflight = options.GetInt("inflight", 1, 1);
        var deflate = options.Has("deflate");
        options.EnsureAllUsed();

        var result = settings.NewResult("chat", $"deflate {(deflate ? "on" : "off")} C={connections} P={inflight}");
        var failures = new Dictionary<string, int>(StringComparer.Ordinal);
        var opened = await Connections.OpenAsync(settings, settings.Target, connections, 64, failures, CancellationToken.None,
            deflate ? ClientHandshake.DeflateOffer : null);
        var open = opened.OfType<LoadConnection>().ToList();

        var clock = new RunClock();
        var loops = open.Select((c, i) => new ChatLoop(c, ChatFrames.Build(i, compress: c.Deflate), inflight, clock)).ToList();
        var window = await ClosedLoop.RunAllAsync(loops, inflight, settings, clock);
        await Connections.CloseAllAsync(opened, TimeSpan.FromSeconds(2));

        var histogram = new LatencyHistogram();
        long messages = 0, payload = 0, written = 0, read = 0, compressed = 0;
        foreach (var loop in loops)
        {
            histogram.Add(loop.Latency);
            messages += loop.Messages;
            payload += loop.PayloadBytes;
            written += loop.WrittenBytes;
            read += loop.ReadBytes;
            compressed += loop.CompressedEchoes;
        }
        result["connections"] = loops.Count;
        Connections.NoteDeflate(result, open, deflate);
        result["messages"] = messages;
        result["msgsPerSec"] = messages / window.Seconds;
        result["payloadBytesPerMsg"] = (double)payload / messages;
        result["writtenBytesPerMsg"] = (double)written / messages;
        result["readBytesPerMsg"] = (double)read / messages;
        result["wireRatio"] = (double)(written + read) / (2 * payload);
        result["compressedEchoPct"] = 100.0 * compressed / messages;
        result.AddLatency("", histogram);
        result.AddCpu(window, settings.Duration, "Msg", messages);
        result["failedConnections"] = loops.Count(l => l.Failure is not null) + (connections - loops.Count);
        Connections.NoteFailures(result, failures);
        foreach (var group in loops.Where(l => l.Failure is not null).GroupBy(l => l.Failure)) result.Notes.Add($"{group.Count()} x {group.Key}");
        return result;
    }

    /// <summary>One connection's closed loop over its messages in turn; echoes come back in order.</summary>
    private sealed class ChatLoop(LoadConnection connection, ChatFrames frames, int inflight, RunClock clock) : ClosedLoop(connection, clock), IFrameHeaderSink
    {
        private readonly long[] _sentAt = new long[inflight];
        private readonly int[] _sentIndex = new int[inflight];
        private int _head;
        private int _next;

        public LatencyHistogram Latency { get; } = new();

        public long Messages { get; private set; }

        /// <summary>The envelopes' own bytes, of the messages counted.</summary>
        public long PayloadBytes { get; private set; }

        /// <summary>Frame bytes (headers included) sent and received for the messages counted.</summary>
        public long WrittenBytes { get; private set; }

        public long ReadBytes { get; private set; }

        /// <summary>Echoes that came back compressed (RSV1).</summary>
        public long CompressedEchoes { get; private set; }

        public void OnFrame(in ServerFrame frame)
        {
            if (!Clock.Measuring) return;
            ReadBytes += frame.Length;
            if (frame.Compressed) CompressedEchoes++;
        }

        public override void OnData(ReadOnlySpan<byte> payload, bool fin)
        {
            if (!fin) return;
            var now = RunClock.Now;
            var slot = _head;
            _head = (_head + 1) % _sentAt.Length;
            InFlight--;
            Returned++;
            if (Clock.Measuring)
            {
                Messages++;
                Latency.Record(now - _sentAt[slot]);
                PayloadBytes += frames.PayloadLength(_sentIndex[slot]);
                WrittenBytes += frames.FrameLength(_sentIndex[slot]);
            }
        }

        protected override async ValueTask<int> SendAsync(int count, CancellationToken cancellationToken)
        {
            for (var i = 0; i < count; i++)
            {
                var slot = (_head + InFlight) % _sentAt.Length;
                _sentAt[slot] = RunClock.Now;
                _sentIndex[slot] = _next;
                InFlight++;
                var frame = frames.Frame(_next);
                _next = (_next + 1) % frames.Count;
                await Connection.SendAsync(frame, cancellationToken);
            }
            return count;
        }
    }

    /// <summary>
    /// One connection's messages as masked client frames, built once: the envelopes, each compressed (RSV1, the
    /// <c>00 00 ff ff</c> tail removed) when the connection negotiated deflate and compressing makes it smaller.
    /// </summary>
    private sealed class ChatFrames
    {
        private readonly byte[][] _frames;
        private readonly int[] _payloadLengths;

        private ChatFrames(byte[][] frames, int[] payloadLengths)
        {
            _frames = frames;
            _payloadLengths = payloadLengths;
        }

        public int Count => _frames.Length;

        public ReadOnlyMemory<byte> Frame(int index) => _frames[index];

        public int FrameLength(int index) => _frames[index].Length;

        public int PayloadLength(int index) => _payloadLengths[index];

        /// <summary>The messages of connection <paramref name="seed"/>: the same for every server and both cases.</summary>
        public static ChatFrames Build(int seed, bool compress)
        {
            var random = new Random(seed);
            var frames = new byte[Messages][];
            var lengths = new int[Messages];
            var at = new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
            for (var i = 0; i < Messages; i++)
            {
                at = at.AddSeconds(random.Next(1, 90));
                var envelope = (i % 16) switch
                {
                    15 => Roster(random),
                    7 => History(random, at),
                    _ => ChatMessage(random, at),
                };
                var payload = Encoding.UTF8.GetBytes(envelope);
                lengths[i] = payload.Length;
                frames[i] = compress ? ClientFrame.Compressed(payload) : ClientFrame.Text(payload);
            }
            return new ChatFrames(frames, lengths);
        }

        private static string Text(Random random) => ChatText.Sentence(random, random.Next(20, 301));

        private static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture);

        // As the chat writes it: {"type":"chat.message","data":{"sender":…,"text":…,"sentAt":…}}.
        private static string ChatMessage(Random random, DateTimeOffset at)
            => $$$"""{"type":"chat.message","data":{"sender":"{{{ChatText.User(random)}}}","text":"{{{Text(random)}}}","sentAt":"{{{Time(at)}}}"}}""";

        // A page of history, 2 to 5 KB: entries until the size drawn is reached.
        private static string History(Random random, DateTimeOffset at)
        {
            var target = random.Next(2000, 5001);
            var entries = new StringBuilder();
            var offset = random.Next(100, 10_000);
            while (entries.Length < target - 60)
            {
                if (entries.Length > 0) entries.Append(',');
                entries.Append($$$"""{"offset":{{{offset++}}},"type":"chat.message","user":"{{{ChatText.User(random)}}}","text":"{{{Text(random)}}}","sentAt":"{{{Time(at.AddMinutes(-offset))}}}"}""");
            }
            return $$$"""{"type":"chat.history.page","data":{"entries":[{{{entries}}}],"more":true}}""";
        }

        // A room of a few hundred members, 2 to 5 KB.
        private static string Roster(Random random)
        {
            var count = random.Next(150, 360);
            var names = Enumerable.Range(0, count).Select(i => $"\"{ChatText.User(random)}{random.Next(1000)}\"");
            return $$$"""{"type":"chat.roster","data":{"users":[{{{string.Join(',', names)}}}]}}""";
        }
    }
}
