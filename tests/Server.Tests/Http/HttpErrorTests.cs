using System.Buffers;
using Switchboard.Server.Handshake;
using Switchboard.Server.Http;
using Xunit;
using static Switchboard.Tests.Handshake.HandshakeTestData;
using static Switchboard.Server.Tests.Http.HttpTestData;

namespace Switchboard.Server.Tests.Http;

/// <summary>One test per <see cref="HttpError"/>, each with the HTTP status it maps to, over whole and one-byte segments.</summary>
public class HttpErrorTests
{
    [Fact]
    public void None()
    {
        HttpParseResult result = ParseHttp(MinimalGet);

        Assert.True(result.Done);
        Assert.Equal(HttpError.None, result.Error);
        Assert.NotNull(result.Head);
    }

    [Theory]
    [InlineData("GET /\r\n")]
    [InlineData(" GET / HTTP/1.1\r\n")]
    [InlineData("GET  / HTTP/1.1\r\n")]
    [InlineData("GET / HTTP/1.1 \r\n")]
    [InlineData("GET\t/ HTTP/1.1\r\n")]
    [InlineData("GET / HTTP/11\r\n")]
    [InlineData("GET / http/1.1\r\n")]
    [InlineData("GET / HTTP/1.1\n")]
    [InlineData("\r\nGET / HTTP/1.1\r\n")]
    [InlineData("OPTIONS * HTTP/1.1\r\n")]
    [InlineData("CONNECT example.com:443 HTTP/1.1\r\n")]
    [InlineData("GET /a#frag HTTP/1.1\r\n")]
    [InlineData("GET /caf\u00e9 HTTP/1.1\r\n")]
    [InlineData("GET ftp://example.com/ HTTP/1.1\r\n")]
    [InlineData("GET http://user@example.com/ HTTP/1.1\r\n")]
    [InlineData("G(T / HTTP/1.1\r\n")]
    public void InvalidRequestLine(string head)
    {
        AssertRefused(head, HttpError.InvalidRequestLine, 400);
    }

