using System.Buffers;
using Switchboard.Protocol.Http;
using Switchboard.Server.Handshake;
using Switchboard.Server.Http;
using Xunit;
using static Switchboard.Tests.Handshake.HandshakeTestData;
using static Switchboard.Server.Tests.Http.HttpTestData;

namespace Switchboard.Server.Tests.Http;

/// <summary>Caps on the request head and the body it declares, enforced while the head is still arriving.</summary>
public class HttpLimitsTests
{
    [Fact]
    public void Defaults_Are8KiBAnd64Fields()
    {
        var limits = new HttpHeadLimits();

        Assert.Equal(8192, limits.MaxHeaderBytes);
        Assert.Equal(64, limits.MaxHeaderCount);
        Assert.Equal(8192, HttpHeadLimits.Default.MaxHeaderBytes);
        Assert.Equal(64, HttpHeadLimits.Default.MaxHeaderCount);
    }

    [Fact]
    public void InvalidLimits_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpHeadLimits { MaxHeaderBytes = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpHeadLimits { MaxHeaderCount = -1 });
    }

    [Fact]
    public void HeadOfExactlyMaxHeaderBytes_IsAccepted()
    {
        var limits = new HttpLimits { MaxHeaderBytes = BrowserGet.Length };

        HttpParseResult result = ParseHttp(BrowserGet, limits);

        Assert.Equal(HttpError.None, result.Error);
        Assert.Equal(BrowserGet.Length, result.Consumed);
    }

    [Fact]
    public void HeadOneByteOverMaxHeaderBytes_IsTooLarge_WhenTheCapIsReached()
    {
        byte[] bytes = Bytes(BrowserGet);
        var limits = new HttpLimits { MaxHeaderBytes = bytes.Length - 1 };

        Assert.False(ParseHttp(new ReadOnlySequence<byte>(bytes, 0, bytes.Length - 2), limits).Done);
        HttpParseResult atCap = ParseHttp(Split(bytes[..^1], 10, 100), limits);
        Assert.True(atCap.Done);
        Assert.Equal(HttpError.HeadersTooLarge, atCap.Error);
    }

    [Fact]
    public void NeverEndingRequestLine_HitsTheCap()
    {
        HttpParseResult result = ParseHttp(Sequence("GET /" + new string('a', 20000)));

        Assert.True(result.Done);
        Assert.Equal(HttpError.HeadersTooLarge, result.Error);
    }

    [Fact]
    public void ExactlyMaxHeaderCount_IsAccepted_OneMoreIsRefusedBeforeTheBlankLine()
    {
        var limits = new HttpLimits { MaxHeaderCount = 3 };

        Assert.Equal(HttpError.None, ParseHttp("GET / HTTP/1.1\r\nHost: a\r\nB: 2\r\nC: 3\r\n\r\n", limits).Error);
        HttpParseResult over = ParseHttp("GET / HTTP/1.1\r\nHost: a\r\nB: 2\r\nC: 3\r\nD: 4\r\n", limits);
        Assert.True(over.Done);
        Assert.Equal(HttpError.TooManyHeaders, over.Error);
    }

    [Theory]
    [InlineData(0L, 0L, true)]
    [InlineData(0L, 1L, false)]
    [InlineData(100L, 100L, true)]
    [InlineData(100L, 101L, false)]
    public void DeclaredBody_AtTheCapIsAccepted_OneByteMoreIs413(long max, long declared, bool accepted)
    {
        var limits = new HttpLimits { MaxRequestBodySize = max };

        HttpParseResult result = ParseHttp(PostWith($"Content-Length: {declared}"), limits);

        Assert.Equal(accepted ? HttpError.None : HttpError.ContentTooLarge, result.Error);
    }

    [Fact]
    public void BodyCap_IsJudgedOnTheDeclaration_NotOnBytesReceived()
    {
        var limits = new HttpLimits { MaxRequestBodySize = 10 };
        string head = PostWith("Content-Length: 11");

        HttpParseResult result = ParseHttp(head, limits);

        Assert.Equal(HttpError.ContentTooLarge, result.Error);
        Assert.Equal(0, result.Consumed);
    }
}
