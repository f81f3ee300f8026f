using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Switchboard.Fuzz.Messages;
using Switchboard.Messaging;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;

namespace Switchboard.Fuzz;

/// <summary>
/// Writes the checked-in seed corpus (tests/Fuzz/corpus), so it can be rebuilt and reviewed as code. A name starting
/// with <c>valid-</c> is an input its target accepts; <c>invalid-</c> and <c>partial-</c> ones it refuses or waits on.
/// The regression tests hold every file to that.
/// </summary>
public static class SeedCorpus
{
    // The masking key of RFC 6455 section 5.7.
    private const uint Key = 0x3D21FA37;

    /// <summary>Writes every seed file under <paramref name="directory"/>, one folder per target.</summary>
    /// <param name="directory">The corpus root, such as tests/Fuzz/corpus.</param>
    /// <returns>The number of files written.</returns>
    public static int Write(string directory)
    {
        int count = 0;
        foreach (var (target, name, bytes) in Frames().Concat(Handshakes()).Concat(Envelopes()))
        {
            string folder = Path.Combine(directory, target);
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
            count++;
        }

        return count;
    }

    private static IEnumerable<(string Target, string Name, byte[] Bytes)> Frames()
    {
        const string T = FrameTarget.Name;
        byte[] hello = "Hello"u8.ToArray();
        yield return (T, "valid-masked-text-hello.bin", Frames(w => FrameWriter.WriteFrame(w, Opcode.Text, hello, maskKey: Key)));
        yield return (T, "valid-unmasked-text-hello.bin", Frames(w => FrameWriter.WriteFrame(w, Opcode.Text, hello)));
        yield return (T, "valid-unmasked-fragmented-text.bin", Frames(w =>
        {
            FrameWriter.WriteFrame(w, Opcode.Text, "Hel"u8, fin: false);
            FrameWriter.WriteFrame(w, Opcode.Continuation, "lo"u8);
        }));
        yield return (T, "valid-masked-fragmented-with-ping.bin", Frames(w =>
        {
            FrameWriter.WriteFrame(w, Opcode.Binary, [1, 2, 3], fin: false, maskKey: Key);
            FrameWriter.WriteFrame(w, Opcode.Ping, "are you there"u8, maskKey: 0x01020304);
            FrameWriter.WriteFrame(w, Opcode.Continuation, [4, 5], fin: false, maskKey: 0xFFFFFFFF);
            FrameWriter.WriteFrame(w, Opcode.Continuation, [], maskKey: 0);
        }));
        yield return (T, "valid-masked-utf8-split-across-fragments.bin", Frames(w =>
        {
            byte[] kosme = Encoding.UTF8.GetBytes("κόσμε 😀");
            FrameWriter.WriteFrame(w, Opcode.Text, kosme.AsSpan(0, 3), fin: false, maskKey: Key);
            FrameWriter.WriteFrame(w, Opcode.Continuation, kosme.AsSpan(3, 9), fin: false, maskKey: Key);
            FrameWriter.WriteFrame(w, Opcode.Continuation, kosme.AsSpan(12), maskKey: Key);
        }));
        yield return (T, "valid-masked-ping-empty.bin", Frames(w => FrameWriter.WriteFrame(w, Opcode.Ping, [], maskKey: Key)));
        yield return (T, "valid-unmasked-pong-payload.bin", Frames(w => FrameWriter.WriteFrame(w, Opcode.Pong, "Hello"u8)));
        yield return (T, "valid-masked-close-1000-reason.bin", Frames(w => FrameWriter.WriteClose(w, CloseCode.NormalClosure, "bye ✓", Key)));
        yield return (T, "valid-unmasked-close-4000.bin", Frames(w => FrameWriter.WriteClose(w, (CloseCode)4000)));
        yield return (T, "valid-unmasked-close-empty.bin", Frames(w => FrameWriter.WriteFrame(w, Opcode.Close, [])));
        yield return (T, "valid-unmasked-binary-16bit-length.bin", Frames(w => FrameWriter.WriteFrame(w, Opcode.Binary, Enumerable.Range(0, 300).Select(i => (byte)i).ToArray())));
        yield return (T, "valid-masked-text-200-bytes.bin", Frames(w => FrameWriter.WriteFrame(w, Opcode.Text, Encoding.UTF8.GetBytes(new string('é', 100)), maskKey: 0xA5A5A5A5)));
        yield return (T, "valid-masked-conversation.bin", Frames(w =>
        {
            FrameWriter.WriteFrame(w, Opcode.Text, """{"type":"chat.send","data":{"text":"hi"}}"""u8, maskKey: Key);
            FrameWriter.WriteFrame(w, Opcode.Pong, [], maskKey: Key);
            FrameWriter.WriteFrame(w, Opcode.Binary, [0, 255], maskKey: 7);
            FrameWriter.WriteClose(w, CloseCode.GoingAway, null, Key);
        }));
        yield return (T, "partial-unmasked-binary-64bit-length.bin", [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3]);
        yield return (T, "partial-masked-header-only.bin", [0x81, 0x85, 0x37, 0xFA]);
        yield return (T, "invalid-reserved-opcode.bin", [0x83, 0x00]);
        yield return (T, "invalid-rsv1-set.bin", [0xC1, 0x01, 0x41]);
        yield return (T, "invalid-fragmented-ping.bin", [0x09, 0x00]);
        yield return (T, "invalid-control-frame-126.bin", [0x89, 0x7E, 0x00, 0x7E]);
        yield return (T, "invalid-non-minimal-16bit-length.bin", [0x82, 0x7E, 0x00, 0x05, 1, 2, 3, 4, 5]);
        yield return (T, "invalid-64bit-length-top-bit.bin", [0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0]);
        yield return (T, "invalid-unexpected-continuation.bin", [0x80, 0x01, 0x41]);
        yield return (T, "invalid-text-not-utf8.bin", [0x81, 0x02, 0xC3, 0x28]);
        yield return (T, "invalid-close-one-byte.bin", [0x88, 0x01, 0x03]);
        yield return (T, "invalid-close-1005.bin", [0x88, 0x02, 0x03, 0xED]);
        yield return (T, "invalid-close-reason-not-utf8.bin", [0x88, 0x04, 0x03, 0xE8, 0xFF, 0xFE]);
    }

