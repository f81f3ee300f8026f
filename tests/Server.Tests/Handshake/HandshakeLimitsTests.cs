using System.Buffers;
using Switchboard.Protocol.Http;
using Switchboard.Server.Handshake;
using Switchboard.Server.Http;
using Switchboard.Tests.Handshake;
using Xunit;
using static Switchboard.Tests.Handshake.HandshakeTestData;

namespace Switchboard.Server.Tests.Handshake;

/// <summary>
/// Caps on the request head of an upgrade, enforced while its bytes are still arriving; the defaults and the
/// validation of <see cref="HttpHeadLimits"/> are in <see cref="Http.HttpLimitsTests"/>.
/// </summary>
public class HandshakeLimitsTests
{
    [Fact]
    public void HeadOfExactlyMaxHeaderBytes_IsAccepted()
    {
        var limits = new HttpHeadLimits { MaxHeaderBytes = MinimalRequest.Length };

        ParseResult result = Parse(MinimalRequest, limits);

        Assert.Equal(HandshakeError.None, result.Error);
        Assert.Equal(MinimalRequest.Length, result.Consumed);
    }

    [Fact]
    public void HeadOneByteOverMaxHeaderBytes_IsTooLarge()
    {
        var limits = new HttpHeadLimits { MaxHeaderBytes = MinimalRequest.Length - 1 };

        ParseResult result = Parse(MinimalRequest, limits);

        Assert.True(result.Done);
        Assert.Equal(HandshakeError.HeadersTooLarge, result.Error);
    }

    /// <summary>
    /// Found by fuzzing (tests/Fuzz/findings/handshake/request-line-garbage-past-the-cap-*): a start that cannot begin
    /// a request line was HeadersTooLarge (431) when the first read already reached the cap, and InvalidRequestLine
    /// (400) when it did not; the verdict no longer depends on how many bytes arrived at once.
    /// </summary>
    [Fact]
    public void GarbagePastTheCap_IsAnInvalidRequestLine_AsBeforeTheCap()
    {
        byte[] bytes = Bytes("\u0016\u0003\u0001 TLS hello, not HTTP " + new string('x', 80));
        var limits = new HttpHeadLimits { MaxHeaderBytes = 40 };
        var httpLimits = new Server.Tests.Http.HttpLimits { MaxHeaderBytes = 40 };

        Assert.Equal(HandshakeError.InvalidRequestLine, Parse(new ReadOnlySequence<byte>(bytes, 0, 10), limits).Error);
        Assert.Equal(HandshakeError.InvalidRequestLine, Parse(new ReadOnlySequence<byte>(bytes), limits).Error);
        Assert.Equal(HttpError.InvalidRequestLine, Server.Tests.Http.HttpTestData.ParseHttp(new ReadOnlySequence<byte>(bytes), httpLimits).Error);
        Assert.Equal(HandshakeError.HeadersTooLarge, Parse("GET /" + new string('x', 80), limits).Error);
    }

    [Fact]
    public void HeadOverTheCap_IsRejectedWhenTheCapIsReached_NotWhenTheBlankLineArrives()
    {
        byte[] bytes = Bytes(MinimalRequest);
        var limits = new HttpHeadLimits { MaxHeaderBytes = 40 };

        Assert.False(Parse(new ReadOnlySequence<byte>(bytes, 0, 39), limits).Done);
        ParseResult atCap = Parse(new ReadOnlySequence<byte>(bytes, 0, 40), limits);
        Assert.True(atCap.Done);
        Assert.Equal(HandshakeError.HeadersTooLarge, atCap.Error);
    }

    [Fact]
    public void NeverEndingHeaderLine_HitsTheCapBeforeAnyCrlf()
    {
        string prefix = "GET / HTTP/1.1\r\nHost: example.com\r\nX-Endless: ";
        var limits = new HttpHeadLimits { MaxHeaderBytes = 1024 };
        byte[] bytes = Bytes(prefix + new string('a', 4096));

        for (int length = prefix.Length; length < 1024; length += 97)
        {
            ParseResult below = Parse(Split(bytes[..length], length / 2), limits);
            Assert.False(below.Done);
            Assert.Equal(HandshakeError.None, below.Error);
        }

        ParseResult result = Parse(Split(bytes[..1024], 100, 700), limits);
        Assert.True(result.Done);
        Assert.Equal(HandshakeError.HeadersTooLarge, result.Error);
        Assert.Equal(0, result.Consumed);
    }

    [Fact]
    public void NeverEndingRequestLine_HitsTheCap()
    {
        byte[] bytes = Bytes("GET /" + new string('a', 20000));

        ParseResult result = Parse(new ReadOnlySequence<byte>(bytes));

        Assert.True(result.Done);
        Assert.Equal(HandshakeError.HeadersTooLarge, result.Error);
    }

    [Fact]
    public void CapSplitBetweenCrAndLf_IsTooLarge()
    {
        // The blank line's CR is the last byte within the cap; its LF would be one byte over.
        var limits = new HttpHeadLimits { MaxHeaderBytes = MinimalRequest.Length - 1 };
        ParseResult result = Parse(Sequence(MinimalRequest[..^1]), limits);

        Assert.True(result.Done);
        Assert.Equal(HandshakeError.HeadersTooLarge, result.Error);
    }

    [Fact]
    public void ExactlyMaxHeaderCount_IsAccepted()
    {
        var limits = new HttpHeadLimits { MaxHeaderCount = MinimalFields.Length + 2 };

        ParseResult result = Parse(MinimalPlus("X-A: 1", "X-B: 2"), limits);

        Assert.Equal(HandshakeError.None, result.Error);
        Assert.Equal(7, result.Request!.Headers.Count);
    }

    [Fact]
    public void OneFieldOverMaxHeaderCount_IsRejectedBeforeTheBlankLine()
    {
        var limits = new HttpHeadLimits { MaxHeaderCount = 3 };
        string partial = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n";

        Assert.False(Parse(partial[..^("D: 4\r\n".Length)], limits).Done);
        ParseResult result = Parse(partial, limits);
        Assert.True(result.Done);
        Assert.Equal(HandshakeError.TooManyHeaders, result.Error);
    }

    [Fact]
    public void RepeatedNames_CountOncePerLine()
    {
        var limits = new HttpHeadLimits { MaxHeaderCount = MinimalFields.Length + 1 };

        ParseResult result = Parse(MinimalPlus("X-Same: 1", "X-Same: 2"), limits);

        Assert.Equal(HandshakeError.TooManyHeaders, result.Error);
    }
}
