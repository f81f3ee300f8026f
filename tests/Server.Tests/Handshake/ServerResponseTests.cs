using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Server.Handshake;
using Switchboard.Tests.Handshake;
using Xunit;
using static Switchboard.Tests.Handshake.HandshakeTestData;

namespace Switchboard.Server.Tests.Handshake;

/// <summary>RFC 6455 sections 1.3 and 4.2.2: the server's opening handshake, and its refusals (section 4.4, RFC 9110).</summary>
public class ServerResponseTests
{
    [Fact]
    public void ComputeAccept_Rfc6455Section1_3Example()
    {
        Assert.Equal(SampleAccept, HandshakeResponse.ComputeAccept(SampleKey));
    }

    [Fact]
    public void ComputeAccept_KeyLongerThanStackBuffer_MatchesDefinition()
    {
        string key = new('k', 1000);
#pragma warning disable CA5350 // RFC 6455 section 4.2.2 defines the accept value with SHA-1.
        string expected = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350

        Assert.Equal(expected, HandshakeResponse.ComputeAccept(key));
    }

    [Fact]
    public void WriteAccept_WithoutSubprotocol_IsByteExact()
    {
        string written = Written(output => HandshakeResponse.WriteAccept(output, SampleKey, subprotocol: null));

        Assert.Equal(
            "HTTP/1.1 101 Switching Protocols\r\n" +
            "Upgrade: websocket\r\n" +
            "Connection: Upgrade\r\n" +
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
            "\r\n",
            written);
    }

    [Fact]
    public void WriteAccept_WithSubprotocol_IsByteExact()
    {
        string written = Written(output => HandshakeResponse.WriteAccept(output, SampleKey, "chat"));

        Assert.Equal(
            "HTTP/1.1 101 Switching Protocols\r\n" +
            "Upgrade: websocket\r\n" +
            "Connection: Upgrade\r\n" +
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
            "Sec-WebSocket-Protocol: chat\r\n" +
            "\r\n",
            written);
    }

    [Fact]
    public void WriteAccept_ForRequest_WritesWhatTheKeyDoes()
    {
        HandshakeRequest request = Parse(ChromeRequest).Request!;

        Assert.Equal(
            Written(output => HandshakeResponse.WriteAccept(output, request.Key, "chat")),
            Written(output => HandshakeResponse.WriteAccept(output, request, "chat")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("chat, superchat")]
    [InlineData("chat\r\nSet-Cookie: x=1")]
    [InlineData("caf\u00e9")]
    public void WriteAccept_SubprotocolNotAToken_Throws(string subprotocol)
    {
        Assert.Throws<ArgumentException>(() => HandshakeResponse.WriteAccept(new ArrayBufferWriter<byte>(), SampleKey, subprotocol));
    }

    [Fact]
    public void WriteReject_400_IsByteExact()
    {
        string written = Written(output => HandshakeResponse.WriteReject(output, HandshakeError.InvalidKey));

        Assert.Equal(
            "HTTP/1.1 400 Bad Request\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\n" +
            "Content-Length: 45\r\n" +
            "Connection: close\r\n" +
            "\r\n" +
            "Sec-WebSocket-Key must be base64 of 16 bytes\n",
            written);
    }

    [Fact]
    public void WriteReject_426_NamesVersion13AndTheUpgrade()
    {
        string written = Written(output => HandshakeResponse.WriteReject(output, HandshakeError.UnsupportedVersion));

        Assert.Equal(
            "HTTP/1.1 426 Upgrade Required\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\n" +
            "Content-Length: 33\r\n" +
            "Connection: Upgrade, close\r\n" +
            "Upgrade: websocket\r\n" +
            "Sec-WebSocket-Version: 13\r\n" +
            "\r\n" +
            "Sec-WebSocket-Version must be 13\n",
            written);
    }

    [Fact]
    public void WriteReject_405_NamesAllowedMethod()
    {
        string written = Written(output => HandshakeResponse.WriteReject(output, HandshakeError.MethodNotAllowed));

        Assert.Equal(
            "HTTP/1.1 405 Method Not Allowed\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\n" +
            "Content-Length: 31\r\n" +
            "Connection: close\r\n" +
            "Allow: GET\r\n" +
            "\r\n" +
            "WebSocket upgrade requires GET\n",
            written);
    }

    [Theory]
    [InlineData(nameof(HandshakeError.HeadersTooLarge), "HTTP/1.1 431 Request Header Fields Too Large\r\n")]
    [InlineData(nameof(HandshakeError.TooManyHeaders), "HTTP/1.1 431 Request Header Fields Too Large\r\n")]
    [InlineData(nameof(HandshakeError.UnsupportedHttpVersion), "HTTP/1.1 505 HTTP Version Not Supported\r\n")]
    [InlineData(nameof(HandshakeError.MissingHost), "HTTP/1.1 400 Bad Request\r\n")]
    public void WriteReject_StatusLineUsesStandardReasonPhrase(string errorName, string statusLine)
    {
        HandshakeError error = Enum.Parse<HandshakeError>(errorName);
        string written = Written(output => HandshakeResponse.WriteReject(output, error));

        Assert.StartsWith(statusLine, written, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(403, "HTTP/1.1 403 Forbidden\r\n")]
    [InlineData(404, "HTTP/1.1 404 Not Found\r\n")]
    [InlineData(429, "HTTP/1.1 429 Too Many Requests\r\n")]
    [InlineData(503, "HTTP/1.1 503 Service Unavailable\r\n")]
    [InlineData(418, "HTTP/1.1 418 \r\n")]
    public void WriteReject_ApplicationStatus_HasRegisteredOrEmptyReasonPhrase(int status, string statusLine)
    {
        string written = Written(output => HandshakeResponse.WriteReject(output, status, "no"));

        Assert.StartsWith(statusLine, written, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteReject_NonAsciiReason_ContentLengthCountsUtf8Bytes()
    {
        var output = new ArrayBufferWriter<byte>();
        HandshakeResponse.WriteReject(output, 403, "D\u00e9j\u00e0 vu \u2014 nope");

        byte[] expectedBody = Encoding.UTF8.GetBytes("D\u00e9j\u00e0 vu \u2014 nope\n");
        string head = Encoding.ASCII.GetString(output.WrittenSpan[..^expectedBody.Length]);
        Assert.Contains("\r\nContent-Length: 19\r\n", head, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", head, StringComparison.Ordinal);
        Assert.Equal(expectedBody, output.WrittenSpan[^expectedBody.Length..].ToArray());
    }

    [Theory]
    [InlineData(101)]
    [InlineData(200)]
    [InlineData(399)]
    [InlineData(600)]
    public void WriteReject_StatusOutsideErrorRange_Throws(int status)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HandshakeResponse.WriteReject(new ArrayBufferWriter<byte>(), status, "x"));
    }
}
