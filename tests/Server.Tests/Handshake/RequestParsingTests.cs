using System.Buffers;
using CsCheck;
using Switchboard.Server.Handshake;
using Switchboard.Server.Http;
using Switchboard.Tests.Handshake;
using Xunit;
using static Switchboard.Tests.Handshake.HandshakeTestData;

namespace Switchboard.Server.Tests.Handshake;

/// <summary>RFC 6455 section 4.2.1 and RFC 9112 sections 2 to 5: reading the client's opening handshake.</summary>
public class RequestParsingTests
{
    public static TheoryData<string> ValidRequests => new() { ChromeRequest, MinimalRequest };

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

    [Theory]
    [MemberData(nameof(ValidRequests))]
    public void Parse_EveryPrefix_IsIncompleteAndConsumesNothing(string request)
    {
        byte[] bytes = Bytes(request);
        for (int length = 0; length < bytes.Length; length++)
        {
            ParseResult result = Parse(new ReadOnlySequence<byte>(bytes, 0, length));

            Assert.False(result.Done, $"prefix of {length} bytes");
            Assert.Equal(HandshakeError.None, result.Error);
            Assert.Null(result.Request);
            Assert.Equal(0, result.Consumed);
            Assert.Equal(length, result.Examined);
        }
    }

    [Theory]
    [MemberData(nameof(ValidRequests))]
    public void Parse_TwoSegmentsSplitAtEveryByte_SameResult(string request)
    {
        byte[] bytes = Bytes(request);
        HandshakeRequest expected = Parse(request).Request!;
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            ParseResult result = Parse(Split(bytes, cut));

            Assert.True(result.Done, $"cut at {cut}");
            Assert.Equal(HandshakeError.None, result.Error);
            Assert.Equal(bytes.Length, result.Consumed);
            AssertSameRequest(expected, result.Request!);
        }
    }

    [Theory]
    [MemberData(nameof(ValidRequests))]
    public void Parse_OneBytePerSegment_SameResult(string request)
    {
        byte[] bytes = Bytes(request);

        ParseResult result = Parse(OneBytePerSegment(bytes));

        Assert.Equal(HandshakeError.None, result.Error);
        Assert.Equal(bytes.Length, result.Consumed);
        AssertSameRequest(Parse(request).Request!, result.Request!);
    }

    [Fact]
    public void Parse_EmptySegmentsAnywhere_SameResult()
    {
        byte[] bytes = Bytes(ChromeRequest);

        ParseResult result = Parse(Split(bytes, 0, 0, 17, 17, 17, 300, bytes.Length, bytes.Length));

        Assert.Equal(HandshakeError.None, result.Error);
        AssertSameRequest(Parse(ChromeRequest).Request!, result.Request!);
    }

    [Fact]
    public void Parse_RandomSegmentation_SameResult()
    {
        byte[] bytes = Bytes(ChromeRequest);
        HandshakeRequest expected = Parse(ChromeRequest).Request!;

        Gen.Int[0, bytes.Length].Array[0, 12].Sample(cuts =>
        {
            Array.Sort(cuts);
            ParseResult result = Parse(Split(bytes, cuts));
            Assert.Equal(HandshakeError.None, result.Error);
            AssertSameRequest(expected, result.Request!);
        });
    }

    [Fact]
    public void Parse_ArbitraryBytes_NeverThrows()
    {
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            _ = Parse(new ReadOnlySequence<byte>(bytes));
            _ = Parse(OneBytePerSegment(bytes));
        });
    }

    [Fact]
    public void Parse_MutatedValidRequest_NeverThrowsAndNeverConsumesOnError()
    {
        byte[] valid = Bytes(ChromeRequest);
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte).Sample((index, value) =>
        {
            byte[] bytes = (byte[])valid.Clone();
            bytes[index] = value;
            ParseResult result = Parse(new ReadOnlySequence<byte>(bytes));
            if (result.Error != HandshakeError.None)
            {
                Assert.True(result.Done);
                Assert.Equal(0, result.Consumed);
                Assert.Null(result.Request);
            }
        });
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

    [Theory]
    [InlineData("/", "/", "")]
    [InlineData("/chat", "/chat", "")]
    [InlineData("/chat?", "/chat", "")]
    [InlineData("/a%20b/c?x=1&y=%2F", "/a%20b/c", "x=1&y=%2F")]
    [InlineData("//double", "//double", "")]
    [InlineData("/?q", "/", "q")]
    public void Parse_OriginFormTarget_SplitsPathAndQuery(string target, string path, string query)
    {
        ParseResult result = Parse(Request($"GET {target} HTTP/1.1", MinimalFields));

        Assert.Equal(HandshakeError.None, result.Error);
        Assert.Equal(target, result.Request!.Target);
        Assert.Equal(path, result.Request.Path);
        Assert.Equal(query, result.Request.Query);
        Assert.Equal("example.com", result.Request.Host);
    }

    [Theory]
    [InlineData("ws://chat.example:9000/room?id=7", "/room", "id=7", "chat.example:9000")]
    [InlineData("http://chat.example", "/", "", "chat.example")]
    [InlineData("WSS://chat.example?x", "/", "x", "chat.example")]
    [InlineData("https://[::1]:8443/a/b", "/a/b", "", "[::1]:8443")]
    public void Parse_AbsoluteFormTarget_ReducesToPathAndTakesAuthorityAsHost(string target, string path, string query, string host)
    {
        ParseResult result = Parse(Request($"GET {target} HTTP/1.1", MinimalFields));

        Assert.Equal(HandshakeError.None, result.Error);
        Assert.Equal(target, result.Request!.Target);
        Assert.Equal(path, result.Request.Path);
        Assert.Equal(query, result.Request.Query);
        Assert.Equal(host, result.Request.Host);
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

    [Fact]
    public void Parse_NullLimits_Throws()
    {
        Assert.Throws<ArgumentNullException>(() =>
            HttpRequestParser.TryParse(Sequence(MinimalRequest), null!, 0, out _, out _, out _, out _));
    }

    private static void AssertSameRequest(HandshakeRequest expected, HandshakeRequest actual)
    {
        Assert.Equal(expected.Target, actual.Target);
        Assert.Equal(expected.Path, actual.Path);
        Assert.Equal(expected.Query, actual.Query);
        Assert.Equal(expected.Host, actual.Host);
        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal(expected.Origin, actual.Origin);
        Assert.Equal(expected.Subprotocols, actual.Subprotocols);
        Assert.Equal(expected.Headers, actual.Headers);
    }
}
