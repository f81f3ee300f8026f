using Switchboard.Connections;

namespace Switchboard.Server.Messaging;

/// <summary>
/// A set of connections to send to: everyone, everyone but one, a user's connections, a group, or one connection.
/// Resolved when a message is sent; the message is serialized once and the same frame goes to every recipient.
/// A recipient whose socket is dead is dropped without affecting delivery to the others.
/// </summary>
public readonly struct Recipients
{
    private readonly ConnectionRegistry _registry;
    private readonly Func<ConnectionRegistry, string?, MessageContext[]> _resolve;
    private readonly string? _key;
    private readonly long _except;

    internal Recipients(ConnectionRegistry registry, Func<ConnectionRegistry, string?, MessageContext[]> resolve, string? key = null, long except = 0)
    {
        _registry = registry;
        _resolve = resolve;
        _key = key;
        _except = except;
    }

    /// <summary>The connections this set stands for right now.</summary>
    public IReadOnlyList<MessageContext> Resolve()
    {
        var all = _resolve(_registry, _key);
        var except = _except;
        return except == 0 ? all : Array.FindAll(all, c => c.ConnectionId != except);
    }

    /// <summary>Sends <paramref name="message"/> to every connection in the set; completes when each has taken it.</summary>
    public async ValueTask SendAsync<T>(T message, CancellationToken cancellationToken = default) where T : IMessage<T>
    {
        var targets = Resolve();
        if (targets.Count == 0) return;
        using var encoded = EncodedMessage.Create(message);
        List<Task>? pending = null;
        foreach (var target in targets)
        {
            var send = target.Channel.SendAsync(encoded, cancellationToken);
            if (!send.IsCompletedSuccessfully) (pending ??= []).Add(send.AsTask());
        }
        if (pending is not null) await Task.WhenAll(pending).ConfigureAwait(false);
    }
}
