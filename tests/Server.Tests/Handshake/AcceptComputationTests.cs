using Switchboard.Server.Handshake;
using Xunit;

namespace Switchboard.Server.Tests.Handshake;

/// <summary>RFC 6455 sections 1.3 and 4.2.2: each step from Sec-WebSocket-Key to Sec-WebSocket-Accept, as an inspector shows them.</summary>
public class AcceptComputationTests
{
    [Fact]
    public void Section_1_3_example_key_yields_each_step()
    {
        AcceptComputation steps = AcceptComputation.Of("dGhlIHNhbXBsZSBub25jZQ==");

        Assert.Equal("dGhlIHNhbXBsZSBub25jZQ==", steps.Key);
        Assert.Equal("dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11", steps.KeyWithGuid);
        Assert.Equal("B37A4F2CC0624F1690F64606CF385945B2BEC4EA", steps.Sha1Hex);
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", steps.Accept);
    }

    [Fact]
    public void Accept_is_the_value_the_101_carries()
    {
        const string key = "x3JJHMbDL1EzLkh9GBhXDw==";

        Assert.Equal(HandshakeResponse.ComputeAccept(key), AcceptComputation.Of(key).Accept);
        Assert.Equal(Convert.ToBase64String(Convert.FromHexString(AcceptComputation.Of(key).Sha1Hex)), AcceptComputation.Of(key).Accept);
    }

    [Fact]
    public void A_null_key_is_refused_by_name()
    {
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => AcceptComputation.Of(null!)).ParamName);
    }
}
