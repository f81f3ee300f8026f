using Microsoft.Extensions.DependencyInjection;

namespace Switchboard.Server.DependencyInjection;

/// <summary>
/// The names of the endpoints <c>AddMessageEndpoint</c> registered in one container, kept in the container as a
/// singleton so that the next call finds them, and the registrations without a key that follow from them.
/// </summary>
internal sealed class RegisteredEndpoints
{
    private ServiceDescriptor[] _unkeyed = [];

    /// <summary>In registration order.</summary>
    public List<string> Names { get; } = [];

    /// <summary>The container's list, added to it by the first call.</summary>
    public static RegisteredEndpoints In(IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(RegisteredEndpoints) && !descriptor.IsKeyedService
                && descriptor.ImplementationInstance is RegisteredEndpoints registered)
                return registered;
        }
        var added = new RegisteredEndpoints();
        services.AddSingleton(added);
        return added;
    }

    /// <summary>
    /// Registers the endpoint named <paramref name="name"/> without a key when it is the only one; with more, replaces
    /// that by registrations that throw, naming every endpoint, so that a resolve without a key is never a guess.
    /// </summary>
    public void Unkeyed(IServiceCollection services, string name)
    {
        foreach (var descriptor in _unkeyed) services.Remove(descriptor);
        _unkeyed = Names.Count == 1
            ?
            [
                ServiceDescriptor.Singleton(provider => provider.GetRequiredKeyedService<MessageEndpoint>(name)),
                ServiceDescriptor.Singleton<IMessageSender>(provider => provider.GetRequiredKeyedService<MessageEndpoint>(name)),
            ]
            :
            [
                ServiceDescriptor.Singleton<MessageEndpoint>(_ => throw Several(typeof(MessageEndpoint))),
                ServiceDescriptor.Singleton<IMessageSender>(_ => throw Several(typeof(IMessageSender))),
            ];
        foreach (var descriptor in _unkeyed) services.Add(descriptor);
    }

    private InvalidOperationException Several(Type type) => new(
        $"{Names.Count} message endpoints are registered ({string.Join(", ", Names.Select(n => $"'{n}'"))}): " +
        $"resolve the {type.Name} of one by its name, e.g. GetRequiredKeyedService<{type.Name}>(\"{Names[0]}\") or [FromKeyedServices(\"{Names[0]}\")]");
}
