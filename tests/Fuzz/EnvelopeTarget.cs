using System.Buffers;
using System.Text.Json;
using Switchboard.Fuzz.Messages;
using Switchboard.Messaging;

namespace Switchboard.Fuzz;

/// <summary>
/// The envelope target (docs/protocol.md, "Messages (wire format v1)"). The input is one text message: the envelope
/// reader must answer with a typed <see cref="EnvelopeError"/> and never throw, the same whether the bytes come as a
/// span or as a multi-segment sequence, and a shallower depth limit may only refuse more. When the envelope reads, its
/// data goes to the generated reader of its type (to every generated reader of this assembly's catalogue when the type
/// is unknown), which may only throw <see cref="MessageFormatException"/>; a message it returns must write and read
/// back to the same bytes.
/// </summary>
public static class EnvelopeTarget
{
    /// <summary>The target's name on the command line and under <c>corpus/</c>.</summary>
    public const string Name = "envelope";

    private static readonly JsonReaderOptions s_shallow = new() { MaxDepth = 4 };

    private static readonly Dictionary<string, ReadData> s_readers = new(StringComparer.Ordinal)
    {
        [Primitives.MessageType] = Read<Primitives>,
        [Nullables.MessageType] = Read<Nullables>,
        [Collections.MessageType] = Read<Collections>,
        [Members.MessageType] = Read<Members>,
        [Empty.MessageType] = Read<Empty>,
    };

    private delegate bool ReadData(ReadOnlySpan<byte> envelope, in ReadOnlySequence<byte> segmented, in EnvelopeHeader header);

    /// <summary>Runs every check on <paramref name="input"/>.</summary>
    /// <param name="input">One complete text message.</param>
    /// <returns>The verdict; an input is accepted when its envelope reads and, for a known type, so does its data.</returns>
    /// <exception cref="FuzzInvariantException">A reader broke its contract.</exception>
    public static FuzzOutcome Run(ReadOnlySpan<byte> input)
    {
        bool ok = Envelope.TryRead(input, out EnvelopeHeader header, out EnvelopeError error);
        FuzzInvariantException.Check(ok == (error == EnvelopeError.None) && Enum.IsDefined(error), $"TryRead returned {ok} with {error}");

        byte[] bytes = input.ToArray();
        var random = new InputRandom(input, 40);
        ReadOnlySequence<byte> segmented = Segment.Split(bytes, ref random, 7);
        bool segmentedOk = Envelope.TryRead(segmented, out EnvelopeHeader segmentedHeader, out EnvelopeError segmentedError);
        FuzzInvariantException.Check(
            segmentedOk == ok && segmentedError == error && SameHeader(header, segmentedHeader),
            $"envelope verdict {error} from a span, {segmentedError} from segments");

        bool shallowOk = Envelope.TryRead(input, out _, out EnvelopeError shallowError, s_shallow);
        FuzzInvariantException.Check(!shallowOk || ok, $"MaxDepth 4 accepts what the default depth refuses ({error})");
        FuzzInvariantException.Check(shallowOk == (shallowError == EnvelopeError.None), $"TryRead returned {shallowOk} with {shallowError}");

        if (!ok)
        {
            FuzzInvariantException.Check(header.Type is null && header.DataLength == 0, "a refused envelope returned a header");
            return new FuzzOutcome(false, $"envelope: {error}");
        }

        FuzzInvariantException.Check(header.Type.Length > 0, "an envelope with an empty type was accepted");
        ReadOnlySpan<byte> data = header.Data(input);
        FuzzInvariantException.Check(data.Length >= 2 && data[0] == (byte)'{' && data[^1] == (byte)'}', "the data range is not an object");

        bool known = s_readers.TryGetValue(header.Type, out ReadData? read);
        FuzzInvariantException.Check(SwitchboardMessages.Catalog.Contains(header.Type) == known, $"the generated catalogue and the harness disagree on '{header.Type}'");
        if (known)
        {
            bool read1 = read!(input, segmented, header);
            return new FuzzOutcome(read1, $"{header.Type}: {(read1 ? "read" : "MessageFormatException")}");
        }

        foreach (ReadData any in s_readers.Values)
        {
            any(input, segmented, header);
        }

        return new FuzzOutcome(true, $"{header.Type}: unknown type");
    }

    private static bool SameHeader(in EnvelopeHeader a, in EnvelopeHeader b) =>
        a.Type == b.Type && a.Id == b.Id && a.DataOffset == b.DataOffset && a.DataLength == b.DataLength;

    // Reads the data as T from the span and from the segments; both agree, and a message read writes and reads back.
    private static bool Read<T>(ReadOnlySpan<byte> envelope, in ReadOnlySequence<byte> segmented, in EnvelopeHeader header)
        where T : IMessage<T>
    {
        T? fromSpan = default;
        T? fromSegments = default;
        MessageFormatException? spanError = null;
        MessageFormatException? segmentsError = null;
        try
        {
            fromSpan = Envelope.ReadData<T>(envelope, header);
        }
        catch (MessageFormatException e)
        {
            spanError = e;
        }

        try
        {
            fromSegments = Envelope.ReadData<T>(segmented, header);
        }
        catch (MessageFormatException e)
        {
            segmentsError = e;
        }

        if (spanError is not null || segmentsError is not null)
        {
            FuzzInvariantException.Check(
                spanError?.Message == segmentsError?.Message,
                $"{T.MessageType}: '{spanError?.Message}' from a span, '{segmentsError?.Message}' from segments");
            FuzzInvariantException.Check(spanError!.MessageType == T.MessageType, $"a {T.MessageType} error names message '{spanError.MessageType}'");
            return false;
        }

        byte[] written = Write(fromSpan!, header.Id);
        FuzzInvariantException.Check(written.AsSpan().SequenceEqual(Write(fromSegments!, header.Id)), $"{T.MessageType}: the span and the segments read different messages");

        FuzzInvariantException.Check(Envelope.TryRead(written, out EnvelopeHeader again, out EnvelopeError error), $"{T.MessageType}: a written envelope does not read: {error}");
        T reread;
        try
        {
            reread = Envelope.ReadData<T>(written, again);
        }
        catch (MessageFormatException e)
        {
            throw new FuzzInvariantException($"{T.MessageType}: a written message does not read back: {e.Message}", e);
        }

        FuzzInvariantException.Check(written.AsSpan().SequenceEqual(Write(reread, again.Id)), $"{T.MessageType}: a message does not write the same after reading back");
        return true;
    }

    private static byte[] Write<T>(T message, string? id)
        where T : IMessage<T>
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Envelope.Write(writer, message, id);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
