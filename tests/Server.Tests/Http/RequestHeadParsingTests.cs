using System.Buffers;
using System.Net;
using CsCheck;
using Switchboard.Server.Handshake;
using Switchboard.Server.Http;
using Xunit;
using static Switchboard.Tests.Handshake.HandshakeTestData;
using static Switchboard.Server.Tests.Http.HttpTestData;

namespace Switchboard.Server.Tests.Http;

/// <summary>RFC 9112 sections 2 to 6: reading the head of any HTTP/1.1 request, incrementally and over any segmentation.</summary>
public class RequestHeadParsingTests
{
    public static TheoryData<string> ValidHeads => new() { BrowserGet, PostHead, MinimalGet, ChromeRequest, "GET / HTTP/1.0\r\n\r\n" };

    [Fact]
    public void Parse_BrowserGet_ReadsEveryPart()
    {
        HttpParseResult result = ParseHttp(BrowserGet);

        Assert.True(result.Done);
        Assert.Equal(HttpError.None, result.Error);
        Assert.Equal(BrowserGet.Length, result.Consumed);
        Assert.Equal(result.Consumed, result.Examined);
        HttpRequestHead head = result.Head!;
        Assert.Equal("GET", head.Method);
        Assert.Equal("/api/rooms?limit=10", head.Target);
        Assert.Equal("/api/rooms", head.Path);
        Assert.Equal("limit=10", head.Query);
        Assert.Equal("127.0.0.1:8001", head.Host);
        Assert.Equal(HttpVersion.Version11, head.Version);
        Assert.Null(head.ContentLength);
        Assert.True(head.KeepAlive);
        Assert.False(head.ExpectsContinue);
        Assert.Equal(10, head.Headers.Count);
        Assert.Equal(new KeyValuePair<string, string>("sec-ch-ua-platform", "\"Linux\""), head.Headers[2]);
        Assert.Equal("same-origin", head.GetHeader("SEC-FETCH-SITE"));
    }

    [Fact]
    public void Parse_PostWithBody_StopsAtTheBlankLineAndReportsTheLength()
    {
        byte[] input = Bytes(PostHead + PostBody);

        HttpParseResult result = ParseHttp(new ReadOnlySequence<byte>(input));

        Assert.Equal(HttpError.None, result.Error);
        Assert.Equal(PostHead.Length, result.Consumed);
        Assert.Equal(PostHead.Length, result.Examined);
        Assert.Equal("POST", result.Head!.Method);
        Assert.Equal(PostBody.Length, result.Head.ContentLength);
        Assert.Equal("application/json", result.Head.GetHeader("content-type"));
    }

    [Fact]
    public void Parse_PipelinedRequests_AreReadOneAtATime()
    {
        byte[] input = Bytes(MinimalGet + BrowserGet);

        HttpParseResult first = ParseHttp(new ReadOnlySequence<byte>(input));
        HttpParseResult second = ParseHttp(new ReadOnlySequence<byte>(input, (int)first.Consumed, input.Length - (int)first.Consumed));

        Assert.Equal(MinimalGet.Length, first.Consumed);
        Assert.Equal("/", first.Head!.Path);
        Assert.Equal(BrowserGet.Length, second.Consumed);
        Assert.Equal("/api/rooms", second.Head!.Path);
    }

    [Theory]
    [MemberData(nameof(ValidHeads))]
    public void Parse_EveryPrefix_IsIncompleteAndConsumesNothing(string request)
    {
        byte[] bytes = Bytes(request);
        for (int length = 0; length < bytes.Length; length++)
        {
            HttpParseResult result = ParseHttp(new ReadOnlySequence<byte>(bytes, 0, length));

            Assert.False(result.Done, $"prefix of {length} bytes");
            Assert.Equal(HttpError.None, result.Error);
            Assert.Null(result.Head);
            Assert.Equal(0, result.Consumed);
            Assert.Equal(length, result.Examined);
        }
    }

