using Switchboard.Server.Handshake;
using Switchboard.Tests.Handshake;
using Xunit;
using static Switchboard.Tests.Handshake.HandshakeTestData;

namespace Switchboard.Server.Tests.Handshake;

/// <summary>RFC 9110 sections 5.6.1, 7.6.1 and 7.8: Connection and Upgrade are case-insensitive token lists.</summary>
public class TokenListTests
{
    [Theory]
    [InlineData("Connection: Upgrade")]
    [InlineData("Connection: upgrade")]
    [InlineData("Connection: UPGRADE")]
    [InlineData("Connection: keep-alive, Upgrade")]
    [InlineData("Connection: keep-alive,upgrade")]
    [InlineData("Connection:   Upgrade\t ")]
    [InlineData("Connection: ,, Upgrade ,")]
    [InlineData("Connection: Upgrade, HTTP2-Settings")]
    [InlineData("Connection: keep-alive\r\nConnection: Upgrade")]
    public void Connection_ListingUpgrade_IsAccepted(string field)
    {
        ParseResult result = Parse(MinimalWith("Connection", field));

        Assert.Equal(HandshakeError.None, result.Error);
    }

    [Theory]
    [InlineData("Connection: keep-alive")]
    [InlineData("Connection: Upgrade-Insecure-Requests")]
    [InlineData("Connection: Up grade")]
    [InlineData("Connection: keep-alive; Upgrade")]
    public void Connection_NotListingUpgrade_IsRejected(string field)
    {
        ParseResult result = Parse(MinimalWith("Connection", field));

        Assert.Equal(HandshakeError.MissingConnectionUpgrade, result.Error);
    }

    [Theory]
    [InlineData("Upgrade: websocket")]
    [InlineData("Upgrade: WebSocket")]
    [InlineData("Upgrade: WEBSOCKET")]
    [InlineData("Upgrade: h2c, websocket")]
    [InlineData("Upgrade:websocket ,")]
    [InlineData("Upgrade: h2c\r\nUpgrade: websocket")]
    public void Upgrade_ListingWebsocket_IsAccepted(string field)
    {
        ParseResult result = Parse(MinimalWith("Upgrade", field));

        Assert.Equal(HandshakeError.None, result.Error);
    }

    [Theory]
    [InlineData("Upgrade: h2c")]
    [InlineData("Upgrade: websocket2")]
    [InlineData("Upgrade: xwebsocket")]
    [InlineData("Upgrade: h2c; websocket")]
    public void Upgrade_NotListingWebsocket_IsRejected(string field)
    {
        ParseResult result = Parse(MinimalWith("Upgrade", field));

        Assert.Equal(HandshakeError.MissingUpgrade, result.Error);
    }
}