    private static IEnumerable<(string Target, string Name, byte[] Bytes)> Handshakes()
    {
        const string T = HandshakeTarget.Name;
        const string Rfc = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n" +
            "Sec-WebSocket-Version: 13\r\n\r\n";
        yield return (T, "valid-request-rfc6455.txt", Ascii(Rfc));
        yield return (T, "valid-request-browser.txt", Ascii(
            "GET /ws/alice?room=main&x=%20 HTTP/1.1\r\nHost: 127.0.0.1:8001\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n" +
            "Accept: */*\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\nSec-WebSocket-Version: 13\r\n" +
            "Origin: http://127.0.0.1:8001\r\nSec-WebSocket-Extensions: permessage-deflate\r\nSec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n" +
            "Connection: keep-alive, Upgrade\r\nCookie: session=abc; theme=dark\r\nPragma: no-cache\r\nUpgrade: websocket\r\n\r\n"));
        yield return (T, "valid-request-absolute-form.txt", Ascii(
            "GET ws://example.com:9001/echo?q=1 HTTP/1.1\r\nHost: example.com:9001\r\nUpgrade: h2c, WebSocket\r\nConnection: upgrade\r\n" +
            "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        yield return (T, "valid-request-odd-headers.txt", Latin1(
            "GET / HTTP/1.1\r\nhOsT:example.com\r\nupgrade:\twebsocket \r\nCONNECTION: ,, Upgrade ,\r\nX-Empty:\r\n" +
            "X-Latin1: caf\u00e9\r\nContent-Length: 0\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version:13\r\n" +
            "X-Tab: a\tb\r\n\r\n"));
        yield return (T, "valid-request-followed-by-frames.txt", [.. Ascii(Rfc), 0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]);
        yield return (T, "valid-response-rfc6455.txt", Ascii(
            $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {HandshakeTarget.ClientAccept}\r\n" +
            "Sec-WebSocket-Protocol: chat\r\n\r\n"));
        yield return (T, "valid-response-no-reason-then-frame.txt", [.. Ascii(
            $"HTTP/1.1 101\r\nconnection: keep-alive, upgrade\r\nupgrade: WebSocket\r\nsec-websocket-accept: {HandshakeTarget.ClientAccept}\r\n" +
            "Server: test\r\n\r\n"), 0x81, 0x02, 0x68, 0x69]);
        yield return (T, "partial-request-no-blank-line.txt", Ascii(Rfc[..^2]));
        yield return (T, "partial-response-status-line.txt", Ascii("HTTP/1.1 101 Switching"));
        yield return (T, "invalid-request-post.txt", Ascii(Rfc.Replace("GET", "POST", StringComparison.Ordinal)));
        yield return (T, "invalid-request-http10.txt", Ascii(Rfc.Replace("HTTP/1.1", "HTTP/1.0", StringComparison.Ordinal)));
        yield return (T, "invalid-request-bare-lf.txt", Ascii(Rfc.Replace("\r\n", "\n", StringComparison.Ordinal)));
        yield return (T, "invalid-request-folded-header.txt", Ascii(Rfc.Replace("Origin: http://example.com\r\n", "Origin: http://\r\n example.com\r\n", StringComparison.Ordinal)));
        yield return (T, "invalid-request-short-key.txt", Ascii(Rfc.Replace("dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZQ==", StringComparison.Ordinal)));
        yield return (T, "invalid-request-version-8.txt", Ascii(Rfc.Replace("Version: 13", "Version: 8", StringComparison.Ordinal)));
        yield return (T, "invalid-request-transfer-encoding.txt", Ascii(Rfc.Replace("Origin:", "Transfer-Encoding: chunked\r\nOrigin:", StringComparison.Ordinal)));
        yield return (T, "invalid-request-two-hosts.txt", Ascii(Rfc.Replace("Origin:", "Host: other.example.com\r\nOrigin:", StringComparison.Ordinal)));
        yield return (T, "invalid-request-tls-client-hello.bin", [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03]);
        yield return (T, "invalid-response-404.txt", Ascii("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
        yield return (T, "invalid-response-wrong-accept.txt", Ascii(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n"));
        yield return (T, "invalid-response-extension.txt", Ascii(
            $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {HandshakeTarget.ClientAccept}\r\n" +
            "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"));
    }

    private static IEnumerable<(string Target, string Name, byte[] Bytes)> Envelopes()
    {
        const string T = EnvelopeTarget.Name;
        var home = new Address("Main Street", 12, null);
        yield return (T, "valid-primitives.json", Message(new Primitives(
            true, 'é', 255, -128, short.MinValue, ushort.MaxValue, -7, uint.MaxValue, long.MinValue, ulong.MaxValue, 1.5f, -0.1, 79228162514264337593543950335m,
            "tab\there \"quoted\" ✓", Guid.Parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301"), new DateTime(2026, 11, 24, 10, 0, 0, DateTimeKind.Utc),
            new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.FromHours(-5)), TimeSpan.FromMilliseconds(-90061001), new DateOnly(2026, 2, 28),
            new TimeOnly(23, 59, 59, 999), Mood.SoSo, Permissions.Read | Permissions.Admin)));
        yield return (T, "valid-nullables-all-null.json", Message(new Nullables(null, null, null, null, null, null, null, null, null, null, null, null)));
        yield return (T, "valid-nullables-values.json", Message(new Nullables(
            0, "", Guid.Empty, Mood.Calm, DateTimeOffset.UnixEpoch, TimeSpan.Zero, DateOnly.MinValue, '\u0000', home, new Point { X = -1, Y = 1 },
            [1, null, 3], [0, 1, 2, 250])));
        yield return (T, "valid-collections-nested.json", Message(new Collections(
            [1, 2, 3], ["a", "b"], [home, new Address("Side", 0, "back door")], [Mood.Happy, Mood.SoSo], new() { ["x"] = 1, [""] = -1 },
            new() { ["k"] = [home, null] }, [[1.0, 2.5], [], [-1e300]], [], [new Point { X = 3, Y = 4 }])));
        yield return (T, "valid-members.json", Message(new Members { Title = "title", Count = 3, Renamed = 1L << 40, Optional = "o", Home = home }));
        yield return (T, "valid-empty-with-id.json", Utf8("""{"id":"7","data":{},"type":"fuzz.empty"}"""));
        yield return (T, "valid-unicode-escapes.json", Utf8("""{"type":"fuzz.members","data":{"title":"caf\u00e9 \ud83d\ude00 Ж ✓ 😀","home":{"street":"\u0000\/\\","number":0}}}"""));
        yield return (T, "valid-unknown-type-and-properties.json", Utf8("""{"v":2,"type":"chat.send","extra":[1,{"a":null}],"data":{"text":"hi"},"id":null}"""));
        yield return (T, "valid-whitespace.json", Utf8(" \r\n\t{ \"data\" : { } , \"type\" : \"fuzz.empty\" }\n"));
        yield return (T, "invalid-not-an-object.json", Utf8("""[{"type":"fuzz.empty","data":{}}]"""));
        yield return (T, "invalid-missing-type.json", Utf8("""{"data":{}}"""));
        yield return (T, "invalid-empty-type.json", Utf8("""{"type":"","data":{}}"""));
        yield return (T, "invalid-data-array.json", Utf8("""{"type":"fuzz.empty","data":[]}"""));
        yield return (T, "invalid-duplicate-type.json", Utf8("""{"type":"fuzz.empty","type":"fuzz.empty","data":{}}"""));
        yield return (T, "invalid-id-number.json", Utf8("""{"type":"fuzz.empty","id":7,"data":{}}"""));
        yield return (T, "invalid-trailing-content.json", Utf8("""{"type":"fuzz.empty","data":{}} {}"""));
        yield return (T, "invalid-truncated.json", Utf8("""{"type":"fuzz.members","data":{"title":"t","""));
        yield return (T, "invalid-type-not-utf8.json", [.. Utf8("{\"type\":\"a"), 0xC3, 0x28, .. Utf8("\",\"data\":{}}")]);
        yield return (T, "invalid-lone-surrogate.json", Utf8("""{"type":"fuzz.members","data":{"title":"\ud800","home":{"street":"s","number":1}}}"""));
        yield return (T, "invalid-member-missing-required.json", Utf8("""{"type":"fuzz.members","data":{"title":"t"}}"""));
        yield return (T, "invalid-number-out-of-range.json", Utf8("""{"type":"fuzz.collections","data":{"numbers":[2147483648]}}"""));
        yield return (T, "invalid-deep-nesting.json", Utf8("{\"type\":\"fuzz.empty\",\"data\":{\"x\":" + new string('[', 70) + new string(']', 70) + "}}"));
    }

    private static byte[] Frames(Action<ArrayBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Message<T>(T message)
        where T : IMessage<T>
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            Envelope.Write(writer, message);
        }

        return output.WrittenSpan.ToArray();
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