    [Theory]
    [MemberData(nameof(ValidHeads))]
    public void Parse_TwoSegmentsSplitAtEveryByte_SameHead(string request)
    {
        byte[] bytes = Bytes(request);
        HttpRequestHead expected = ParseHttp(request).Head!;
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            HttpParseResult result = ParseHttp(Split(bytes, cut));

            Assert.True(result.Done, $"cut at {cut}");
            Assert.Equal(HttpError.None, result.Error);
            Assert.Equal(bytes.Length, result.Consumed);
            AssertSameHead(expected, result.Head!);
        }
    }

    [Theory]
    [MemberData(nameof(ValidHeads))]
    public void Parse_OneBytePerSegment_SameHead(string request)
    {
        byte[] bytes = Bytes(request);

        HttpParseResult result = ParseHttp(OneBytePerSegment(bytes));

        Assert.Equal(HttpError.None, result.Error);
        Assert.Equal(bytes.Length, result.Consumed);
        AssertSameHead(ParseHttp(request).Head!, result.Head!);
    }

    [Fact]
    public void Parse_EmptySegmentsAnywhere_SameHead()
    {
        byte[] bytes = Bytes(BrowserGet);

        HttpParseResult result = ParseHttp(Split(bytes, 0, 0, 5, 5, 33, 200, bytes.Length, bytes.Length));

        Assert.Equal(HttpError.None, result.Error);
        AssertSameHead(ParseHttp(BrowserGet).Head!, result.Head!);
    }

    [Fact]
    public void Parse_RandomSegmentation_SameHeadAndBodyLeftUnconsumed()
    {
        byte[] bytes = Bytes(PostHead + PostBody);
        HttpRequestHead expected = ParseHttp(PostHead).Head!;

        Gen.Int[0, bytes.Length].Array[0, 12].Sample(cuts =>
        {
            Array.Sort(cuts);
            HttpParseResult result = ParseHttp(Split(bytes, cuts));
            Assert.Equal(HttpError.None, result.Error);
            Assert.Equal(PostHead.Length, result.Consumed);
            AssertSameHead(expected, result.Head!);
        });
    }

    [Fact]
    public void Parse_ArbitraryBytes_NeverThrows()
    {
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            _ = ParseHttp(new ReadOnlySequence<byte>(bytes));
            _ = ParseHttp(OneBytePerSegment(bytes));
        });
    }

    [Fact]
    public void Parse_MutatedValidRequest_NeverThrowsAndNeverConsumesOnError()
    {
        byte[] valid = Bytes(PostHead);
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte).Sample((index, value) =>
        {
            byte[] bytes = (byte[])valid.Clone();
            bytes[index] = value;
            HttpParseResult result = ParseHttp(new ReadOnlySequence<byte>(bytes));
            if (result.Error != HttpError.None)
            {
                Assert.True(result.Done);
                Assert.Equal(0, result.Consumed);
                Assert.Null(result.Head);
            }
        });
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    [InlineData("PATCH")]
    [InlineData("PROPFIND")]
    [InlineData("get")]
    [InlineData("X-CUSTOM.1~")]
    public void Parse_AnyMethodToken_IsKeptAsSent(string method)
    {
        HttpParseResult result = ParseHttp(Request($"{method} /x HTTP/1.1", "Host: a"));

        Assert.Equal(HttpError.None, result.Error);
        Assert.Equal(method, result.Head!.Method);
    }

    [Theory]
    [InlineData("/", "/", "")]
    [InlineData("/switchboard.js", "/switchboard.js", "")]
    [InlineData("/poll?session=a&ack=7", "/poll", "session=a&ack=7")]
    [InlineData("/a%20b/../c", "/a%20b/../c", "")]
    public void Parse_OriginFormTarget_SplitsPathAndQuery(string target, string path, string query)
    {
        HttpRequestHead head = ParseHttp(Request($"GET {target} HTTP/1.1", "Host: a")).Head!;

        Assert.Equal(target, head.Target);
        Assert.Equal(path, head.Path);
        Assert.Equal(query, head.Query);
    }

    [Theory]
    [InlineData("http://chat.example:9000/room?id=7", "/room", "id=7", "chat.example:9000")]
    [InlineData("https://chat.example", "/", "", "chat.example")]
    [InlineData("HTTP://[::1]:8443/a/b", "/a/b", "", "[::1]:8443")]
    public void Parse_AbsoluteFormTarget_TakesTheAuthorityOverHost(string target, string path, string query, string host)
    {
        HttpRequestHead head = ParseHttp(Request($"GET {target} HTTP/1.1", "Host: other.example")).Head!;

        Assert.Equal(path, head.Path);
        Assert.Equal(query, head.Query);
        Assert.Equal(host, head.Host);
    }

    [Theory]
    [InlineData("HTTP/1.1", null, true)]
    [InlineData("HTTP/1.1", "Connection: close", false)]
    [InlineData("HTTP/1.1", "Connection: keep-alive, CLOSE", false)]
    [InlineData("HTTP/1.1", "Connection: Upgrade", true)]
    [InlineData("HTTP/1.0", null, false)]
    [InlineData("HTTP/1.0", "Connection: keep-alive", true)]
    [InlineData("HTTP/1.0", "Connection: Keep-Alive, close", false)]
    public void KeepAlive_FollowsVersionAndConnectionOptions(string version, string? connection, bool keepAlive)
    {
        string[] fields = connection is null ? ["Host: a"] : ["Host: a", connection];

        HttpRequestHead head = ParseHttp(Request($"GET / {version}", fields)).Head!;

        Assert.Equal(keepAlive, head.KeepAlive);
        Assert.Equal(version == "HTTP/1.0" ? HttpVersion.Version10 : HttpVersion.Version11, head.Version);
    }

    [Fact]
    public void Http10_WithoutHost_IsAcceptedWithAnEmptyHost()
    {
        HttpParseResult result = ParseHttp("GET / HTTP/1.0\r\n\r\n");

        Assert.Equal(HttpError.None, result.Error);
        Assert.Equal(string.Empty, result.Head!.Host);
    }

    [Theory]
    [InlineData("Expect: 100-continue", true)]
    [InlineData("expect: 100-Continue", true)]
    [InlineData("Expect: something-else", false)]
    public void ExpectsContinue_ReadsTheExpectField(string field, bool expected)
    {
        HttpRequestHead head = ParseHttp(PostWith("Content-Length: 5", field)).Head!;

        Assert.Equal(expected, head.ExpectsContinue);
    }

    [Theory]
    [InlineData("Content-Length: 0", 0L)]
    [InlineData("Content-Length: 000042", 42L)]
    [InlineData("Content-Length:   7  ", 7L)]
    [InlineData("Content-Length: 5\r\nContent-Length: 5", 5L)]
    [InlineData("Content-Length: 5\r\ncontent-length: 005", 5L)]
    public void ContentLength_OneDecimalValue_RepeatsAgreeing(string fields, long expected)
    {
        HttpParseResult result = ParseHttp(PostWith(fields.Split("\r\n")));

        Assert.Equal(HttpError.None, result.Error);
        Assert.Equal(expected, result.Head!.ContentLength);
    }

    [Theory]
    [InlineData("/room?id=7", "chat.example")]
    [InlineData("http://chat.example:9000/room?id=7", "chat.example:9000")]
    public void HostAndFields_ReadFromTheBytes_MatchTheStringsMadeOnFirstUse(string target, string host)
    {
        HttpRequestHead head = ParseHttp(Request($"GET {target} HTTP/1.1", "Host: chat.example", "X-A: 1", "x-a:  2 ")).Head!;
        string? before = head.GetHeader("X-A");

        Assert.Equal(host, head.Host);
        Assert.Equal(3, head.Headers.Count);
        Assert.Equal(host, head.Host);
        Assert.Equal("1, 2", before);
        Assert.Equal(before, head.GetHeader("x-A"));
        Assert.Null(head.GetHeader("X-B"));
    }

    [Fact]
    public void HasToken_FindsListElementsAcrossRepeatedFields()
    {
        HttpRequestHead head = ParseHttp(Request("GET / HTTP/1.1", "Host: a", "Upgrade: h2c", "Upgrade: , WebSocket ,")).Head!;

        Assert.True(head.HasToken("upgrade", "websocket"));
        Assert.True(head.HasToken("Upgrade", "H2C"));
        Assert.False(head.HasToken("Upgrade", "web"));
        Assert.False(head.HasToken("Connection", "close"));
        Assert.False(head.HasToken("Upgrade", "w\u00e9bsocket"));
    }

    [Fact]
    public void Parse_NullLimits_Throws()
    {
        Assert.Throws<ArgumentNullException>(() =>
            HttpRequestParser.TryParse(Sequence(MinimalGet), null!, 0, out _, out _, out _, out _));
    }

    private static void AssertSameHead(HttpRequestHead expected, HttpRequestHead actual)
    {
        Assert.Equal(expected.Method, actual.Method);
        Assert.Equal(expected.Target, actual.Target);
        Assert.Equal(expected.Path, actual.Path);
        Assert.Equal(expected.Query, actual.Query);
        Assert.Equal(expected.Host, actual.Host);
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.ContentLength, actual.ContentLength);
        Assert.Equal(expected.KeepAlive, actual.KeepAlive);
        Assert.Equal(expected.Headers, actual.Headers);
    }
}
