using System.Buffers;
using System.Text;
using Switchboard.Protocol.Handshake;

namespace Switchboard.Tests.Handshake;

/// <summary>Requests, responses and sequence builders shared by the handshake tests.</summary>
internal static partial class HandshakeTestData
{
    /// <summary>RFC 6455 section 1.3: the sample nonce and the accept value derived from it.</summary>
    public const string SampleKey = "dGhlIHNhbXBsZSBub25jZQ==";
    public const string SampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    /// <summary>The header set Chrome sends for <c>new WebSocket("ws://localhost:8001/chat?room=lobby", ["chat", "superchat"])</c>.</summary>
    public const string ChromeRequest =
        "GET /chat?room=lobby HTTP/1.1\r\n" +
        "Host: localhost:8001\r\n" +
        "Connection: Upgrade\r\n" +
        "Pragma: no-cache\r\n" +
        "Cache-Control: no-cache\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n" +
        "Upgrade: websocket\r\n" +
        "Origin: http://localhost:8001\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
        "Accept-Language: en-US,en;q=0.9\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" +
        "Sec-WebSocket-Protocol: chat, superchat\r\n" +
        "\r\n";

    /// <summary>The smallest request the parser accepts.</summary>
    public const string MinimalRequest =
        "GET / HTTP/1.1\r\n" +
        "Host: example.com\r\n" +
        "Upgrade: websocket\r\n" +
        "Connection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Version: 13\r\n" +
        "\r\n";

    /// <summary>The minimal request's header lines, for tests that replace or drop one of them.</summary>
    public static string[] MinimalFields =>
    [
        "Host: example.com",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
    ];

    /// <summary>A request line, the given fields, and the blank line.</summary>
    public static string Request(string requestLine, params string[] fields)
    {
        var builder = new StringBuilder(requestLine).Append("\r\n");
        foreach (string field in fields)
        {
            builder.Append(field).Append("\r\n");
        }

        return builder.Append("\r\n").ToString();
    }

    /// <summary><c>GET / HTTP/1.1</c> with the minimal fields, one of them replaced (or dropped when the replacement is null).</summary>
    public static string MinimalWith(string fieldName, string? replacement)
    {
        List<string> fields = [];
        foreach (string field in MinimalFields)
        {
            if (!field.StartsWith(fieldName + ":", StringComparison.Ordinal))
            {
                fields.Add(field);
            }
            else if (replacement is not null)
            {
                fields.Add(replacement);
            }
        }

        return Request("GET / HTTP/1.1", [.. fields]);
    }

    /// <summary><c>GET / HTTP/1.1</c> with the minimal fields plus extra ones.</summary>
    public static string MinimalPlus(params string[] extra) => Request("GET / HTTP/1.1", [.. MinimalFields, .. extra]);

    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    public static ReadOnlySequence<byte> Sequence(string text) => new(Bytes(text));

    /// <summary>A sequence whose segments break at the given offsets; a repeated offset makes an empty segment.</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var first = new Segment(Array.Empty<byte>(), 0);
        Segment last = first;
        int start = 0;
        foreach (int cut in cuts)
        {
            last = last.Append(data.AsMemory(start, cut - start));
            start = cut;
        }

        last = last.Append(data.AsMemory(start));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>A sequence with every byte in a segment of its own.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] data) =>
        Split(data, [.. Enumerable.Range(1, Math.Max(0, data.Length - 1))]);

    /// <summary>Runs the client response reader and reports the consumed position as an offset.</summary>
    public static ResponseResult Read(ClientHandshake client, in ReadOnlySequence<byte> input)
    {
        bool done = client.TryReadResponse(
            input, out SequencePosition consumed, out SequencePosition examined, out ClientHandshakeError error, out int status, out string? subprotocol);
        return new ResponseResult(done, error, status, subprotocol, input.Slice(input.Start, consumed).Length, input.Slice(input.Start, examined).Length);
    }

    public static ResponseResult Read(ClientHandshake client, string text) => Read(client, Sequence(text));

    public static string Written(Action<ArrayBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return Encoding.Latin1.GetString(output.WrittenSpan);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

internal readonly record struct ResponseResult(bool Done, ClientHandshakeError Error, int StatusCode, string? Subprotocol, long Consumed, long Examined);
