using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
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
    /// <summary>The offer: no context takeover either way, so neither side keeps zlib state between messages.</summary>
    private const string DeflateOffer = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

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
            deflate ? DeflateOffer : null);
        var open = opened.OfType<LoadConnection>().ToList();
        var negotiated = open.Count(c => c.Extensions?.StartsWith("permessage-deflate", StringComparison.OrdinalIgnoreCase) == true);

        var clock = new RunClock();
        var loops = open.Select((c, i) => new ChatLoop(c, ChatFrames.Build(i, compress: c.Extensions is not null), inflight, clock)).ToList();
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
        result["deflateConnections"] = negotiated;
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
        if (deflate && negotiated < open.Count) result.Notes.Add($"{open.Count - negotiated} of {open.Count} connections without permessage-deflate");
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
        private static readonly string[] Words =
        [
            "the", "a", "to", "and", "is", "it", "you", "that", "in", "we", "for", "on", "this", "with", "be", "are", "have", "not",
            "meeting", "today", "tomorrow", "deploy", "review", "thanks", "sure", "sounds", "good", "lunch", "build", "release",
            "branch", "fixed", "broken", "weekend", "coffee", "later", "morning", "afternoon", "ticket", "customer", "call",
            "can", "someone", "look", "at", "please", "done", "merged", "waiting", "for", "approval", "ok", "great", "idea",
        ];

        private static readonly string[] Users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"];

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
                frames[i] = compress ? Compressed(payload) : Plain(payload, rsv1: false);
            }
            return new ChatFrames(frames, lengths);
        }

        private static string Text(Random random)
        {
            var length = random.Next(20, 301);
            var text = new StringBuilder(length + 16);
            while (text.Length < length) text.Append(Words[random.Next(Words.Length)]).Append(' ');
            text.Length = length;
            text[0] = char.ToUpperInvariant(text[0]);
            return text.ToString().TrimEnd() + ".";
        }

        private static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture);

        // As the chat writes it: {"type":"chat.message","data":{"sender":…,"text":…,"sentAt":…}}.
        private static string ChatMessage(Random random, DateTimeOffset at)
            => $$$"""{"type":"chat.message","data":{"sender":"{{{Users[random.Next(Users.Length)]}}}","text":"{{{Text(random)}}}","sentAt":"{{{Time(at)}}}"}}""";

        // A page of history, 2 to 5 KB: entries until the size drawn is reached.
        private static string History(Random random, DateTimeOffset at)
        {
            var target = random.Next(2000, 5001);
            var entries = new StringBuilder();
            var offset = random.Next(100, 10_000);
            while (entries.Length < target - 60)
            {
                if (entries.Length > 0) entries.Append(',');
                entries.Append($$$"""{"offset":{{{offset++}}},"type":"chat.message","user":"{{{Users[random.Next(Users.Length)]}}}","text":"{{{Text(random)}}}","sentAt":"{{{Time(at.AddMinutes(-offset))}}}"}""");
            }
            return $$$"""{"type":"chat.history.page","data":{"entries":[{{{entries}}}],"more":true}}""";
        }

        // A room of a few hundred members, 2 to 5 KB.
        private static string Roster(Random random)
        {
            var count = random.Next(150, 360);
            var names = Enumerable.Range(0, count).Select(i => $"\"{Users[random.Next(Users.Length)]}{random.Next(1000)}\"");
            return $$$"""{"type":"chat.roster","data":{"users":[{{{string.Join(',', names)}}}]}}""";
        }

        private static byte[] Compressed(byte[] payload)
        {
            using var output = new MemoryStream();
            byte[] bytes;
            using (var deflate = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true))
            {
                deflate.Write(payload);
                deflate.Flush(); // a sync flush: the output ends with 00 00 ff ff (RFC 7692 section 7.2.1)
                bytes = output.ToArray(); // before disposing writes a final block nobody wants
            }
            var compressed = bytes.AsSpan(0, bytes.Length - 4);
            return compressed.Length < payload.Length ? Plain(compressed, rsv1: true) : Plain(payload, rsv1: false);
        }

        private static byte[] Plain(ReadOnlySpan<byte> payload, bool rsv1)
        {
            var header = payload.Length switch { < 126 => 2, <= ushort.MaxValue => 4, _ => 10 } + 4;
            var frame = new byte[header + payload.Length];
            FrameBlock.Write(frame, ServerFrame.Text, payload, BinaryPrimitives.ReadUInt32LittleEndian(RandomNumberGenerator.GetBytes(4)));
            if (rsv1) frame[0] |= 0x40;
            return frame;
        }
    }
}
