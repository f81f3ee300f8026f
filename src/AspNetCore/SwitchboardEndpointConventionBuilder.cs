namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The conventions of the routes one <c>MapSwitchboard</c> call mapped (the WebSocket GET and HTTP/2 CONNECT, and the
/// long-polling GET, POST and DELETE): each convention, such as <c>RequireAuthorization</c>, <c>RequireCors</c>, <c>RequireRateLimiting</c> or
/// <c>WithMetadata</c>, applies to every one of them.
/// </summary>
public sealed class SwitchboardEndpointConventionBuilder : IEndpointConventionBuilder
{
    private readonly IReadOnlyList<IEndpointConventionBuilder> _builders;

    internal SwitchboardEndpointConventionBuilder(IReadOnlyList<IEndpointConventionBuilder> builders) => _builders = builders;

    /// <summary>Adds <paramref name="convention"/> to every route the call mapped.</summary>
    /// <param name="convention">The convention.</param>
    public void Add(Action<EndpointBuilder> convention)
    {
        foreach (var builder in _builders) builder.Add(convention);
    }

    /// <summary>Adds <paramref name="finallyConvention"/>, run after the other conventions, to every route the call mapped.</summary>
    /// <param name="finallyConvention">The convention.</param>
    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        foreach (var builder in _builders) builder.Finally(finallyConvention);
    }
}
