namespace Switchboard.Server;

/// <summary>
/// What code outside an endpoint's handlers needs to push messages to its connections: a controller, a minimal API, a
/// background service. It reaches everyone, a group, a user or a connection, and tells who is connected, but cannot
/// register handlers or hooks. <see cref="MessageEndpoint"/> implements it; <c>services.AddMessageEndpoint</c>
/// registers it in the container, keyed by the endpoint's name.
/// </summary>
/// <remarks>Every member is thread-safe and may be called at any time, before, during or after connections.</remarks>
public interface IMessageSender
{
    /// <summary>Every connection of the endpoint.</summary>
    Recipients All { get; }

    /// <summary>The users with at least one open connection on any node, each once, in ordinal order.</summary>
    /// <exception cref="Engines.EngineUnavailableException">The engine cannot be reached.</exception>
    ValueTask<IReadOnlyList<string>> UsersAsync(CancellationToken cancellationToken = default);

    /// <summary>Every member of <paramref name="group"/>.</summary>
    Recipients Group(string group);

    /// <summary>Every connection of <paramref name="user"/>.</summary>
    Recipients User(string user);

    /// <summary>One connection, if it is still open.</summary>
    Recipients Connection(long connectionId);

    /// <summary>Every connection except <paramref name="connectionId"/>.</summary>
    Recipients AllExcept(long connectionId);

    /// <summary>Whether <paramref name="user"/> has an open connection on any node.</summary>
    /// <exception cref="Engines.EngineUnavailableException">The engine cannot be reached.</exception>
    ValueTask<bool> IsConnectedAsync(string user, CancellationToken cancellationToken = default);

    /// <summary>The members of <paramref name="group"/> on every node right now: their connection ids and users.</summary>
    /// <exception cref="Engines.EngineUnavailableException">The engine cannot be reached.</exception>
    ValueTask<IReadOnlyList<Engines.GroupMember>> GroupMembersAsync(string group, CancellationToken cancellationToken = default);
}
