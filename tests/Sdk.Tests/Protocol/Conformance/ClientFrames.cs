using System.Buffers.Binary;
using System.Text;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Switchboard.Tests.Framing;

namespace Switchboard.Tests.Protocol.Conformance;

/// <summary>
/// Client frames as the conformance suite (tests/Conformance.Tests) writes them: masked with the section 5.7 key,
/// any RSV bits, opcode and length allowed, so every violation the suite sends can be spelled.
/// </summary>
internal static class ClientFrames
{
    public static byte[] Frame(int opcode, ReadOnlySpan<byte> payload, bool fin = true, int rsv = 0)
    {
        var header = new FrameHeader(fin, (byte)rsv, (Opcode)opcode, Masked: true, payload.Length, FixedMaskKeys.Key);
        byte[] frame = new byte[header.Length + payload.Length];
        header.Write(frame);
        payload.CopyTo(frame.AsSpan(header.Length));
        Mask.Apply(frame.AsSpan(header.Length), FixedMaskKeys.Key, 0);
        return frame;
    }

    public static byte[] Text(string text, bool fin = true) => Frame(1, Utf8(text), fin);

    public static byte[] Text(ReadOnlySpan<byte> payload, bool fin = true) => Frame(1, payload, fin);

    public static byte[] Binary(ReadOnlySpan<byte> payload, bool fin = true) => Frame(2, payload, fin);

    public static byte[] Continuation(string text, bool fin = true) => Frame(0, Utf8(text), fin);

    public static byte[] Continuation(ReadOnlySpan<byte> payload, bool fin = true) => Frame(0, payload, fin);

    public static byte[] Ping(string text = "") => Frame(9, Utf8(text));

    public static byte[] Ping(ReadOnlySpan<byte> payload) => Frame(9, payload);

    public static byte[] Pong(string text = "") => Frame(10, Utf8(text));

    public static byte[] Close() => Frame(8, []);

    public static byte[] Close(int code, string reason = "") => Close(code, Utf8(reason));

    public static byte[] Close(int code, ReadOnlySpan<byte> reason)
    {
        byte[] payload = new byte[2 + reason.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        reason.CopyTo(payload.AsSpan(2));
        return Frame(8, payload);
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary><paramref name="length"/> bytes cycling through <paramref name="pattern"/>, like Autobahn's payloads.</summary>
    public static byte[] Repeat(string pattern, int length) => [.. Enumerable.Range(0, length).Select(i => (byte)pattern[i % pattern.Length])];

    public static byte[] Repeat(byte value, int length) => Enumerable.Repeat(value, length).ToArray();

    public static byte[] Hex(string hex) => Framing.Hex.Bytes(hex);
}
