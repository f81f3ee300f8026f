using System.Buffers;
using Switchboard.Server.Handshake;
using Switchboard.Server.Http;
using Switchboard.Tests.Handshake;
using Xunit;
using static Switchboard.Tests.Handshake.HandshakeTestData;

namespace Switchboard.Server.Tests.Handshake;

/// <summary>
/// RFC 6455 section 4.2.1: the opening handshake as the upgrade reads it from a parsed head. Reading the head itself
/// (segmentation, targets, limits) is tested once, in <see cref="Http.RequestHeadParsingTests"/>.
/// </summary>
public class RequestParsingTests
{
    [Fact]
    public void Parse_ChromeRequest_ReadsEveryField()
    {
        ParseResult result = Parse(ChromeRequest);

        Assert.True(result.Done);
        Assert.Equal(HandshakeError.None, result.Error);
        Assert.Equal(ChromeRequest.Length, result.Consumed);
        Assert.Equal(result.Consumed, result.Examined);
        HandshakeRequest request = result.Request!;
        Assert.Equal("GET", request.Method);
        Assert.Equal("/chat?room=lobby", request.Target);
        Assert.Equal("/chat", request.Path);
        Assert.Equal("room=lobby", request.Query);
        Assert.Equal("localhost:8001", request.Host);
        Assert.Equal(SampleKey, request.Key);
        Assert.Equal("http://localhost:8001", request.Origin);
        Assert.Equal(["chat", "superchat"], request.Subprotocols);
        Assert.Equal(
            [
                new("Host", "localhost:8001"),
                new("Connection", "Upgrade"),
                new("Pragma", "no-cache"),
                new("Cache-Control", "no-cache"),
                new("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
                new("Upgrade", "websocket"),
                new("Origin", "http://localhost:8001"),
                new("Sec-WebSocket-Version", "13"),
                new("Accept-Encoding", "gzip, deflate, br, zstd"),
                new("Accept-Language", "en-US,en;q=0.9"),
                new("Sec-WebSocket-Key", SampleKey),
                new("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"),
                new KeyValuePair<string, string>("Sec-WebSocket-Protocol", "chat, superchat"),
            ],
            request.Headers);
        Assert.Equal("permessage-deflate; client_max_window_bits", request.GetHeader("sec-websocket-extensions"));
    }

    [Fact]
    public void Parse_MinimalRequest_HasNoOriginAndEmptyQuery()
    {
        ParseResult result = Parse(MinimalRequest);

        Assert.Equal(HandshakeError.None, result.Error);
        Assert.Equal("/", result.Request!.Path);
        Assert.Equal(string.Empty, result.Request.Query);
        Assert.Null(result.Request.Origin);
        Assert.Equal("example.com", result.Request.Host);
    }

    [Fact]
    public void Parse_FrameBytesAfterHead_AreLeftUnconsumed()
    {
        byte[] head = Bytes(MinimalRequest);
        byte[] input = [.. head, 0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58];

        ParseResult result = Parse(new ReadOnlySequence<byte>(input));

        Assert.Equal(HandshakeError.None, result.Error);
        Assert.Equal(head.Length, result.Consumed);
        Assert.Equal(head.Length, result.Examined);
    }

    [Fact]
    public void GetHeader_IsCaseInsensitiveAndJoinsRepeats()
    {
        ParseResult result = Parse(MinimalPlus("X-Trace: a", "x-trace:b ", "X-TRACE:\tc"));
        HandshakeRequest request = result.Request!;

        Assert.Equal("a, b, c", request.GetHeader("x-Trace"));
        Assert.Equal("example.com", request.GetHeader("HOST"));
        Assert.Null(request.GetHeader("X-Missing"));
    }

    [Fact]
    public void Headers_KeepNamesAsSentAndTrimValues()
    {
        ParseResult result = Parse(Request(
            "GET / HTTP/1.1",
            "host:   example.com\t ",
            "UPGRADE: websocket",
            "connection: Upgrade",
            "SEC-WEBSOCKET-KEY: dGhlIHNhbXBsZSBub25jZQ==",
            "sec-websocket-version:13"));

        Assert.Equal(HandshakeError.None, result.Error);
        Assert.Equal(
            [
                new("host", "example.com"),
                new("UPGRADE", "websocket"),
                new("connection", "Upgrade"),
                new("SEC-WEBSOCKET-KEY", SampleKey),
                new KeyValuePair<string, string>("sec-websocket-version", "13"),
            ],
            result.Request!.Headers);
        Assert.Equal(SampleKey, result.Request.Key);
    }

    [Fact]
    public void Headers_ObsTextValue_IsDecodedAsLatin1()
    {
        ParseResult result = Parse(MinimalPlus("X-Name: caf\u00e9"));

        Assert.Equal("caf\u00e9", result.Request!.GetHeader("X-Name"));
    }

    [Fact]
    public void Parse_EmptyValueAndZeroContentLength_AreAccepted()
    {
        ParseResult result = Parse(MinimalPlus("X-Empty:", "Content-Length: 0"));

        Assert.Equal(HandshakeError.None, result.Error);
        Assert.Equal(string.Empty, result.Request!.GetHeader("X-Empty"));
    }
}