    [Theory]
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00 })]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'t' })]
    [InlineData(new byte[] { (byte)'G', (byte)'E', (byte)'T', 0x00 })]
    [InlineData(new byte[] { (byte)' ' })]
    public void InvalidRequestLine_ForeignProtocol_IsRefusedBeforeAnyLineEnds(byte[] bytes)
    {
        HttpParseResult result = ParseHttp(new ReadOnlySequence<byte>(bytes));

        Assert.True(result.Done);
        Assert.Equal(HttpError.InvalidRequestLine, result.Error);
    }

    [Theory]
    [InlineData("HTTP/2.0")]
    [InlineData("HTTP/0.9")]
    [InlineData("HTTP/1.2")]
    [InlineData("HTTP/3.0")]
    public void UnsupportedHttpVersion(string version)
    {
        AssertRefused(Request($"GET / {version}", "Host: a"), HttpError.UnsupportedHttpVersion, 505);
    }

    [Fact]
    public void HeadersTooLarge()
    {
        AssertRefused(Request("GET / HTTP/1.1", "Host: a", "X-Padding: " + new string('p', 9000)), HttpError.HeadersTooLarge, 431);
    }

    [Fact]
    public void TooManyHeaders()
    {
        string[] fields = [.. Enumerable.Range(0, 64).Select(i => $"X-Field-{i}: {i}")];

        AssertRefused(Request("GET / HTTP/1.1", ["Host: a", .. fields]), HttpError.TooManyHeaders, 431);
    }

    [Theory]
    [InlineData("Host : a")]
    [InlineData("X-Name\t: a")]
    [InlineData(" X-Folded: a")]
    [InlineData("\tX-Folded: a")]
    [InlineData("X-Bad Name: a")]
    [InlineData("X-NoColon")]
    [InlineData(": empty-name")]
    [InlineData("X-Ctl: a\u0001b")]
    [InlineData("X-Nul: a\u0000b")]
    [InlineData("X-Del: a\u007fb")]
    [InlineData("X-Cr: a\rb")]
    [InlineData("X-Lf: a\nX-Smuggled: b")]
    [InlineData("Content-Length : 5")]
    [InlineData("Transfer-Encoding : chunked")]
    public void InvalidHeader(string field)
    {
        AssertRefused(Request("GET / HTTP/1.1", "Host: a", field), HttpError.InvalidHeader, 400);
    }

    [Fact]
    public void InvalidHeader_ObsFoldContinuingAValue()
    {
        AssertRefused("GET / HTTP/1.1\r\nHost: a\r\nX-Long: part one\r\n  part two\r\n", HttpError.InvalidHeader, 400);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost:\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: \t \r\n\r\n")]
    [InlineData("GET / HTTP/1.0\r\nHost:\r\n\r\n")]
    public void MissingHost(string head)
    {
        AssertRefused(head, HttpError.MissingHost, 400);
    }

    [Theory]
    [InlineData("Host: a\r\nHost: a")]
    [InlineData("Host: a\r\nHost: b")]
    [InlineData("Host: exa mple.com")]
    [InlineData("Host: example.com/path")]
    [InlineData("Host: user@example.com")]
    public void InvalidHost(string fields)
    {
        AssertRefused(Request("GET / HTTP/1.1", fields.Split("\r\n")), HttpError.InvalidHost, 400);
    }

    [Theory]
    [InlineData("Content-Length:")]
    [InlineData("Content-Length: -1")]
    [InlineData("Content-Length: +5")]
    [InlineData("Content-Length: 5 5")]
    [InlineData("Content-Length: 0x10")]
    [InlineData("Content-Length: 5,5")]
    [InlineData("Content-Length: 5, 5")]
    [InlineData("Content-Length: 1e3")]
    [InlineData("Content-Length: 99999999999999999999")]
    [InlineData("Content-Length: 9223372036854775808")]
    [InlineData("Content-Length: \u0661")]
    [InlineData("Content-Length: 5\r\nContent-Length: 6")]
    [InlineData("Content-Length: 5\r\nContent-Length: 0")]
    public void InvalidContentLength(string fields)
    {
        AssertRefused(PostWith(fields.Split("\r\n")), HttpError.InvalidContentLength, 400);
    }

    [Theory]
    [InlineData(1L, "Content-Length: 2")]
    [InlineData(1024L, "Content-Length: 1025")]
    [InlineData(0L, "Content-Length: 1")]
    [InlineData(1048576L, "Content-Length: 9223372036854775807")]
    public void ContentTooLarge(long max, string field)
    {
        AssertRefused(PostWith(field), HttpError.ContentTooLarge, 413, new HttpLimits { MaxRequestBodySize = max });
    }

    [Theory]
    [InlineData("Transfer-Encoding: chunked")]
    [InlineData("Transfer-Encoding: gzip, chunked")]
    [InlineData("Transfer-Encoding: identity")]
    [InlineData("transfer-encoding: CHUNKED")]
    [InlineData("Transfer-Encoding:")]
    [InlineData("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked")]
    public void UnsupportedTransferEncoding(string fields)
    {
        AssertRefused(PostWith(fields.Split("\r\n")), HttpError.UnsupportedTransferEncoding, 501);
    }

    [Fact]
    public void UnsupportedTransferEncoding_Http10()
    {
        AssertRefused("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", HttpError.UnsupportedTransferEncoding, 501);
    }

    /// <summary>The CL.TE and TE.CL desync shapes (and their disguises) must never be read as either framing.</summary>
    [Theory]
    [InlineData("Content-Length: 6\r\nTransfer-Encoding: chunked")]
    [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 6")]
    [InlineData("Content-Length: 0\r\nTransfer-Encoding: chunked")]
    [InlineData("Transfer-Encoding: identity\r\nContent-Length: 6")]
    [InlineData("Content-Length: 4\r\nTransfer-Encoding: xchunked")]
    [InlineData("Content-Length: 4\r\ntransfer-ENCODING: chunked")]
    [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 4\r\nContent-Length: 4")]
    public void TransferEncodingWithContentLength(string fields)
    {
        AssertRefused(PostWith(fields.Split("\r\n")), HttpError.TransferEncodingWithContentLength, 400);
    }

    /// <summary>A Transfer-Encoding hidden behind whitespace or folding is a malformed field, never an ignored one.</summary>
    [Theory]
    [InlineData("Content-Length: 4\r\nTransfer-Encoding : chunked")]
    [InlineData("Content-Length: 4\r\n Transfer-Encoding: chunked")]
    [InlineData("Content-Length: 4\r\nX: y\r\n\tTransfer-Encoding: chunked")]
    [InlineData("Content-Length: 4\r\nTransfer-Encoding:\u000bchunked")]
    public void DisguisedTransferEncoding_IsAnInvalidHeader(string fields)
    {
        AssertRefused(PostWith(fields.Split("\r\n")), HttpError.InvalidHeader, 400);
    }

    [Fact]
    public void EveryValue_HasAStatusAndADescription()
    {
        int[] statuses = [400, 413, 431, 501, 505];
        foreach (HttpError error in Enum.GetValues<HttpError>())
        {
            Assert.Contains(error.ToStatusCode(), statuses);
            Assert.False(string.IsNullOrWhiteSpace(error.Describe()));
        }
    }

    [Theory]
    [InlineData("GET / HTTP/2.0\r\nHost: a", nameof(HttpError.UnsupportedHttpVersion))]
    [InlineData("GET / HTTP/1.1\r\nHost : a\r\n", nameof(HttpError.InvalidHeader))]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n", nameof(HttpError.InvalidHost))]
    [InlineData("POST / HTTP/1.1\r\nContent-Length: x\r\n", nameof(HttpError.InvalidContentLength))]
    [InlineData("POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n", nameof(HttpError.TransferEncodingWithContentLength))]
    public void Errors_AreReportedBeforeTheHeadIsComplete(string partialHead, string expectedName)
    {
        HttpError expected = Enum.Parse<HttpError>(expectedName);
        HttpParseResult result = ParseHttp(partialHead);

        Assert.True(result.Done);
        Assert.Equal(expected, result.Error);
    }

    /// <summary>
    /// Verdicts that a later field could change wait for the blank line, so a complete head gets the same verdict
    /// whatever order its framing fields came in.
    /// </summary>
    [Theory]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999\r\n")]
    [InlineData("POST / HTTP/1.1\r\n")]
    public void FramingVerdicts_WaitForTheBlankLine(string partialHead)
    {
        HttpParseResult result = ParseHttp(partialHead);

        Assert.False(result.Done);
        Assert.Equal(HttpError.None, result.Error);
    }

    private static void AssertRefused(string head, HttpError expected, int status, HttpLimits? limits = null)
    {
        byte[] bytes = Bytes(head);
        foreach (var input in new[] { Sequence(head), OneBytePerSegment(bytes) })
        {
            HttpParseResult result = ParseHttp(input, limits);

            Assert.True(result.Done);
            Assert.Equal(expected, result.Error);
            Assert.Null(result.Head);
            Assert.Equal(0, result.Consumed);
            Assert.Equal(bytes.Length, result.Examined);
        }

        Assert.Equal(status, expected.ToStatusCode());
    }
}
