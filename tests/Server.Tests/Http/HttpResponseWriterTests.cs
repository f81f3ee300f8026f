using System.Buffers;
using System.Text;
using Switchboard.Server.Handshake;
using Switchboard.Server.Http;
using Xunit;
using static Switchboard.Tests.Handshake.HandshakeTestData;

namespace Switchboard.Server.Tests.Http;

/// <summary>RFC 9112 sections 4 and 6, RFC 9110 section 9.3.2: plain responses, byte for byte.</summary>
public class HttpResponseWriterTests
{
    [Fact]
    public void Write_200_KeepAlive_IsByteExact()
    {
        string written = Written(output => HttpResponseWriter.Write(
            output, 200, "text/javascript; charset=utf-8", "export {};\n"u8, keepAlive: true, headers: [new("Cache-Control", "no-cache")]));

        Assert.Equal(
            "HTTP/1.1 200 OK\r\n" +
            "Content-Type: text/javascript; charset=utf-8\r\n" +
            "Content-Length: 11\r\n" +
            "Connection: keep-alive\r\n" +
            "Cache-Control: no-cache\r\n" +
            "\r\n" +
            "export {};\n",
            written);
    }

    [Fact]
    public void Write_Head_KeepsContentLengthAndOmitsTheBody()
    {
        string written = Written(output => HttpResponseWriter.Write(output, 200, "text/html; charset=utf-8", "<!doctype html>"u8, keepAlive: false, omitBody: true));

        Assert.Equal(
            "HTTP/1.1 200 OK\r\n" +
            "Content-Type: text/html; charset=utf-8\r\n" +
            "Content-Length: 15\r\n" +
            "Connection: close\r\n" +
            "\r\n",
            written);
    }

    [Fact]
    public void WriteHead_NoContentType_EmptyBody()
    {
        string written = Written(output => HttpResponseWriter.WriteHead(output, 202, contentType: null, 0, keepAlive: true));

        Assert.Equal("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n", written);
    }

    [Fact]
    public void WriteHead_LargeLength_IsWrittenInFull()
    {
        string written = Written(output => HttpResponseWriter.WriteHead(output, 200, "application/octet-stream", 5_000_000_000L, keepAlive: true));

        Assert.Contains("\r\nContent-Length: 5000000000\r\n", written, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(204)]
    [InlineData(304)]
    public void WriteHead_204And304_CarryNoContentLength(int status)
    {
        string written = Written(output => HttpResponseWriter.WriteHead(output, status, null, 0, keepAlive: true));

        Assert.DoesNotContain("Content-Length", written, StringComparison.Ordinal);
        Assert.EndsWith("Connection: keep-alive\r\n\r\n", written, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => HttpResponseWriter.WriteHead(new ArrayBufferWriter<byte>(), status, null, 1, keepAlive: true));
    }

    [Fact]
    public void WriteText_405_CarriesAllow()
    {
        string written = Written(output => HttpResponseWriter.WriteText(output, 405, "POST is not allowed here", keepAlive: true, headers: [new("Allow", "GET, HEAD")]));

        Assert.Equal(
            "HTTP/1.1 405 Method Not Allowed\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\n" +
            "Content-Length: 25\r\n" +
            "Connection: keep-alive\r\n" +
            "Allow: GET, HEAD\r\n" +
            "\r\n" +
            "POST is not allowed here\n",
            written);
    }

    [Fact]
    public void WriteText_NonAscii_ContentLengthCountsUtf8Bytes()
    {
        var output = new ArrayBufferWriter<byte>();
        HttpResponseWriter.WriteText(output, 404, "Pas trouv\u00e9 \u2014 d\u00e9sol\u00e9", keepAlive: true);

        byte[] body = Encoding.UTF8.GetBytes("Pas trouv\u00e9 \u2014 d\u00e9sol\u00e9\n");
        Assert.Contains($"\r\nContent-Length: {body.Length}\r\n", Encoding.ASCII.GetString(output.WrittenSpan), StringComparison.Ordinal);
        Assert.Equal(body, output.WrittenSpan[^body.Length..].ToArray());
    }

    [Theory]
    [InlineData(nameof(HttpError.InvalidRequestLine), "HTTP/1.1 400 Bad Request\r\n", "Malformed request line")]
    [InlineData(nameof(HttpError.HeadersTooLarge), "HTTP/1.1 431 Request Header Fields Too Large\r\n", "Request headers too large")]
    [InlineData(nameof(HttpError.ContentTooLarge), "HTTP/1.1 413 Content Too Large\r\n", "Request body too large")]
    [InlineData(nameof(HttpError.UnsupportedTransferEncoding), "HTTP/1.1 501 Not Implemented\r\n", "Transfer-Encoding is not supported; send Content-Length")]
    [InlineData(nameof(HttpError.TransferEncodingWithContentLength), "HTTP/1.1 400 Bad Request\r\n", "Transfer-Encoding and Content-Length must not both be sent")]
    [InlineData(nameof(HttpError.UnsupportedHttpVersion), "HTTP/1.1 505 HTTP Version Not Supported\r\n", "Only HTTP/1.1 and HTTP/1.0 are supported")]
    public void WriteError_StatusLineReasonAndClose(string errorName, string statusLine, string reason)
    {
        HttpError error = Enum.Parse<HttpError>(errorName);
        string written = Written(output => HttpResponseWriter.WriteError(output, error));

        Assert.StartsWith(statusLine, written, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n\r\n", written, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n" + reason + "\n", written, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteContinue_IsByteExact()
    {
        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", Written(HttpResponseWriter.WriteContinue));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(101)]
    [InlineData(199)]
    [InlineData(600)]
    public void WriteHead_StatusOutsideFinalRange_Throws(int status)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HttpResponseWriter.WriteHead(new ArrayBufferWriter<byte>(), status, null, 0, keepAlive: true));
    }

    [Fact]
    public void WriteHead_NegativeLength_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HttpResponseWriter.WriteHead(new ArrayBufferWriter<byte>(), 200, null, -1, keepAlive: true));
    }

    [Theory]
    [InlineData("X-Evil", "a\r\nSet-Cookie: s=1")]
    [InlineData("X-Evil", "a\nb")]
    [InlineData("X-Evil", "a\u0000b")]
    [InlineData("X-Evil", "\u2014")]
    [InlineData("X Evil", "a")]
    [InlineData("X-Evil:", "a")]
    [InlineData("", "a")]
    [InlineData("Content-Length", "0")]
    [InlineData("content-type", "text/html")]
    [InlineData("Transfer-Encoding", "chunked")]
    [InlineData("CONNECTION", "close")]
    public void Fields_ThatCouldBreakFraming_AreRefusedBeforeAnythingIsWritten(string name, string value)
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.Throws<ArgumentException>(() => HttpResponseWriter.WriteHead(output, 200, null, 0, keepAlive: true, [new(name, value)]));
        Assert.Throws<ArgumentException>(() => HttpResponseWriter.ValidateField(name, value));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void ContentType_WithLineBreak_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => HttpResponseWriter.WriteHead(new ArrayBufferWriter<byte>(), 200, "text/html\r\nX: y", 0, keepAlive: true));
    }
}
