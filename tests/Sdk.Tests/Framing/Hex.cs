namespace Switchboard.Tests.Framing;

/// <summary>Literal bytes written as hex pairs, spaces allowed: "81 05 48 65".</summary>
internal static class Hex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>Bytes 0, 1, 2, ... wrapping at 256: a payload whose every position is distinguishable.</summary>
    public static byte[] Counting(int length)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)i;
        }

        return bytes;
    }
}
