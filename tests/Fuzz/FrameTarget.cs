using System.Buffers;
using System.Text.Unicode;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;

namespace Switchboard.Fuzz;

/// <summary>
/// The frame reader target (RFC 6455 sections 5 and 8.1). For each role, with the default limits and with tight ones,
/// the input is read twice: whole, as one buffer, and as a pipe would see it, arriving in chunks cut at input-derived
/// points and presented as multi-segment sequences. The reader must never throw, must keep its <c>TryRead</c>
/// contract on every call, must only report typed <see cref="FrameError"/> values, and both readings must agree on
/// every complete message, every control frame and the final verdict. The masking and UTF-8 primitives the reader
/// rests on are checked against plain reference implementations on the same bytes.
/// </summary>
public static class FrameTarget
{
    /// <summary>The target's name on the command line and under <c>corpus/</c>.</summary>
    public const string Name = "frames";

    // Small enough that fuzzed frames reach every limit.
    private static readonly FrameReaderOptions s_tight = new() { MaxFrameSize = 200, MaxMessageSize = 300, MaxFragments = 3 };

    /// <summary>Runs every check on <paramref name="input"/>.</summary>
    /// <param name="input">Wire bytes: frames as one direction of a connection carries them.</param>
    /// <returns>The verdict; an input is accepted when some role reads all of it without an error.</returns>
    /// <exception cref="FuzzInvariantException">The reader broke its contract.</exception>
    public static FuzzOutcome Run(ReadOnlySpan<byte> input)
    {
        CheckMask(input);
        CheckUtf8(input);

        bool accepted = false;
        var verdicts = new List<string>(2);
        foreach (WebSocketRole role in (ReadOnlySpan<WebSocketRole>)[WebSocketRole.Server, WebSocketRole.Client])
        {
            ulong salt = role == WebSocketRole.Server ? 1UL : 2UL;
            foreach (FrameReaderOptions options in (ReadOnlySpan<FrameReaderOptions>)[FrameReaderOptions.Default, s_tight])
            {
                Transcript whole = Read(input, role, options, chunked: false, salt);
                Transcript chunked = Read(input, role, options, chunked: true, salt + 16);
                whole.AssertSameAs(chunked, role);
                if (ReferenceEquals(options, FrameReaderOptions.Default))
                {
                    accepted |= whole.Error == FrameError.None && whole.Consumed == input.Length && whole.Pending.Count == 0;
                    verdicts.Add($"{role}: {whole.Error} after {whole.Items.Count} item(s)");
                }
            }
        }

        return new FuzzOutcome(accepted, string.Join("; ", verdicts));
    }

    private static Transcript Read(ReadOnlySpan<byte> input, WebSocketRole role, FrameReaderOptions options, bool chunked, ulong salt)
    {
        // The reader unmasks in place, so every reading gets its own copy.
        byte[] buffer = input.ToArray();
        var random = new InputRandom(input, salt);
        var reader = new FrameReader(role, options);
        var transcript = new Transcript();
        int start = 0;
        int end = 0;
        int calls = 0;
        while (end < buffer.Length || calls == 0)
        {
            end = chunked ? Math.Min(buffer.Length, end + random.Next(18)) : buffer.Length;
            while (true)
            {
                FuzzInvariantException.Check(++calls <= (4 * buffer.Length) + 64, "the reader returns events without making progress");
                ReadOnlyMemory<byte> window = buffer.AsMemory(start, end - start);
                ReadOnlySequence<byte> sequence = chunked ? Segment.Split(window, ref random, 9) : new ReadOnlySequence<byte>(window);
                bool got = reader.TryRead(sequence, out SequencePosition consumed, out SequencePosition examined, out FrameEvent frameEvent);
                long consumedLength = sequence.Slice(sequence.Start, consumed).Length;
                long examinedLength = sequence.Slice(sequence.Start, examined).Length;
                if (!got)
                {
                    FuzzInvariantException.Check(consumedLength == 0 && examinedLength == sequence.Length, "need-more must consume nothing and examine everything");
                    break;
                }

                FuzzInvariantException.Check(examinedLength >= consumedLength, "examined lies before consumed");
                if (frameEvent.Kind == FrameEventKind.Error)
                {
                    FuzzInvariantException.Check(frameEvent.Error != FrameError.None && Enum.IsDefined(frameEvent.Error), $"error event with error {frameEvent.Error}");
                    FuzzInvariantException.Check(consumedLength == 0, "an error consumed bytes");
                    FuzzInvariantException.Check(
                        reader.TryRead(sequence, out _, out _, out FrameEvent again) && again.Kind == FrameEventKind.Error && again.Error == frameEvent.Error,
                        "a failed reader does not repeat its error");
                    transcript.Error = frameEvent.Error;
                    transcript.Consumed = start;
                    return transcript;
                }

                FuzzInvariantException.Check(consumedLength > 0, $"a {frameEvent.Kind} event consumed nothing");
                transcript.Add(frameEvent);
                start += (int)consumedLength;
            }
        }

        transcript.Consumed = start;
        return transcript;
    }

