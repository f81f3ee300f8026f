using System.Buffers;

namespace Switchboard.Tests.Framing;

/// <summary>Builds multi-segment sequences over one backing array, so in-place changes stay visible.</summary>
internal sealed class TestSegment : ReadOnlySequenceSegment<byte>
{
    private TestSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>Splits <paramref name="memory"/> into segments of the given sizes; the last segment takes the rest.</summary>
    public static ReadOnlySequence<byte> Split(Memory<byte> memory, IEnumerable<int> sizes)
    {
        var first = new TestSegment(ReadOnlyMemory<byte>.Empty, 0);
        TestSegment last = first;
        int position = 0;
        bool started = false;
        foreach (int size in sizes)
        {
            int take = Math.Min(size, memory.Length - position);
            last = Append(ref first, last, memory.Slice(position, take), ref started);
            position += take;
            if (position == memory.Length)
            {
                break;
            }
        }

        if (position < memory.Length || !started)
        {
            last = Append(ref first, last, memory[position..], ref started);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>One segment per byte, the worst case for a reader.</summary>
    public static ReadOnlySequence<byte> PerByte(Memory<byte> memory) => Split(memory, Enumerable.Repeat(1, memory.Length));

    /// <summary>Random segment sizes 0 to <paramref name="maxSize"/>, empty segments included.</summary>
    public static ReadOnlySequence<byte> Random(Memory<byte> memory, Random random, int maxSize = 9)
    {
        var sizes = new List<int>();
        for (int total = 0; total < memory.Length; total += sizes[^1])
        {
            sizes.Add(random.Next(0, maxSize + 1));
        }

        return Split(memory, sizes);
    }

    private static TestSegment Append(ref TestSegment first, TestSegment last, ReadOnlyMemory<byte> memory, ref bool started)
    {
        if (!started)
        {
            started = true;
            first = new TestSegment(memory, 0);
            return first;
        }

        var next = new TestSegment(memory, last.RunningIndex + last.Memory.Length);
        last.Next = next;
        return next;
    }
}
