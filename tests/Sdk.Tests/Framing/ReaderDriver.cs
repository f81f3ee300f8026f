using System.Buffers;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Xunit;

namespace Switchboard.Tests.Framing;

/// <summary>
/// Runs a <see cref="FrameReader"/> the way a pipe loop does: bytes arrive in chunks, the unread
/// window grows, and the reader is called on the window until it needs more. Works on a copy of
/// the wire bytes, since the reader unmasks in place.
/// </summary>
internal static class ReaderDriver
{
    /// <summary>The whole input in one single-segment buffer.</summary>
    public static Transcript ReadWhole(byte[] wire, WebSocketRole role = WebSocketRole.Client, FrameReaderOptions? options = null) =>
        Read(wire, role, options, [wire.Length]);

    /// <summary>The input one byte at a time.</summary>
    public static Transcript ReadBytewise(byte[] wire, WebSocketRole role = WebSocketRole.Client, FrameReaderOptions? options = null) =>
        Read(wire, role, options, Enumerable.Repeat(1, wire.Length));

    /// <summary>
    /// Feeds chunks of the given sizes (the rest at the end) and presents each window through
    /// <paramref name="segmenter"/>, single-segment when null. Checks the TryRead contract on every call.
    /// </summary>
    public static Transcript Read(
        byte[] wire,
        WebSocketRole role,
        FrameReaderOptions? options,
        IEnumerable<int> chunks,
        Func<Memory<byte>, ReadOnlySequence<byte>>? segmenter = null)
    {
        byte[] buffer = wire.ToArray();
        var reader = new FrameReader(role, options);
        var transcript = new Transcript();
        int start = 0;
        int end = 0;
        foreach (int chunk in chunks.Append(wire.Length))
        {
            end = Math.Min(wire.Length, end + chunk);
            while (true)
            {
                Memory<byte> window = buffer.AsMemory(start, end - start);
                ReadOnlySequence<byte> input = segmenter?.Invoke(window) ?? new ReadOnlySequence<byte>(window);
                if (!reader.TryRead(input, out SequencePosition consumed, out SequencePosition examined, out FrameEvent frameEvent))
                {
                    // Need more: nothing consumed, everything examined.
                    Assert.Equal(input.Length, input.Slice(consumed).Length);
                    Assert.Equal(0, input.Slice(examined).Length);
                    break;
                }

                long consumedLength = input.Slice(input.Start, consumed).Length;
                Assert.True(input.Slice(consumed).Length >= input.Slice(examined).Length, "examined is before consumed");
                bool ok = transcript.Add(frameEvent);
                start += (int)consumedLength;
                transcript.Consumed = start;
                if (!ok)
                {
                    return transcript;
                }
            }
        }

        return transcript;
    }
}
