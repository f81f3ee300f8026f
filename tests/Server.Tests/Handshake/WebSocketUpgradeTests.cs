using CsCheck;
using Switchboard.Protocol.Http;
using Switchboard.Server.Handshake;
using Switchboard.Server.Http;
using Switchboard.Tests.Handshake;
using Xunit;
using static Switchboard.Tests.Handshake.HandshakeTestData;

namespace Switchboard.Server.Tests.Handshake;

/// <summary>
/// RFC 6455 section 4.2.1 judged on a head read by the generic HTTP parser: the verdict and the request must be the
/// ones <see cref="HandshakeParser"/> reaches on the same bytes, for every head the HTTP parser accepts.
/// </summary>
public class WebSocketUpgradeTests
{
    private static readonly string[] s_requestLines =
    [
        "GET / HTTP/1.1", "GET /chat?room=1 HTTP/1.1", "GET ws://example.com/chat HTTP/1.1", "POST / HTTP/1.1", "get / HTTP/1.1",
        "HEAD / HTTP/1.1", "GET / HTTP/1.0", "GET / HTTP/2.0",
    ];

    private static readonly string[] s_fieldPool =
    [
        "Host: example.com", "Host: other.example", "Host:", "Upgrade: websocket", "Upgrade: h2c, WebSocket", "Upgrade: h2c",
        "Connection: Upgrade", "Connection: keep-alive, Upgrade", "Connection: close", $"Sec-WebSocket-Key: {SampleKey}",
        "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==", "Sec-WebSocket-Key: short", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8",
        "Sec-WebSocket-Protocol: chat, superchat", "Sec-WebSocket-Protocol: a b", "Origin: http://example.com", "Origin: http://other.example",
        "Content-Length: 0", "Content-Length: 00", "Content-Length: 5", "X-Other: 1", "Expect: 100-continue",
    ];

    public static TheoryData<string> Corpus => new()
    {
        ChromeRequest,
        MinimalRequest,
        Request("POST / HTTP/1.1", MinimalFields),
        Request("GET / HTTP/1.0", MinimalFields),
        Request("GET / HTTP/1.0", [.. MinimalFields.Skip(1)]),
        MinimalWith("Host", null),
        MinimalWith("Upgrade", "Upgrade: h2c"),
        MinimalWith("Connection", "Connection: keep-alive"),
        MinimalWith("Sec-WebSocket-Key", null),
        MinimalWith("Sec-WebSocket-Key", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ"),
        MinimalWith("Sec-WebSocket-Version", "Sec-WebSocket-Version: 8"),
        MinimalWith("Sec-WebSocket-Version", null),
        MinimalPlus("Sec-WebSocket-Protocol: a b"),
        MinimalPlus("Origin: https://a.example", "Origin: https://b.example"),
        MinimalPlus("Content-Length: 5"),
        MinimalPlus("Content-Length: 00"),
        MinimalPlus("Content-Length: 0"),
        MinimalPlus($"Sec-WebSocket-Key: {SampleKey}"),
        Request("GET ws://chat.example:9000/room?id=7 HTTP/1.1", MinimalFields),
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void TryValidate_AgreesWithHandshakeParser(string head) => AssertAgree(head);

    [Fact]
    public void TryValidate_AgreesWithHandshakeParser_OnRandomHeads()
    {
        var gen = Gen.Select(Gen.Int[0, s_requestLines.Length - 1], Gen.Int[0, s_fieldPool.Length - 1].Array[0, 10]);
        gen.Sample((line, fields) => AssertAgree(Request(s_requestLines[line], [.. fields.Select(i => s_fieldPool[i])])), iter: 2000);
    }

    [Fact]
    public void TryValidate_AgreesWithHandshakeParser_OnMutatedRequests()
    {
        byte[] valid = Bytes(ChromeRequest);
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte).Sample((index, value) =>
        {
            byte[] bytes = (byte[])valid.Clone();
            bytes[index] = value;
            AssertAgree(System.Text.Encoding.Latin1.GetString(bytes));
        }, iter: 2000);
    }

    [Fact]
    public void TryValidate_ValidRequest_YieldsTheSameRequestAsHandshakeParser()
    {
        HttpRequestHead head = ParseHead(ChromeRequest)!;

        Assert.True(WebSocketUpgrade.TryValidate(head, out HandshakeRequest? request, out HandshakeError error));

        Assert.Equal(HandshakeError.None, error);
        Assert.Equal("/chat", request.Path);
        Assert.Equal("room=lobby", request.Query);
        Assert.Equal(SampleKey, request.Key);
        Assert.Equal("http://localhost:8001", request.Origin);
        Assert.Equal(["chat", "superchat"], request.Subprotocols);
        Assert.Same(head.Headers, request.Headers);
    }

    [Theory]
    [InlineData("Upgrade: websocket", true)]
    [InlineData("Upgrade: WebSocket", true)]
    [InlineData("Upgrade: h2c, websocket", true)]
    [InlineData("Upgrade: h2c", false)]
    [InlineData("Upgrade: websockets", false)]
    [InlineData("X-Upgrade: websocket", false)]
    public void IsUpgradeRequest_LooksForTheWebSocketToken(string field, bool expected)
    {
        HttpRequestHead head = ParseHead(Request("GET / HTTP/1.1", "Host: a", field))!;

        Assert.Equal(expected, WebSocketUpgrade.IsUpgradeRequest(head));
    }

    [Fact]
    public void IsUpgradeRequest_PlainGet_IsFalse_AndTryValidateSaysWhy()
    {
        HttpRequestHead head = ParseHead("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")!;

        Assert.False(WebSocketUpgrade.IsUpgradeRequest(head));
        Assert.False(WebSocketUpgrade.TryValidate(head, out HandshakeRequest? request, out HandshakeError error));
        Assert.Null(request);
        Assert.Equal(HandshakeError.MissingUpgrade, error);
        Assert.Equal(400, error.ToStatusCode());
    }

    [Fact]
    public void NullHead_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => WebSocketUpgrade.IsUpgradeRequest(null!));
        Assert.Throws<ArgumentNullException>(() => WebSocketUpgrade.TryValidate(null!, out _, out _));
    }

    private static HttpRequestHead? ParseHead(string text)
    {
        HttpRequestParser.TryParse(Sequence(text), HttpHeadLimits.Default, 0, out _, out _, out HttpRequestHead? head, out _);
        return head;
    }

    /// <summary>Where the HTTP parser accepts the head, the upgrade verdict on it equals the streaming parser's.</summary>
    private static void AssertAgree(string text)
    {
        HttpRequestHead? head = ParseHead(text);
        if (head is null)
        {
            return;
        }

        ParseResult expected = Parse(text);
        Assert.True(expected.Done);
        bool valid = WebSocketUpgrade.TryValidate(head, out HandshakeRequest? request, out HandshakeError error);

        Assert.Equal(expected.Error, error);
        Assert.Equal(expected.Error == HandshakeError.None, valid);
        if (valid)
        {
            Assert.Equal(expected.Request!.Target, request!.Target);
            Assert.Equal(expected.Request.Path, request.Path);
            Assert.Equal(expected.Request.Query, request.Query);
            Assert.Equal(expected.Request.Host, request.Host);
            Assert.Equal(expected.Request.Key, request.Key);
            Assert.Equal(expected.Request.Origin, request.Origin);
            Assert.Equal(expected.Request.Subprotocols, request.Subprotocols);
            Assert.Equal(expected.Request.Headers, request.Headers);
        }
    }
}
