using System.Buffers;
using Switchboard.Server.Handshake;
using Switchboard.Server.Http;
using Switchboard.Tests.Handshake;
using Xunit;
using static Switchboard.Tests.Handshake.HandshakeTestData;

namespace Switchboard.Server.Tests.Handshake;

/// <summary>
/// RFC 6455 section 4.2.1 ("if the server finds that the client handshake does not satisfy the
/// requirements"): one test per <see cref="HandshakeError"/>, each with the HTTP status it maps to.
/// </summary>
public class HandshakeErrorTests
{
    [Fact]
    public void None()
    {
        ParseResult result = Parse(MinimalRequest);

        Assert.True(result.Done);
        Assert.Equal(HandshakeError.None, result.Error);
        Assert.NotNull(result.Request);
    }

    [Theory]
    [InlineData("GET /\r\n")]
    [InlineData("GET\r\n")]
    [InlineData(" GET / HTTP/1.1\r\n")]
    [InlineData("GET  / HTTP/1.1\r\n")]
    [InlineData("GET / HTTP/1.1 \r\n")]
    [InlineData("GET / / HTTP/1.1\r\n")]
    [InlineData("GET\t/ HTTP/1.1\r\n")]
    [InlineData("GET / HTTP/11\r\n")]
    [InlineData("GET / http/1.1\r\n")]
    [InlineData("GET / HTTP/1.1\n")]
    [InlineData("GET / HTTP/1.1\r\r\n")]
    [InlineData("\r\nGET / HTTP/1.1\r\n")]
    [InlineData("GET * HTTP/1.1\r\n")]
    [InlineData("GET example.com:80 HTTP/1.1\r\n")]
    [InlineData("GET /chat#frag HTTP/1.1\r\n")]
    [InlineData("GET /caf\u00e9 HTTP/1.1\r\n")]
    [InlineData("GET ftp://example.com/ HTTP/1.1\r\n")]
    [InlineData("GET ws:///path HTTP/1.1\r\n")]
    [InlineData("GET ws://user@example.com/ HTTP/1.1\r\n")]
    [InlineData("G(T / HTTP/1.1\r\n")]
    public void InvalidRequestLine(string head)
    {
        AssertRejected(head, HandshakeError.InvalidRequestLine, 400);
    }

