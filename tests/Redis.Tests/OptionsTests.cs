using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Configuration;
using Switchboard.Server.Engines;
using Xunit;

namespace Switchboard.Redis.Tests;

public sealed class OptionsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var options = new RedisEngineOptions();
        Assert.Equal("127.0.0.1:6379", options.Configuration);
        Assert.Equal("switchboard", options.KeyPrefix);
        Assert.Equal(TimeSpan.FromSeconds(10), options.LeaseTime);
        Assert.Equal(TimeSpan.FromSeconds(2), options.OperationTimeout);
    }

    [Fact]
    public void Configuration_sets_each_option_by_key()
    {
        var options = RedisEngineOptions.FromConfiguration(Config(
            ("Switchboard:Redis:Configuration", "redis.internal:6380,password=x"),
            ("Switchboard:Redis:keyprefix", "app1"),
            ("Switchboard:Redis:LeaseTime", "00:00:30"),
            ("Switchboard:Redis:OperationTimeout", "00:00:00.5")).GetSection("Switchboard:Redis"));
        Assert.Equal("redis.internal:6380,password=x", options.Configuration);
        Assert.Equal("app1", options.KeyPrefix);
        Assert.Equal(TimeSpan.FromSeconds(30), options.LeaseTime);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.OperationTimeout);
    }

    [Theory]
    [InlineData("Switchboard:Redis:LeaseTme", "00:00:10", "Switchboard:Redis:LeaseTme is not an option")]
    [InlineData("Switchboard:Redis:LeaseTime", "10", "Switchboard:Redis:LeaseTime = '10' is invalid")]
    [InlineData("Switchboard:Redis:LeaseTime", "00:00:00.1", "Switchboard:Redis:LeaseTime = '00:00:00.1' is out of range")]
    [InlineData("Switchboard:Redis:OperationTimeout", "00:00:00", "Switchboard:Redis:OperationTimeout = '00:00:00' is out of range")]
    [InlineData("Switchboard:Redis:KeyPrefix", "a{b}", "Switchboard:Redis:KeyPrefix = 'a{b}' is refused")]
    [InlineData("Switchboard:Redis", "127.0.0.1:6379", "Switchboard:Redis = '127.0.0.1:6379' is invalid")]
    public void A_bad_key_or_value_is_refused_naming_the_full_key(string key, string value, string message)
    {
        var e = Assert.Throws<SwitchboardConfigurationException>(() => new ServiceCollection().AddSwitchboardRedis(Config((key, value))));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.Equal(key, e.Key);
    }

    [Fact]
    public async Task The_container_reads_the_Switchboard_Redis_section()
    {
        var services = new ServiceCollection().AddSwitchboardRedis(Config(("Switchboard:Redis:KeyPrefix", "fromconfig"), ("Switchboard:Redis:LeaseTime", "00:00:05")));
        await using var provider = services.BuildServiceProvider();
        var engine = (RedisEngine)provider.GetRequiredService<IMessageEngine>();
        Assert.Equal("fromconfig", engine.Options.KeyPrefix);
        Assert.Equal(TimeSpan.FromSeconds(5), engine.Options.LeaseTime);
    }

    [Fact]
    public async Task The_container_resolves_the_engine_as_IMessageEngine()
    {
        var services = new ServiceCollection().AddSwitchboardRedis(o => o.KeyPrefix = "di");
        await using var provider = services.BuildServiceProvider();
        var engine = Assert.IsType<RedisEngine>(provider.GetRequiredService<IMessageEngine>());
        Assert.Same(engine, provider.GetRequiredService<RedisEngine>());
        Assert.Equal("di", engine.Options.KeyPrefix);
    }
}
