using Switchboard.Protocol.Compression;
using Xunit;

namespace Switchboard.Tests.Compression;

/// <summary>RFC 7692 section 7.1: the server's choice among offers, and the client's judgement of the response.</summary>
public class NegotiationTests
{
    private static readonly DeflateOptions s_takeover = new() { ServerNoContextTakeover = false, ClientNoContextTakeover = false };

    [Theory]
    // Chromium's and Firefox's offer.
    [InlineData("permessage-deflate; client_max_window_bits", "permessage-deflate")]
    [InlineData("permessage-deflate", "permessage-deflate")]
    // Several offers: the first acceptable one wins; an unknown extension or a bad offer is skipped.
    [InlineData("x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=10, permessage-deflate; client_no_context_takeover",
        "permessage-deflate; client_no_context_takeover")]
    [InlineData("permessage-deflate; server_max_window_bits=15", "permessage-deflate; server_max_window_bits=15")]
    [InlineData("permessage-deflate; server_max_window_bits=\"15\"", "permessage-deflate; server_max_window_bits=15")]
    [InlineData("permessage-deflate; server_no_context_takeover", "permessage-deflate; server_no_context_takeover")]
    [InlineData("permessage-deflate ;client_max_window_bits=10", "permessage-deflate")]
    public void Server_accepts_the_first_offer_it_can(string offer, string response)
    {
        Assert.Equal(response, DeflateNegotiation.Accept([offer], s_takeover)?.Extension);
    }

    [Theory]
    [InlineData("permessage-deflate; server_no_context_takeover; server_no_context_takeover")] // repeated
    [InlineData("permessage-deflate; client_max_window_bits; client_max_window_bits=10")] // repeated
    [InlineData("permessage-deflate; server_max_window_bits")] // value required
    [InlineData("permessage-deflate; server_max_window_bits=16")]
    [InlineData("permessage-deflate; server_max_window_bits=7")]
    [InlineData("permessage-deflate; server_max_window_bits=015")] // leading zero
    [InlineData("permessage-deflate; server_max_window_bits=12")] // a smaller window than this compressor has
    [InlineData("permessage-deflate; client_max_window_bits=abc")]
    [InlineData("permessage-deflate; client_no_context_takeover=1")] // takes no value
    [InlineData("permessage-deflate; mystery")] // unknown parameter
    [InlineData("permessage-deflate; server_max_window_bits=\"1 5\"")] // quoted value not a token
    [InlineData("permessage-deflate; server_max_window_bits=\"15")] // unterminated quote
    [InlineData("permessage-deflate;")]
    [InlineData("x-webkit-deflate-frame")]
    public void Server_declines_an_offer_it_cannot_accept(string offer)
    {
        Assert.Null(DeflateNegotiation.Accept([offer], DeflateOptions.Default));
    }

    [Fact]
    public void A_bad_offer_declines_only_itself_even_with_a_comma_in_quotes()
    {
        Assert.Equal("permessage-deflate", DeflateNegotiation.Accept(["permessage-deflate; a=\"x, y\", permessage-deflate"], s_takeover)?.Extension);
    }

    [Fact]
    public void Server_applies_its_options_to_the_response()
    {
        var options = new DeflateOptions { ClientMaxWindowBits = 8 };

        DeflateParameters? accepted = DeflateNegotiation.Accept(["permessage-deflate; client_max_window_bits"], options);

        // 8 goes out as 9: zlib has no raw deflate with an 8-bit window.
        Assert.Equal("permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=9", accepted?.Extension);
        Assert.True(accepted!.ServerNoContextTakeover && accepted.ClientNoContextTakeover);
        Assert.Equal(9, accepted.ClientMaxWindowBits);
        // No client_max_window_bits in the offer: the response may not name it.
        Assert.DoesNotContain("client_max_window_bits", DeflateNegotiation.Accept(["permessage-deflate"], options)?.Extension);
    }

    [Fact]
    public void Disabled_server_declines_and_disabled_client_offers_nothing()
    {
        Assert.Null(DeflateNegotiation.Accept(["permessage-deflate"], DeflateOptions.Disabled));
        Assert.False(DeflateNegotiation.TryAcceptResponse(["permessage-deflate"], DeflateOptions.Disabled, out _));
    }

    [Fact]
    public void Client_offer_names_what_its_options_ask_for()
    {
        Assert.Equal("permessage-deflate; server_no_context_takeover; client_no_context_takeover", DeflateNegotiation.BuildOffer(DeflateOptions.Default));
        Assert.Equal("permessage-deflate; server_max_window_bits=9", DeflateNegotiation.BuildOffer(s_takeover.With(serverBits: 8)));
    }

    [Theory]
    [InlineData("permessage-deflate; server_no_context_takeover; client_no_context_takeover", true)]
    [InlineData("permessage-deflate; server_no_context_takeover", true)] // the client keeps no context anyway
    [InlineData("permessage-deflate; server_no_context_takeover; server_max_window_bits=10", true)] // a smaller window is no harm
    [InlineData("permessage-deflate", false)] // server_no_context_takeover was asked for and must be confirmed
    [InlineData("permessage-deflate; server_no_context_takeover; client_max_window_bits=10", false)] // not offered
    [InlineData("permessage-deflate; server_no_context_takeover; server_no_context_takeover", false)]
    [InlineData("permessage-deflate; server_no_context_takeover; mystery", false)]
    [InlineData("permessage-deflate; server_no_context_takeover, permessage-deflate; server_no_context_takeover", false)] // two
    [InlineData("x-webkit-deflate-frame", false)] // not offered
    public void Client_judges_the_response(string response, bool valid)
    {
        Assert.Equal(valid, DeflateNegotiation.TryAcceptResponse([response], DeflateOptions.Default, out DeflateParameters? accepted));
        Assert.Equal(valid, accepted is not null);
    }

    [Fact]
    public void Client_without_a_response_field_has_no_extension()
    {
        Assert.True(DeflateNegotiation.TryAcceptResponse([], DeflateOptions.Default, out DeflateParameters? accepted));
        Assert.Null(accepted);
    }
}

internal static class DeflateOptionsTestExtensions
{
    public static DeflateOptions With(this DeflateOptions options, int serverBits) => new()
    {
        Enabled = options.Enabled,
        ServerNoContextTakeover = options.ServerNoContextTakeover,
        ClientNoContextTakeover = options.ClientNoContextTakeover,
        ServerMaxWindowBits = serverBits,
    };
}
