using Microsoft.Extensions.Logging;
using Switchboard;
using Switchboard.Server;
using Switchboard.Server.DependencyInjection;
using Switchboard.Server.Engines;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers typed endpoints in a service container, for any host.</summary>
public static class MessageEndpointServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="MessageEndpoint"/> named <paramref name="name"/> as a singleton, keyed by its name, both
    /// as <see cref="MessageEndpoint"/> (for the host to map) and as <see cref="IMessageSender"/> (for code that only
    /// sends: controllers, minimal APIs, background services). It is built when first resolved, with the container's
    /// <see cref="ILoggerFactory"/> and <see cref="TimeProvider"/> (each when registered), its
    /// <see cref="MessageEndpoint.Services"/> set to the container, its <see cref="MessageEndpoint.Name"/> to
    /// <paramref name="name"/> and its <see cref="MessageEndpoint.Engine"/> to the container's <see cref="IMessageEngine"/>
    /// (when one is registered; the in-memory engine otherwise), and then handed to <paramref name="configure"/>
    /// to register its handlers and hooks.
    /// </summary>
    /// <remarks>
    /// While one endpoint is registered, it is also registered without a key, so <c>GetRequiredService&lt;IMessageSender&gt;()</c>
    /// finds it. Once a second is added, the registrations without a key throw an
    /// <see cref="InvalidOperationException"/> naming the endpoints when resolved: resolve each by its name
    /// (<c>GetRequiredKeyedService&lt;IMessageSender&gt;("chat")</c>, <c>[FromKeyedServices("chat")]</c>).
    /// A host maps the endpoint by instance, e.g. <c>server.Map("/ws", services.GetRequiredKeyedService&lt;MessageEndpoint&gt;("chat"))</c>.
    /// </remarks>
    /// <param name="services">The container's registrations.</param>
    /// <param name="name">The endpoint's name: the key it is registered under, unique in the container.</param>
    /// <param name="catalog">The messages the endpoint knows.</param>
    /// <param name="configure">Registers the endpoint's handlers and hooks; gets the container too.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/>, <paramref name="catalog"/> or <paramref name="configure"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty, or the name of an endpoint already registered.</exception>
    public static IServiceCollection AddMessageEndpoint(
        this IServiceCollection services, string name, MessageCatalog catalog, Action<MessageEndpoint, IServiceProvider> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(configure);

        var registered = RegisteredEndpoints.In(services);
        if (registered.Names.Contains(name))
            throw new ArgumentException($"a message endpoint named '{name}' is already registered", nameof(name));
        registered.Names.Add(name);

        services.AddKeyedSingleton(name, (provider, _) =>
        {
            var endpoint = new MessageEndpoint(catalog, provider.GetService<ILoggerFactory>(), provider.GetService<TimeProvider>())
            {
                Services = provider,
                Name = name,
                Engine = provider.GetService<IMessageEngine>(),
            };
            configure(endpoint, provider);
            return endpoint;
        });
        services.AddKeyedSingleton<IMessageSender>(name, static (provider, key) => provider.GetRequiredKeyedService<MessageEndpoint>(key));
        registered.Unkeyed(services, name);
        return services;
    }
}
