using Microsoft.Extensions.DependencyInjection;

namespace Switchboard.Server.DependencyInjection;

/// <summary>
/// The <see cref="MessageContext.Services"/> where there is no scope: it resolves nothing. An optional service
/// (<c>GetService</c>) is null; a required one (<c>GetRequiredService</c>, <c>GetRequiredKeyedService</c>) throws an
/// <see cref="InvalidOperationException"/> that says why there is none.
/// </summary>
internal sealed class NoServices : IKeyedServiceProvider, ISupportRequiredService
{
    /// <summary>For a connection of an endpoint whose <see cref="MessageEndpoint.Services"/> is null.</summary>
    public static readonly NoServices NoContainer = new(
        "the endpoint has no services: set MessageEndpoint.Services before its first connection, or register it with services.AddMessageEndpoint");

    /// <summary>For a connection of an endpoint with services, read outside one of that connection's handler calls.</summary>
    public static readonly NoServices OutsideCall = new(
        "MessageContext.Services resolves only during a handler call of its own connection (a message handler or a hook), in that call's scope");

    private readonly string _why;

    private NoServices(string why) => _why = why;

    public object? GetService(Type serviceType) => null;

    public object GetRequiredService(Type serviceType) => throw new InvalidOperationException($"no service for type '{serviceType}': {_why}");

    public object? GetKeyedService(Type serviceType, object? serviceKey) => null;

    public object GetRequiredKeyedService(Type serviceType, object? serviceKey)
        => throw new InvalidOperationException($"no service for type '{serviceType}' with key '{serviceKey}': {_why}");
}
