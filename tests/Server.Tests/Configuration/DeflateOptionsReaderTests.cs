using System.IO.Compression;
using Switchboard.Protocol.Compression;
using Switchboard.Server.Configuration;
using Xunit;

namespace Switchboard.Server.Tests.Configuration;

/// <summary>The <c>Deflate</c> section of <see cref="WebSocketServerOptions.FromConfiguration"/>, and its errors naming the key.</summary>
public class DeflateOptionsReaderTests
{
    private static WebSocketServerOptions Read(params (string Key, string? Value)[] values) => OptionsReaderTests.Read(values);

    [Fact]
    public void Without_the_section_deflate_is_on_with_the_defaults()
    {
        Assert.Same(DeflateOptions.Default, Read(("MaxConnections", "10")).Deflate);
    }

    [Fact]
    public void Every_deflate_key_is_read()
    {
        var deflate = Read(
            ("Deflate:Enabled", "true"),
            ("Deflate:ServerNoContextTakeover", "false"),
            ("Deflate:ClientNoContextTakeover", "false"),
            ("Deflate:ClientMaxWindowBits", "10"),
            ("Deflate:ServerMaxWindowBits", "12"),
            ("Deflate:MinimumSize", "0")).Deflate;

        Assert.True(deflate.Enabled);
        Assert.False(deflate.ServerNoContextTakeover);
        Assert.False(deflate.ClientNoContextTakeover);
        Assert.Equal(10, deflate.ClientMaxWindowBits);
        Assert.Equal(12, deflate.ServerMaxWindowBits);
        Assert.Equal(0, deflate.MinimumSize);
        Assert.Equal(CompressionLevel.Fastest, deflate.Level);
    }

    [Fact]
    public void Deflate_turned_off_in_configuration()
    {
        Assert.False(Read(("Deflate:Enabled", "false")).Deflate.Enabled);
    }

    [Theory]
    [InlineData("Deflate:ClientMaxWindowBits", "16")]
    [InlineData("Deflate:ServerMaxWindowBits", "7")]
    [InlineData("Deflate:MinimumSize", "-1")]
    [InlineData("Deflate:Level", "Optimal")]
    [InlineData("Deflate:Enabled", "yes")]
    public void A_bad_value_is_refused_naming_its_key(string key, string value)
    {
        var error = Assert.Throws<SwitchboardConfigurationException>(() => Read((key, value)));
        Assert.Contains("Switchboard:" + key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(16)]
    public void A_window_outside_8_to_15_is_refused_naming_the_property(int bits)
    {
        Assert.Equal("ClientMaxWindowBits", Assert.Throws<ArgumentOutOfRangeException>(() => new DeflateOptions { ClientMaxWindowBits = bits }).ParamName);
        Assert.Equal("ServerMaxWindowBits", Assert.Throws<ArgumentOutOfRangeException>(() => new DeflateOptions { ServerMaxWindowBits = bits }).ParamName);
    }
}
