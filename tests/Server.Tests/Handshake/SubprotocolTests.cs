using Switchboard.Server.Handshake;
using Switchboard.Tests.Handshake;
using Xunit;
using static Switchboard.Tests.Handshake.HandshakeTestData;

namespace Switchboard.Server.Tests.Handshake;

/// <summary>RFC 6455 sections 1.9, 4.1 item 10 and 4.2.2 item 5.4: subprotocol offers and the server's choice.</summary>
public class SubprotocolTests
{
    [Fact]
    public void Select_ClientPreferenceWins()
    {
        string? chosen = HandshakeResponse.SelectSubprotocol(["v2.chat", "v1.chat"], ["v1.chat", "v2.chat"]);

        Assert.Equal("v2.chat", chosen);
    }

    [Fact]
    public void Select_SkipsOffersTheServerDoesNotSpeak()
    {
        Assert.Equal("json", HandshakeResponse.SelectSubprotocol(["msgpack", "json"], ["json"]));
    }

    [Fact]
    public void Select_ComparesOrdinally()
    {
        Assert.Null(HandshakeResponse.SelectSubprotocol(["Chat"], ["chat"]));
    }

    [Fact]
    public void Select_NoOverlapOrNoOffers_IsNull()
    {
        Assert.Null(HandshakeResponse.SelectSubprotocol(["a", "b"], ["c"]));
        Assert.Null(HandshakeResponse.SelectSubprotocol([], ["c"]));
        Assert.Null(HandshakeResponse.SelectSubprotocol(["a"], []));
    }

    [Fact]
    public void Parse_OffersFromEveryField_TrimmedAndInOrder()
    {
        ParseResult result = Parse(MinimalPlus(
            "Sec-WebSocket-Protocol:  chat ,superchat",
            "X-Other: 1",
            "sec-websocket-protocol: , v2.chat,,\t"));

        Assert.Equal(HandshakeError.None, result.Error);
        Assert.Equal(["chat", "superchat", "v2.chat"], result.Request!.Subprotocols);
    }

    [Fact]
    public void Parse_NoOffers_IsEmpty()
    {
        ParseResult result = Parse(MinimalRequest);

        Assert.Empty(result.Request!.Subprotocols);
    }

    [Fact]
    public void Parse_OfferThatIsNotAToken_IsInvalidHeader()
    {
        ParseResult result = Parse(MinimalPlus("Sec-WebSocket-Protocol: chat, super chat"));

        Assert.Equal(HandshakeError.InvalidHeader, result.Error);
    }
}
