using Switchboard.Protocol.Http;
using Xunit;

namespace Switchboard.Tests.Http;

/// <summary>RFC 9110 section 5.6.2 tokens and section 5.5 field values, as names and values the server is given are checked.</summary>
public class HttpGrammarTests
{
    [Theory]
    [InlineData("GET", true)]
    [InlineData("X-Custom!", true)]
    [InlineData("G T", false)]
    [InlineData("", false)]
    [InlineData("caf\u00e9", false)]
    public void HttpGrammar_IsToken(string value, bool expected) => Assert.Equal(expected, HttpGrammar.IsToken(value));

    [Theory]
    [InlineData("text/plain; charset=utf-8", true)]
    [InlineData("a\tb", true)]
    [InlineData("caf\u00e9", true)]
    [InlineData("a\r\nb", false)]
    [InlineData("\u0100", false)]
    public void HttpGrammar_IsFieldValue(string value, bool expected) => Assert.Equal(expected, HttpGrammar.IsFieldValue(value));
}
