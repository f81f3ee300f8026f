using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Interop.Tests;

/// <summary>Deterministic message contents for round-trip checks.</summary>
internal static class Payloads
{
    public const int KiB = 1024;
    public const int MiB = 1024 * KiB;

    // Characters of 1, 2, 3 and 4 UTF-8 bytes.
    private static readonly string[] Alphabet = ["a", "Z", "0", " ", "~", "é", "ß", "€", "中", "😀", "🎉"];

    /// <summary>Valid UTF-8 of exactly <paramref name="size"/> bytes, mostly multi-byte characters.</summary>
    public static byte[] Utf8Text(int size, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[size];
        var used = 0;
        Span<byte> one = stackalloc byte[4];
        while (used < size)
        {
            var width = Encoding.UTF8.GetBytes(Alphabet[random.Next(Alphabet.Length)], one);
            if (used + width > size)
            {
                one[0] = (byte)'x';
                width = 1;
            }

            one[..width].CopyTo(bytes.AsSpan(used));
            used += width;
        }

        return bytes;
    }

    /// <summary>A string whose UTF-8 encoding is exactly <paramref name="size"/> bytes.</summary>
    public static string Text(int size, int seed) => Encoding.UTF8.GetString(Utf8Text(size, seed));

    /// <summary>Pseudo-random bytes.</summary>
    public static byte[] Binary(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
