using System.Buffers;

namespace Switchboard.Fuzz;

/// <summary>
/// Choices derived from the input itself (where to cut it, how to segment it), so every run of a file makes the same
/// choices: a crash replays from the file alone, and AFL sees the same coverage each time it runs an input.
/// </summary>
internal struct InputRandom
{
    private ulong _state;

    /// <summary>Seeds from an FNV-1a hash of the input and a salt that tells the uses apart.</summary>
    public InputRandom(ReadOnlySpan<byte> input, ulong salt)
    {
        ulong hash = 0xCBF29CE484222325UL ^ salt;
        foreach (byte b in input)
        {
            hash = (hash ^ b) * 0x100000001B3UL;
        }

        _state = hash == 0 ? 0x9E3779B97F4A7C15UL : hash;
    }

    /// <summary>A number from 0 to <paramref name="maxExclusive"/> - 1 (xorshift64*).</summary>
    public int Next(int maxExclusive)
    {
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        ulong value = _state * 0x2545F4914F6CDD1DUL;
        return (int)((value >> 33) % (ulong)maxExclusive);
    }
}

/// <summary>Builds multi-segment sequences over one backing array, so the reader's in-place unmasking stays visible.</summary>
internal sealed class Segment : ReadOnlySequenceSegment<byte>
{
    private Segment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>
    /// Cuts <paramref name="memory"/> into segments of 0 to <paramref name="maxSize"/> bytes each, empty ones
    /// included, as chosen by <paramref name="random"/>.
    /// </summary>
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> memory, ref InputRandom random, int maxSize)
    {
        var first = new Segment(memory[..Math.Min(memory.Length, random.Next(maxSize + 1))], 0);
        Segment last = first;
        int position = first.Memory.Length;
        while (position < memory.Length)
        {
            int size = Math.Min(memory.Length - position, random.Next(maxSize + 1));
            var next = new Segment(memory.Slice(position, size), position);
            last.Next = next;
            last = next;
            position += size;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
