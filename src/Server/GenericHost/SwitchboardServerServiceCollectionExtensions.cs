using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Switchboard.Server;
using Switchboard.Server.GenericHost;

// The platform's convention for service registration: found wherever IServiceCollection is.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Runs a standalone <see cref="WebSocketServer"/> as a Generic Host service.</summary>
public static class SwitchboardServerServiceCollectionExtensions
{
    private const string SectionName = "Switchboard";

    /// <summary>
    /// Registers a <see cref="WebSocketServer"/> singleton, with options read from the <c>Switchboard</c> section of the
    /// host's <see cref="IConfiguration"/> (<see cref="WebSocketServerOptions.FromConfiguration"/>), and a hosted
    /// service that starts it with the host and stops it gracefully (1001 to every connection) when the host stops.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="map">Maps the server's endpoints, with the host's services at hand: <c>(server, services) =&gt; server.Map(...)</c>.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <remarks>The options are read when the server is first resolved, at the latest when the host starts, which fails with a <see cref="Switchboard.Server.Configuration.SwitchboardConfigurationException"/> for an invalid key.</remarks>
    public static IServiceCollection AddSwitchboardServer(this IServiceCollection services, Action<WebSocketServer, IServiceProvider> map)
        => services.AddSwitchboardServer(
            provider => WebSocketServerOptions.FromConfiguration(provider.GetRequiredService<IConfiguration>().GetSection(SectionName)),
            map);

    /// <summary>
    /// Registers a <see cref="WebSocketServer"/> singleton with the options <paramref name="options"/> makes, and a hosted
    /// service that starts it with the host and stops it gracefully (1001 to every connection) when the host stops.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="options">
    /// Makes the options from the host's services. To layer configuration over values set in code (a certificate in
    /// <see cref="WebSocketServerOptions.Tls"/>), return
    /// <c>WebSocketServerOptions.FromConfiguration(configuration.GetSection("Switchboard"), new WebSocketServerOptions { ... })</c>.
    /// </param>
    /// <param name="map">Maps the server's endpoints, with the host's services at hand: <c>(server, services) =&gt; server.Map(...)</c>.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddSwitchboardServer(
        this IServiceCollection services,
        Func<IServiceProvider, WebSocketServerOptions> options,
        Action<WebSocketServer, IServiceProvider> map)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(map);
        services.AddSingleton(provider =>
        {
            var server = new WebSocketServer(options(provider), provider.GetService<ILoggerFactory>());
            map(server, provider);
            return server;
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, WebSocketServerService>());
        return services;
    }
}
