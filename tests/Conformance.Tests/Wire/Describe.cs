using System.Text;

namespace Switchboard.Conformance.Tests.Wire;

/// <summary>Short, readable renderings of bytes for failure messages.</summary>
public static class Describe
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool IsUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    public static string Text(ReadOnlySpan<byte> bytes) => IsUtf8(bytes) ? Strict.GetString(bytes) : "0x" + Convert.ToHexString(bytes);

    /// <summary>Length plus the first bytes in hex (and as text when short and printable).</summary>
    public static string Payload(ReadOnlySpan<byte> bytes)
    {
        const int Shown = 24;
        if (bytes.IsEmpty) return "[0 B]";
        var hex = Convert.ToHexString(bytes[..Math.Min(bytes.Length, Shown)]).ToLowerInvariant();
        var more = bytes.Length > Shown ? "…" : "";
        var text = bytes.Length <= 48 && IsUtf8(bytes) && !bytes.ContainsAnyInRange((byte)0, (byte)31) ? $" \"{Strict.GetString(bytes)}\"" : "";
        return $"[{bytes.Length} B] {hex}{more}{text}";
    }
}
