using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchboard.AspNetCore;
using Switchboard.AspNetCore.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the ASP.NET Core host of Switchboard endpoints.</summary>
public static class SwitchboardServiceCollectionExtensions
{
    /// <summary>
    /// Registers the host of the endpoints <c>MapSwitchboard</c> maps (one for the app), <see cref="TimeProvider.System"/>
    /// unless a <see cref="TimeProvider"/> is registered already, and a hosted service that closes every connection
    /// with 1001 (going away) when the app stops. Options keep their defaults (<see cref="SwitchboardOptions"/>).
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddSwitchboard(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<SwitchboardOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SwitchboardHost>();
        services.AddHostedService<SwitchboardShutdown>();
        return services;
    }

    /// <summary>
    /// Registers the host of Switchboard endpoints as <see cref="AddSwitchboard(IServiceCollection)"/> does, with
    /// <paramref name="configure"/> applied to its <see cref="SwitchboardOptions"/>.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Sets the options; runs once, when the host is first resolved.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IServiceCollection AddSwitchboard(this IServiceCollection services, Action<SwitchboardOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        AddSwitchboard(services);
        services.Configure(configure);
        return services;
    }
}
