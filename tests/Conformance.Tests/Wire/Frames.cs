using System.Buffers.Binary;
using System.Text;

namespace Switchboard.Conformance.Tests.Wire;

/// <summary>Shorthands for the frames the cases send; every one returns a plain <see cref="ClientFrame"/> to adjust with <c>with</c>.</summary>
public static class Frames
{
    public static ClientFrame Continuation(ReadOnlyMemory<byte> payload, bool fin = true) => new() { Opcode = 0, Payload = payload, Fin = fin };

    public static ClientFrame Continuation(string payload, bool fin = true) => Continuation(Utf8(payload), fin);

    public static ClientFrame Text(ReadOnlyMemory<byte> payload, bool fin = true) => new() { Opcode = 1, Payload = payload, Fin = fin };

    public static ClientFrame Text(string payload, bool fin = true) => Text(Utf8(payload), fin);

    public static ClientFrame Binary(ReadOnlyMemory<byte> payload, bool fin = true) => new() { Opcode = 2, Payload = payload, Fin = fin };

    public static ClientFrame Ping(ReadOnlyMemory<byte> payload = default) => new() { Opcode = 9, Payload = payload };

    public static ClientFrame Ping(string payload) => Ping(Utf8(payload));

    public static ClientFrame Pong(ReadOnlyMemory<byte> payload = default) => new() { Opcode = 10, Payload = payload };

    public static ClientFrame Pong(string payload) => Pong(Utf8(payload));

    /// <summary>A close frame with an empty payload (no status code).</summary>
    public static ClientFrame Close() => new() { Opcode = 8 };

    /// <summary>A close frame carrying <paramref name="code"/> and <paramref name="reason"/> bytes, which need not be UTF-8.</summary>
    public static ClientFrame Close(int code, ReadOnlySpan<byte> reason = default)
    {
        var payload = new byte[2 + reason.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        reason.CopyTo(payload.AsSpan(2));
        return new ClientFrame { Opcode = 8, Payload = payload };
    }

    public static ClientFrame Close(int code, string reason) => Close(code, Encoding.UTF8.GetBytes(reason));

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Bytes from a hex string such as <c>"cebae1bdb9"</c> (spaces allowed).</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    /// <summary><paramref name="length"/> bytes cycling through <paramref name="pattern"/>, like Autobahn's repeated payloads.</summary>
    public static byte[] Repeat(string pattern, int length) => Repeat(Utf8(pattern), length);

    public static byte[] Repeat(ReadOnlySpan<byte> pattern, int length)
    {
        var bytes = new byte[length];
        if (length == 0) return bytes;
        var filled = Math.Min(pattern.Length, length);
        pattern[..filled].CopyTo(bytes);
        while (filled < length)
        {
            var chunk = Math.Min(filled, length - filled);
            bytes.AsSpan(0, chunk).CopyTo(bytes.AsSpan(filled));
            filled += chunk;
        }
        return bytes;
    }
}