    [Theory]
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03 })]
    [InlineData(new byte[] { 0x16 })]
    [InlineData(new byte[] { (byte)'G', (byte)'E', (byte)'T', (byte)'\r' })]
    [InlineData(new byte[] { (byte)' ' })]
    public void InvalidRequestLine_ForeignProtocol_IsRefusedBeforeAnyLineEnds(byte[] bytes)
    {
        ParseResult result = Parse(new ReadOnlySequence<byte>(bytes));

        Assert.True(result.Done);
        Assert.Equal(HandshakeError.InvalidRequestLine, result.Error);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("HEAD")]
    [InlineData("get")]
    [InlineData("CONNECT")]
    public void MethodNotAllowed(string method)
    {
        AssertRejected(Request($"{method} / HTTP/1.1", MinimalFields), HandshakeError.MethodNotAllowed, 405);
    }

    [Theory]
    [InlineData("HTTP/1.0")]
    [InlineData("HTTP/2.0")]
    [InlineData("HTTP/0.9")]
    [InlineData("HTTP/1.2")]
    public void UnsupportedHttpVersion(string version)
    {
        AssertRejected(Request($"GET / {version}", MinimalFields), HandshakeError.UnsupportedHttpVersion, 505);
    }

    [Fact]
    public void HeadersTooLarge()
    {
        string request = MinimalPlus("X-Padding: " + new string('p', 9000));

        AssertRejected(request, HandshakeError.HeadersTooLarge, 431);
    }

    [Fact]
    public void TooManyHeaders()
    {
        string[] extra = [.. Enumerable.Range(0, 60).Select(i => $"X-Field-{i}: {i}")];

        AssertRejected(MinimalPlus(extra), HandshakeError.TooManyHeaders, 431);
    }

    [Theory]
    [InlineData("Host : example.com")]
    [InlineData("Host\t: example.com")]
    [InlineData(" X-Folded: a")]
    [InlineData("\tX-Folded: a")]
    [InlineData("X-Bad Name: a")]
    [InlineData("X-NoColon")]
    [InlineData(": empty-name")]
    [InlineData("X(Paren): a")]
    [InlineData("X-Ctl: a\u0001b")]
    [InlineData("X-Del: a\u007fb")]
    [InlineData("X-Nul: a\u0000b")]
    [InlineData("X-Cr: a\rb")]
    [InlineData("X-Cr: a\r")]
    [InlineData("X-Lf: a\nX-Smuggled: b")]
    [InlineData("Origin: https://a.example\r\nOrigin: https://b.example")]
    [InlineData("Host: other.example")]
    public void InvalidHeader(string field)
    {
        AssertRejected(MinimalPlus(field), HandshakeError.InvalidHeader, 400);
    }

    [Fact]
    public void InvalidHeader_ObsFoldContinuingAValue()
    {
        string request = "GET / HTTP/1.1\r\nHost: example.com\r\nX-Long: part one\r\n  part two\r\n";

        AssertRejected(request, HandshakeError.InvalidHeader, 400);
    }

    [Theory]
    [InlineData("Host: exa mple.com")]
    [InlineData("Host: example.com/path")]
    [InlineData("Host: user@example.com")]
    [InlineData("Host: example.com?")]
    public void InvalidHeader_HostNotAnAuthority(string field)
    {
        AssertRejected(MinimalWith("Host", field), HandshakeError.InvalidHeader, 400);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Host:")]
    [InlineData("Host:   ")]
    public void MissingHost(string? field)
    {
        AssertRejected(MinimalWith("Host", field), HandshakeError.MissingHost, 400);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Upgrade: h2c")]
    [InlineData("Upgrade: websockets")]
    [InlineData("Upgrade: web socket")]
    [InlineData("Upgrade:")]
    public void MissingUpgrade(string? field)
    {
        AssertRejected(MinimalWith("Upgrade", field), HandshakeError.MissingUpgrade, 400);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Connection: keep-alive")]
    [InlineData("Connection: upgraded")]
    [InlineData("Connection: close")]
    public void MissingConnectionUpgrade(string? field)
    {
        AssertRejected(MinimalWith("Connection", field), HandshakeError.MissingConnectionUpgrade, 400);
    }

    [Fact]
    public void MissingKey()
    {
        AssertRejected(MinimalWith("Sec-WebSocket-Key", null), HandshakeError.MissingKey, 400);
    }

    [Theory]
    [InlineData("Sec-WebSocket-Key:")]
    [InlineData("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ")]
    [InlineData("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=")]
    [InlineData("Sec-WebSocket-Key: dGhlIHNh bXBsZSBub25jZQ==")]
    [InlineData("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==dGhl")]
    [InlineData("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZSE=")]
    [InlineData("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ-_")]
    [InlineData("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j*Q==")]
    [InlineData("Sec-WebSocket-Key: c2l4dGVlbiBieXRlcyBrZXkgcGx1cyBzb21lIG1vcmU=")]
    [InlineData("Sec-WebSocket-Key: the sample nonce")]
    [InlineData("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")]
    public void InvalidKey(string field)
    {
        AssertRejected(MinimalWith("Sec-WebSocket-Key", field), HandshakeError.InvalidKey, 400);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Sec-WebSocket-Version: 8")]
    [InlineData("Sec-WebSocket-Version: 013")]
    [InlineData("Sec-WebSocket-Version: 13, 8")]
    [InlineData("Sec-WebSocket-Version:")]
    [InlineData("Sec-WebSocket-Version: 13\r\nSec-WebSocket-Version: 13")]
    public void UnsupportedVersion(string? field)
    {
        AssertRejected(MinimalWith("Sec-WebSocket-Version", field), HandshakeError.UnsupportedVersion, 426);
    }

    [Theory]
    [InlineData("Content-Length: 5")]
    [InlineData("Content-Length: 00")]
    [InlineData("Content-Length: 0, 0")]
    [InlineData("Transfer-Encoding: chunked")]
    [InlineData("transfer-encoding: identity")]
    public void UnexpectedBody(string field)
    {
        AssertRejected(MinimalPlus(field), HandshakeError.UnexpectedBody, 400);
    }

    [Fact]
    public void EveryValue_HasAStatusAndADescription()
    {
        int[] statuses = [400, 405, 426, 431, 505];
        foreach (HandshakeError error in Enum.GetValues<HandshakeError>())
        {
            Assert.Contains(error.ToStatusCode(), statuses);
            Assert.False(string.IsNullOrWhiteSpace(error.Describe()));
        }
    }

    [Fact]
    public void Describe_InvalidKey_ExplainsTheRule()
    {
        Assert.Equal("Sec-WebSocket-Key must be base64 of 16 bytes", HandshakeError.InvalidKey.Describe());
    }

    private static void AssertRejected(string head, HandshakeError expected, int status)
    {
        byte[] bytes = Bytes(head);
        foreach (var input in new[] { Sequence(head), OneBytePerSegment(bytes) })
        {
            ParseResult result = Parse(input);

            Assert.True(result.Done);
            Assert.Equal(expected, result.Error);
            Assert.Null(result.Request);
            Assert.Equal(0, result.Consumed);
            Assert.Equal(bytes.Length, result.Examined);
        }

        Assert.Equal(status, expected.ToStatusCode());
    }
}
