using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Switchboard.Protocol.Framing;
using Switchboard.Server.Configuration;
using Xunit;

namespace Switchboard.Server.Tests.Configuration;

/// <summary><see cref="WebSocketServerOptions.FromConfiguration"/>: every kind of key, defaults, and the errors that name their key.</summary>
public class OptionsReaderTests
{
    /// <summary>Reads a <c>Switchboard</c> section of <paramref name="values"/>, keys relative to it; the deflate tests read through it too.</summary>
    internal static WebSocketServerOptions Read(params (string Key, string? Value)[] values)
        => WebSocketServerOptions.FromConfiguration(Section(values));

    private static IConfigurationSection Section(params (string Key, string? Value)[] values)
        => new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => KeyValuePair.Create("Switchboard:" + v.Key, v.Value)))
            .Build()
            .GetSection("Switchboard");

    private static SwitchboardConfigurationException Refused(params (string Key, string? Value)[] values)
        => Assert.Throws<SwitchboardConfigurationException>(() => Read(values));

    [Fact]
    public void An_empty_section_gives_the_defaults()
    {
        var options = Read();
        var defaults = new WebSocketServerOptions();
        Assert.Equal(defaults.EndPoint, options.EndPoint);
        Assert.Equal(defaults.MaxConnections, options.MaxConnections);
        Assert.Equal(defaults.KeepAliveInterval, options.KeepAliveInterval);
        Assert.Equal(defaults.Frames.MaxMessageSize, options.Frames.MaxMessageSize);
        Assert.Equal(defaults.LongPolling.HoldTime, options.LongPolling.HoldTime);
        Assert.Null(options.AllowedHosts);
        Assert.Null(options.ForwardedHeaders);
        Assert.Null(options.Tls);
        Assert.Empty(options.Subprotocols);
    }

    [Fact]
    public void Every_key_is_read_by_its_property_path()
    {
        var options = Read(
            ("EndPoint", "127.0.0.1:8080"),
            ("RequestHead:MaxHeaderBytes", "4096"),
            ("RequestHead:MaxHeaderCount", "32"),
            ("Frames:MaxFrameSize", "2048"),
            ("Frames:MaxMessageSize", "4096"),
            ("Frames:MaxFragments", "8"),
            ("Subprotocols:0", "chat.v2"),
            ("Subprotocols:1", "chat.v1"),
            ("HandshakeTimeout", "00:00:03"),
            ("HttpSendTimeout", "00:00:04"),
            ("HttpIdleTimeout", "00:00:05"),
            ("MaxRequestBodySize", "0"),
            ("RequestBodyTimeout", "00:00:06"),
            ("SendQueueLimit", "65536"),
            ("MaxConnections", "500"),
            ("MaxConnectionsPerAddress", "50"),
            ("AllowedHosts:0", "chat.example"),
            ("AllowedHosts:1", "*.example.com"),
            ("ForwardedHeaders:Headers", "XForwardedFor, XForwardedProto"),
            ("ForwardedHeaders:KnownProxies:0", "10.0.0.1"),
            ("ForwardedHeaders:KnownProxies:1", "fd00::1"),
            ("ForwardedHeaders:KnownNetworks:0", "192.168.0.0/16"),
            ("ConnectionLimitRetryAfter", "00:00:10"),
            ("IoThreads", "0"),
            ("UnsafePreferInlineScheduling", "true"),
            ("LongPolling:Enabled", "false"),
            ("LongPolling:HoldTime", "00:00:20"),
            ("LongPolling:IdleTimeout", "00:01:00"),
            ("LongPolling:MaxQueuedBytes", "1000"),
            ("LongPolling:MaxSessions", "100"),
            ("LongPolling:MaxSessionsPerAddress", "10"),
            ("LongPolling:MaxQueuedBytesTotal", "100000"),
            ("LongPolling:MaxEnvelopesPerSend", "20"),
            ("CloseTimeout", "00:00:07"),
            ("KeepAliveInterval", "00:00:00"),
            ("KeepAliveTimeout", "00:00:08"),
            ("ShutdownTimeout", "00:00:09.5"));

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8080), options.EndPoint);
        Assert.Equal(4096, options.RequestHead.MaxHeaderBytes);
        Assert.Equal(32, options.RequestHead.MaxHeaderCount);
        Assert.Equal(2048, options.Frames.MaxFrameSize);
        Assert.Equal(4096, options.Frames.MaxMessageSize);
        Assert.Equal(8, options.Frames.MaxFragments);
        Assert.Equal(["chat.v2", "chat.v1"], options.Subprotocols);
        Assert.Equal(TimeSpan.FromSeconds(3), options.HandshakeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(4), options.HttpSendTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.HttpIdleTimeout);
        Assert.Equal(0, options.MaxRequestBodySize);
        Assert.Equal(TimeSpan.FromSeconds(6), options.RequestBodyTimeout);
        Assert.Equal(65536, options.SendQueueLimit);
        Assert.Equal(500, options.MaxConnections);
        Assert.Equal(50, options.MaxConnectionsPerAddress);
        Assert.Equal(["chat.example", "*.example.com"], options.AllowedHosts);
        Assert.NotNull(options.ForwardedHeaders);
        Assert.Equal(ForwardedHeaderKinds.XForwardedFor | ForwardedHeaderKinds.XForwardedProto, options.ForwardedHeaders.Headers);
        Assert.Equal([IPAddress.Parse("10.0.0.1"), IPAddress.Parse("fd00::1")], options.ForwardedHeaders.KnownProxies);
        Assert.Equal([IPNetwork.Parse("192.168.0.0/16")], options.ForwardedHeaders.KnownNetworks);
        Assert.Equal(TimeSpan.FromSeconds(10), options.ConnectionLimitRetryAfter);
        Assert.Equal(0, options.IoThreads);
        Assert.True(options.UnsafePreferInlineScheduling);
        Assert.False(options.LongPolling.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(20), options.LongPolling.HoldTime);
        Assert.Equal(TimeSpan.FromMinutes(1), options.LongPolling.IdleTimeout);
        Assert.Equal(1000, options.LongPolling.MaxQueuedBytes);
        Assert.Equal(100, options.LongPolling.MaxSessions);
        Assert.Equal(10, options.LongPolling.MaxSessionsPerAddress);
        Assert.Equal(100000, options.LongPolling.MaxQueuedBytesTotal);
        Assert.Equal(20, options.LongPolling.MaxEnvelopesPerSend);
        Assert.Equal(TimeSpan.FromSeconds(7), options.CloseTimeout);
        Assert.Equal(TimeSpan.Zero, options.KeepAliveInterval);
        Assert.Equal(TimeSpan.FromSeconds(8), options.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(9.5), options.ShutdownTimeout);
    }

    [Fact]
    public void Json_reads_alike_with_arrays_and_nested_objects()
    {
        const string Json = """
            {
              "Switchboard": {
                "EndPoint": "[::1]:9000",
                "keepaliveinterval": "00:00:15",
                "Frames": { "MaxMessageSize": 65536 },
                "LongPolling": { "Enabled": false, "HoldTime": "00:00:10" },
                "Subprotocols": [ "a", "b" ],
                "ForwardedHeaders": { "KnownProxies": [ "127.0.0.1" ] }
              }
            }
            """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(Json))).Build();

        var options = WebSocketServerOptions.FromConfiguration(configuration.GetSection("Switchboard"));

        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9000), options.EndPoint);
        Assert.Equal(TimeSpan.FromSeconds(15), options.KeepAliveInterval);
        Assert.Equal(65536, options.Frames.MaxMessageSize);
        Assert.Equal(FrameReaderOptions.DefaultMaxSize, options.Frames.MaxFrameSize);
        Assert.False(options.LongPolling.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(10), options.LongPolling.HoldTime);
        Assert.Equal(TimeSpan.FromSeconds(40), options.LongPolling.IdleTimeout);
        Assert.Equal(["a", "b"], options.Subprotocols);
        Assert.Equal(ForwardedHeaderKinds.XForwarded, options.ForwardedHeaders!.Headers);
        Assert.Equal([IPAddress.Loopback], options.ForwardedHeaders.KnownProxies);
    }

    [Theory]
    [InlineData("127.0.0.1:8080", "127.0.0.1", 8080)]
    [InlineData("[::1]:8080", "::1", 8080)]
    [InlineData("*:8080", "0.0.0.0", 8080)]
    [InlineData("[::]:0", "::", 0)]
    [InlineData("localhost:65535", "127.0.0.1", 65535)]
    public void EndPoint_forms(string text, string address, int port)
        => Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), Read(("EndPoint", text)).EndPoint);

    [Theory]
    [InlineData("EndPoint", "127.0.0.1", "ADDRESS:PORT")]
    [InlineData("EndPoint", "::1:8080", "ADDRESS:PORT")]
    [InlineData("EndPoint", "127.1:8080", "ADDRESS:PORT")]
    [InlineData("EndPoint", "127.0.0.1:70000", "ADDRESS:PORT")]
    [InlineData("EndPoint", "example.com:80", "ADDRESS:PORT")]
    [InlineData("KeepAliveInterval", "30", "time span")]
    [InlineData("KeepAliveInterval", "-00:00:01", "time span")]
    [InlineData("KeepAliveInterval", "soon", "time span")]
    [InlineData("MaxConnections", "10k", "whole number")]
    [InlineData("MaxConnections", "99999999999", "whole number")]
    [InlineData("SendQueueLimit", "1.5", "whole number")]
    [InlineData("UnsafePreferInlineScheduling", "yes", "true or false")]
    [InlineData("Frames:MaxMessageSize", "big", "whole number")]
    [InlineData("LongPolling:Enabled", "1", "true or false")]
    [InlineData("LongPolling:HoldTime", "25", "time span")]
    [InlineData("ForwardedHeaders:Headers", "XForwardedFor, Via", "XForwardedFor")]
    [InlineData("ForwardedHeaders:Headers", "3", "XForwardedFor")]
    [InlineData("ForwardedHeaders:KnownProxies:0", "proxy.local", "IP address")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.0.0.1/8", "CIDR")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.0.0.0", "CIDR")]
    [InlineData("Subprotocols:0", "", "non-empty")]
    public void An_invalid_value_names_its_key_the_value_and_the_form(string key, string value, string expected)
    {
        var e = Refused((key, value));

        Assert.Equal("Switchboard:" + key, e.Key);
        Assert.StartsWith($"Switchboard:{key} = '{value}' is invalid: expected ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MaxConnections", "0")]
    [InlineData("MaxConnectionsPerAddress", "-1")]
    [InlineData("SendQueueLimit", "1")]
    [InlineData("HttpSendTimeout", "00:00:00")]
    [InlineData("ConnectionLimitRetryAfter", "00:00:00.5")]
    [InlineData("IoThreads", "-1")]
    [InlineData("RequestHead:MaxHeaderBytes", "0")]
    [InlineData("Frames:MaxFragments", "0")]
    [InlineData("LongPolling:HoldTime", "00:00:00")]
    [InlineData("LongPolling:MaxSessions", "0")]
    public void An_out_of_range_value_gives_the_options_own_message_with_the_key(string key, string value)
    {
        var e = Refused((key, value));

        Assert.Equal("Switchboard:" + key, e.Key);
        Assert.StartsWith($"Switchboard:{key} = '{value}' is out of range: ", e.Message, StringComparison.Ordinal);
        var inner = Assert.IsType<ArgumentOutOfRangeException>(e.InnerException);
        Assert.Contains(inner.Message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_allowed_host_the_option_refuses_names_the_list()
    {
        var e = Refused(("AllowedHosts:0", "chat.example"), ("AllowedHosts:1", "bad host"));

        Assert.Equal("Switchboard:AllowedHosts", e.Key);
        Assert.StartsWith("Switchboard:AllowedHosts is refused: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("bad host", e.Message, StringComparison.Ordinal);
        Assert.IsType<ArgumentException>(e.InnerException);
    }

    [Theory]
    [InlineData("KeepAliveIntreval", "Switchboard:KeepAliveIntreval")]
    [InlineData("Frames:MaxMesageSize", "Switchboard:Frames:MaxMesageSize")]
    [InlineData("LongPolling:Hold", "Switchboard:LongPolling:Hold")]
    [InlineData("ForwardedHeaders:Proxies:0", "Switchboard:ForwardedHeaders:Proxies")]
    public void An_unknown_key_is_refused_by_its_full_path(string key, string reported)
    {
        var e = Refused((key, "1"));

        Assert.Equal(reported, e.Key);
        Assert.StartsWith($"{reported} is not an option", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_are_case_insensitive()
        => Assert.Equal(7, Read(("maxconnections", "7")).MaxConnections);

    [Fact]
    public void Tls_is_refused_with_where_to_set_it()
    {
        var e = Refused(("Tls:Certificate", "server.pfx"));

        Assert.Equal("Switchboard:Tls", e.Key);
        Assert.Contains("cannot be set from configuration", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_where_a_section_belongs_is_refused()
    {
        var e = Refused(("Frames", "16MiB"));

        Assert.Equal("Switchboard:Frames", e.Key);
        Assert.Contains("expected a section", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_section_where_a_value_belongs_is_refused()
    {
        var e = Refused(("MaxConnections:Value", "5"));

        Assert.Equal("Switchboard:MaxConnections", e.Key);
        Assert.Contains("expected a single value", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_list_needs_indexes_as_keys()
    {
        Assert.Equal("Switchboard:Subprotocols", Refused(("Subprotocols", "chat")).Key);
        Assert.Equal("Switchboard:Subprotocols:first", Refused(("Subprotocols:first", "chat")).Key);
        Assert.Equal(["b", "a"], Read(("Subprotocols:10", "a"), ("Subprotocols:2", "b")).Subprotocols);
    }

    [Fact]
    public void An_empty_list_value_is_an_empty_list()
        => Assert.Equal([], Read(("AllowedHosts", "")).AllowedHosts!);

    [Fact]
    public void Unset_keys_keep_the_given_defaults_and_code_only_options()
    {
        var tls = Switchboard.Testing.TlsCertificate.ServerOptions();
        var defaults = new WebSocketServerOptions
        {
            Tls = tls,
            MaxConnections = 42,
            Frames = new FrameReaderOptions { MaxMessageSize = 77 },
            ForwardedHeaders = new TrustedProxyOptions { Headers = ForwardedHeaderKinds.All, KnownProxies = [IPAddress.Loopback] },
        };

        var options = WebSocketServerOptions.FromConfiguration(
            Section(("MaxConnectionsPerAddress", "9"), ("Frames:MaxFrameSize", "55"), ("ForwardedHeaders:KnownNetworks:0", "10.0.0.0/8")),
            defaults);

        Assert.Same(tls, options.Tls);
        Assert.Equal(42, options.MaxConnections);
        Assert.Equal(9, options.MaxConnectionsPerAddress);
        Assert.Equal(77, options.Frames.MaxMessageSize);
        Assert.Equal(55, options.Frames.MaxFrameSize);
        Assert.Equal(ForwardedHeaderKinds.All, options.ForwardedHeaders!.Headers);
        Assert.Equal([IPAddress.Loopback], options.ForwardedHeaders.KnownProxies);
        Assert.Equal([IPNetwork.Parse("10.0.0.0/8")], options.ForwardedHeaders.KnownNetworks);
    }

    [Fact]
    public void A_configuration_root_reads_its_keys_without_a_prefix()
    {
        var root = new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create<string, string?>("MaxConnectionz", "5")]).Build();

        var e = Assert.Throws<SwitchboardConfigurationException>(() => WebSocketServerOptions.FromConfiguration(root));

        Assert.Equal("MaxConnectionz", e.Key);
    }
}
