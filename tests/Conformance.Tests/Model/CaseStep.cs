using Switchboard.Conformance.Tests.Wire;

namespace Switchboard.Conformance.Tests.Model;

/// <summary>One thing the client does during a case.</summary>
public abstract record CaseStep;

/// <summary>
/// Writes <paramref name="Bytes"/>: in one write, or in chunks of <paramref name="ChunkSize"/> bytes with
/// <paramref name="Delay"/> between them (Autobahn's frame-wise and octet-wise "chops").
/// </summary>
/// <param name="EndsMidFrame">The bytes stop inside a frame, so the client cannot answer a close frame afterwards.</param>
/// <param name="SendsClose">The bytes hold a close frame a correct client could send: after it the client answers no close.</param>
public sealed record SendStep(byte[] Bytes, string What, int ChunkSize = 0, TimeSpan Delay = default, bool EndsMidFrame = false, bool SendsClose = false) : CaseStep;

/// <summary>Waits, reading whatever arrives.</summary>
public sealed record PauseStep(TimeSpan Duration) : CaseStep;

/// <summary>Waits; the server must neither close nor send a close frame meanwhile (Autobahn's "timeout" events).</summary>
public sealed record ExpectOpenStep(TimeSpan Duration, string Why) : CaseStep;

/// <summary>The server must have sent its close frame within <paramref name="Within"/> (fail fast), before the client sends more.</summary>
public sealed record ExpectCloseStep(TimeSpan Within, string Why) : CaseStep;

/// <summary>The server must have sent <paramref name="Count"/> messages or pongs in all within <paramref name="Within"/>.</summary>
public sealed record AwaitRepliesStep(int Count, TimeSpan Within, string Why) : CaseStep;

/// <summary>Sends <paramref name="Frame"/> <paramref name="Count"/> times, each time only after the previous reply arrived.</summary>
public sealed record RoundTripStep(ClientFrame Frame, int Count, TimeSpan Within) : CaseStep;

/// <summary>How the frames of one send step are written.</summary>
public enum Delivery
{
    /// <summary>All frames in one write.</summary>
    OneWrite,

    /// <summary>Each frame in its own write, a little apart (Autobahn's sync = True).</summary>
    FrameWise,

    /// <summary>Every byte in its own write (Autobahn's chopsize = 1).</summary>
    OctetWise,
}

public static class Steps
{
    private static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(1);

    /// <summary>The frames as steps: one for <see cref="Delivery.OneWrite"/> and <see cref="Delivery.OctetWise"/>, one per frame otherwise.</summary>
    public static IEnumerable<CaseStep> Send(Delivery delivery, params ClientFrame[] frames)
    {
        if (delivery == Delivery.FrameWise)
        {
            foreach (var frame in frames)
            {
                yield return new SendStep(frame.ToBytes(), Name(frame), SendsClose: frame.IsLegalClose);
                yield return new PauseStep(Gap);
            }
            yield break;
        }

        var bytes = frames.SelectMany(f => f.ToBytes()).ToArray();
        var what = frames.Length <= 6
            ? string.Join(", ", frames.Select(Name))
            : $"{frames.Length} frames: {Name(frames[0])}, {Name(frames[1])}, …, {Name(frames[^1])}";
        yield return delivery == Delivery.OctetWise
            ? new SendStep(bytes, what + " (octet-wise)", ChunkSize: 1, Delay: Gap, SendsClose: frames.Any(f => f.IsLegalClose))
            : new SendStep(bytes, what, SendsClose: frames.Any(f => f.IsLegalClose));
    }

    /// <summary>A frame's bytes cut at the given payload offsets, each piece its own write (the header goes with the first).</summary>
    public static IEnumerable<CaseStep> SendInPieces(ClientFrame frame, params int[] payloadCuts)
    {
        var bytes = frame.ToBytes();
        var cuts = payloadCuts.Select(c => frame.HeaderSize + c).Prepend(0).Append(bytes.Length).ToArray();
        for (var i = 0; i + 1 < cuts.Length; i++)
        {
            var last = i + 2 == cuts.Length;
            yield return new SendStep(bytes[cuts[i]..cuts[i + 1]], $"{Name(frame)} bytes {cuts[i]}..{cuts[i + 1]} of {bytes.Length}", EndsMidFrame: !last);
        }
    }

    public static string Name(ClientFrame frame)
    {
        var name = frame.Opcode switch { 0 => "continuation", 1 => "text", 2 => "binary", 8 => "close", 9 => "ping", 10 => "pong", var o => $"opcode {o}" };
        var flags = (frame.Fin ? "" : " fin=0") + (frame.Rsv != 0 ? $" rsv={frame.Rsv}" : "") + (frame.Masked ? "" : " UNMASKED")
            + (frame.Encoding != LengthEncoding.Minimal ? $" {frame.Encoding}-length" : "")
            + (frame.DeclaredLength is { } d ? $" declaring {d} B" : "");
        return $"{name}{flags} {Describe.Payload(frame.Payload.Span)}";
    }
}
