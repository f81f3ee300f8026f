using System.Buffers;
using Switchboard.Protocol.Http;
using Switchboard.Server.Handshake;
using Switchboard.Server.Http;
using static Switchboard.Tests.Handshake.HandshakeTestData;

namespace Switchboard.Server.Tests.Http;

/// <summary>Requests and a parser driver shared by the HTTP request-head tests; sequence builders come from the handshake tests.</summary>
internal static class HttpTestData
{
    /// <summary>What Chrome sends for <c>fetch("/api/rooms")</c> after loading the page from the same server.</summary>
    public const string BrowserGet =
        "GET /api/rooms?limit=10 HTTP/1.1\r\n" +
        "Host: 127.0.0.1:8001\r\n" +
        "Connection: keep-alive\r\n" +
        "sec-ch-ua-platform: \"Linux\"\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n" +
        "Accept: */*\r\n" +
        "Sec-Fetch-Site: same-origin\r\n" +
        "Sec-Fetch-Mode: cors\r\n" +
        "Referer: http://127.0.0.1:8001/\r\n" +
        "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
        "Accept-Language: en-US,en;q=0.9\r\n" +
        "\r\n";

    public const string PostBody = "{\"type\":\"chat.send\",\"x\":1}";

    /// <summary>A long-poll style POST whose head announces <see cref="PostBody"/>.</summary>
    public static readonly string PostHead =
        "POST /poll/send HTTP/1.1\r\n" +
        "Host: 127.0.0.1:8001\r\n" +
        "Content-Type: application/json\r\n" +
        $"Content-Length: {PostBody.Length}\r\n" +
        "\r\n";

    /// <summary>The smallest request the parser accepts.</summary>
    public const string MinimalGet = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

    /// <summary><c>POST / HTTP/1.1</c> with Host and the given extra fields.</summary>
    public static string PostWith(params string[] fields) => Request("POST / HTTP/1.1", ["Host: a", .. fields]);

    public static HttpParseResult ParseHttp(in ReadOnlySequence<byte> input, HttpLimits? limits = null)
    {
        bool done = HttpRequestParser.TryParse(
            input, (limits ?? HttpLimits.Default).Head, (limits ?? HttpLimits.Default).MaxRequestBodySize, out SequencePosition consumed, out SequencePosition examined, out HttpRequestHead? head, out HttpError error);
        return new HttpParseResult(done, error, head, input.Slice(input.Start, consumed).Length, input.Slice(input.Start, examined).Length);
    }

    public static HttpParseResult ParseHttp(string text, HttpLimits? limits = null) => ParseHttp(Sequence(text), limits);
}

/// <summary>The caps <see cref="HttpRequestParser.TryParse"/> takes, the head's and the body's, gathered for the tests.</summary>
internal sealed class HttpLimits
{
    public static HttpLimits Default { get; } = new();

    public int MaxHeaderBytes { get; init; } = HttpHeadLimits.Default.MaxHeaderBytes;

    public int MaxHeaderCount { get; init; } = HttpHeadLimits.Default.MaxHeaderCount;

    public long MaxRequestBodySize { get; init; } = 1024 * 1024;

    public HttpHeadLimits Head => new() { MaxHeaderBytes = MaxHeaderBytes, MaxHeaderCount = MaxHeaderCount };
}

internal readonly record struct HttpParseResult(bool Done, HttpError Error, HttpRequestHead? Head, long Consumed, long Examined);
