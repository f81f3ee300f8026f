using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Switchboard.Redis;
using Switchboard.Server.Engines;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Redis engine in a service container, for any host.</summary>
public static class SwitchboardRedisServiceCollectionExtensions
{
    /// <summary>The configuration section <see cref="AddSwitchboardRedis(IServiceCollection, IConfiguration)"/> reads.</summary>
    public const string SectionName = "Switchboard:Redis";

    /// <summary>
    /// Registers a <see cref="RedisEngine"/> as a singleton, as itself and as the <see cref="IMessageEngine"/> that
    /// endpoints built by the container run on. It is built when first resolved, with the container's
    /// <see cref="ILoggerFactory"/> when registered, and disposed with the container.
    /// </summary>
    /// <param name="services">The container's registrations.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddSwitchboardRedis(this IServiceCollection services, Action<RedisEngineOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RedisEngineOptions();
        configure(options);
        return Add(services, options);
    }

    /// <summary>
    /// Registers a <see cref="RedisEngine"/> as <see cref="AddSwitchboardRedis(IServiceCollection, Action{RedisEngineOptions})"/>
    /// does, with options read from the <c>Switchboard:Redis</c> section of <paramref name="configuration"/> by
    /// <see cref="RedisEngineOptions.FromConfiguration"/>; read now, so a bad key fails here.
    /// </summary>
    /// <param name="services">The container's registrations.</param>
    /// <param name="configuration">The application's configuration (its root).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="Switchboard.Server.Configuration.SwitchboardConfigurationException">The section holds an unknown key or a bad value.</exception>
    public static IServiceCollection AddSwitchboardRedis(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return Add(services, RedisEngineOptions.FromConfiguration(configuration.GetSection(SectionName)));
    }

    private static IServiceCollection Add(IServiceCollection services, RedisEngineOptions options)
    {
        services.TryAddSingleton(provider => new RedisEngine(options, provider.GetService<ILoggerFactory>()));
        services.TryAddSingleton<IMessageEngine>(static provider => provider.GetRequiredService<RedisEngine>());
        return services;
    }
}