    // Mask.Apply, whole and in pieces with carried offsets, against byte-by-byte XOR (RFC 6455 section 5.3).
    private static void CheckMask(ReadOnlySpan<byte> input)
    {
        if (input.Length < 4)
        {
            return;
        }

        uint key = BitConverter.ToUInt32(input[..4]);
        ReadOnlySpan<byte> data = input[4..];
        byte[] expected = new byte[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            expected[i] = (byte)(data[i] ^ (byte)(key >> (8 * (i & 3))));
        }

        byte[] whole = data.ToArray();
        FuzzInvariantException.Check(Mask.Apply(whole, key, 0) == (data.Length & 3), "Mask.Apply returns the wrong offset");
        FuzzInvariantException.Check(whole.AsSpan().SequenceEqual(expected), "Mask.Apply over the whole payload differs from XOR");

        byte[] pieces = data.ToArray();
        var random = new InputRandom(input, 3);
        int offset = 0;
        for (int position = 0; position < pieces.Length;)
        {
            int size = Math.Min(pieces.Length - position, random.Next(70));
            offset = Mask.Apply(pieces.AsSpan(position, size), key, offset);
            position += size;
        }

        FuzzInvariantException.Check(pieces.AsSpan().SequenceEqual(expected), "Mask.Apply in pieces differs from XOR");
    }

    // Utf8Validator, whole and in pieces, against the runtime's validator (RFC 3629).
    private static void CheckUtf8(ReadOnlySpan<byte> input)
    {
        bool valid = Utf8.IsValid(input);
        var whole = default(Utf8Validator);
        FuzzInvariantException.Check((whole.TryAppend(input) && whole.IsComplete) == valid, "Utf8Validator disagrees with Utf8.IsValid");

        var pieces = default(Utf8Validator);
        var random = new InputRandom(input, 4);
        bool ok = true;
        for (int position = 0; position < input.Length && ok;)
        {
            int size = Math.Min(input.Length - position, random.Next(6));
            ok = pieces.TryAppend(input.Slice(position, size));
            position += size;
        }

        FuzzInvariantException.Check((ok && pieces.IsComplete) == valid, "Utf8Validator in pieces disagrees with Utf8.IsValid");
    }

    /// <summary>What one reading produced: complete messages and control frames in order, and how it ended.</summary>
    private sealed class Transcript
    {
        public List<(Opcode Opcode, byte[] Payload, CloseCode? Status)> Items { get; } = [];

        /// <summary>The bytes of a data message that has not ended yet.</summary>
        public List<byte> Pending { get; } = [];

        public FrameError Error { get; set; }

        public int Consumed { get; set; }

        private Opcode _pendingOpcode;

        public void Add(in FrameEvent frameEvent)
        {
            ReadOnlySequence<byte> payload = frameEvent.Payload;
            if (frameEvent.Kind == FrameEventKind.Data)
            {
                FuzzInvariantException.Check(frameEvent.Opcode is Opcode.Text or Opcode.Binary, $"data event with opcode {frameEvent.Opcode}");
                FuzzInvariantException.Check(Pending.Count == 0 || frameEvent.Opcode == _pendingOpcode, "a message changed its opcode");
                _pendingOpcode = frameEvent.Opcode;
                foreach (ReadOnlyMemory<byte> segment in payload)
                {
                    Pending.AddRange(segment.Span);
                }

                if (frameEvent.EndOfMessage)
                {
                    byte[] message = [.. Pending];
                    FuzzInvariantException.Check(frameEvent.Opcode != Opcode.Text || Utf8.IsValid(message), "a text message that is not UTF-8 was delivered");
                    Items.Add((frameEvent.Opcode, message, null));
                    Pending.Clear();
                }

                return;
            }

            FuzzInvariantException.Check(frameEvent.Kind == FrameEventKind.Control, $"event of kind {frameEvent.Kind}");
            FuzzInvariantException.Check(frameEvent.Opcode is Opcode.Close or Opcode.Ping or Opcode.Pong, $"control event with opcode {frameEvent.Opcode}");
            FuzzInvariantException.Check(payload.Length <= 125, "a control payload over 125 bytes was delivered");
            byte[] bytes = payload.ToArray();
            CloseCode? status = frameEvent.CloseStatus;
            if (frameEvent.Opcode == Opcode.Close)
            {
                FuzzInvariantException.Check(status is null == (bytes.Length == 0), "a close status does not match the payload");
                if (status is { } code)
                {
                    FuzzInvariantException.Check((ushort)code is (>= 1000 and <= 1003) or (>= 1007 and <= 1014) or (>= 3000 and <= 4999), $"close code {(ushort)code} was delivered");
                    FuzzInvariantException.Check(Utf8.IsValid(frameEvent.CloseReason.ToArray()), "a close reason that is not UTF-8 was delivered");
                }
            }
            else
            {
                FuzzInvariantException.Check(status is null, "a ping or pong has a close status");
            }

            Items.Add((frameEvent.Opcode, bytes, status));
        }

        /// <summary>Complete items and the verdict do not depend on how the bytes were cut.</summary>
        public void AssertSameAs(Transcript other, WebSocketRole role)
        {
            FuzzInvariantException.Check(Error == other.Error, $"{role}: whole input ends with {Error}, the same bytes in chunks with {other.Error}");

            // A failing frame never completes a message, so the items before the verdict are the same however the
            // bytes were cut; only the unfinished message and the consumed count may differ after an error.
            FuzzInvariantException.Check(Items.Count == other.Items.Count, $"{role}: {Items.Count} items whole, {other.Items.Count} in chunks");
            for (int i = 0; i < Items.Count; i++)
            {
                var (opcode, payload, status) = Items[i];
                var (otherOpcode, otherPayload, otherStatus) = other.Items[i];
                FuzzInvariantException.Check(
                    opcode == otherOpcode && status == otherStatus && payload.AsSpan().SequenceEqual(otherPayload),
                    $"{role}: item {i} differs between the whole input and the same bytes in chunks");
            }

            if (Error == FrameError.None)
            {
                FuzzInvariantException.Check(Consumed == other.Consumed, $"{role}: {Consumed} bytes consumed whole, {other.Consumed} in chunks");
                FuzzInvariantException.Check(Pending.SequenceEqual(other.Pending), $"{role}: the unfinished message differs between whole and chunks");
            }
        }
    }
}
