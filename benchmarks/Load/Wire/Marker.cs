using System.Buffers.Text;

namespace Switchboard.Benchmarks.Load.Wire;

/// <summary>
/// The stamp a broadcast message carries so any receiver can time its delivery: <c>#</c>, the send time as 16 decimal
/// digits of nanoseconds since the run started, and the sender as 6 digits. It sits inside a JSON string of every
/// wire format used here (no character of it is ever escaped), so a receiver finds stamps by scanning for <c>#</c>
/// without parsing JSON; a frame holding several SignalR records holds several stamps.
/// </summary>
internal static class Marker
{
    public const byte Start = (byte)'#';
    public const int Length = 1 + 16 + 6;

    public static void Write(Span<byte> destination, long sentNanoseconds, int sender)
    {
        destination[0] = Start;
        WriteDigits(destination.Slice(1, 16), sentNanoseconds);
        WriteDigits(destination.Slice(17, 6), sender);
    }

    /// <summary>Reads the stamp at the start of <paramref name="source"/>; false if it is not one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out long sentNanoseconds, out int sender)
    {
        sender = 0;
        sentNanoseconds = 0;
        if (source.Length < Length || source[0] != Start) return false;
        if (!Utf8Parser.TryParse(source.Slice(1, 16), out sentNanoseconds, out var a) || a != 16) return false;
        return Utf8Parser.TryParse(source.Slice(17, 6), out sender, out var b) && b == 6;
    }

    private static void WriteDigits(Span<byte> destination, long value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }
}
