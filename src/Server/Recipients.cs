using System.Runtime.CompilerServices;
using Switchboard.Connections;
using Switchboard.Server.Engines;

namespace Switchboard.Server;

/// <summary>
/// A set of connections to send to: everyone, everyone but one, a user's connections, a group, or one connection, on
/// every node of the endpoint. The message is serialized once, handed to the endpoint's engine, and each node sends
/// the same frame to its members of the set when it gets it. A recipient whose socket is dead is dropped without
/// affecting delivery to the others.
/// </summary>
public readonly struct Recipients
{
    private readonly MessageEndpoint _endpoint;
    private readonly MessageTarget _target;

    internal Recipients(MessageEndpoint endpoint, MessageTarget target)
    {
        _endpoint = endpoint;
        _target = target;
    }

    /// <summary>
    /// Sends <paramref name="message"/> to every connection in the set; completes when the engine has taken it (with the
    /// in-memory engine, when each connection has). A message to a group that keeps history
    /// (<see cref="MessageEndpoint.History"/>) is stored there first and carries its offset.
    /// </summary>
    /// <exception cref="EngineUnavailableException">The engine cannot take the message now.</exception>
    public ValueTask SendAsync<T>(T message, CancellationToken cancellationToken = default) where T : IMessage<T>
    {
        EncodedMessage encoded;
        try
        {
            encoded = EncodedMessage.Create(message);
        }
#pragma warning disable CA1031 // Whatever fails, the caller gets it in the task, as from an async method.
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
#pragma warning restore CA1031
        return Publish(_endpoint, _target, new EngineMessage(T.MessageType, encoded), encoded, cancellationToken);
    }

    /// <summary>
    /// Sends <paramref name="message"/>, serialized once before, to every connection in the set; completes when the
    /// engine has taken it. Every connection gets the very same bytes, and a long-polling session queues them without a copy.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    /// <exception cref="EngineUnavailableException">The engine cannot take the message now.</exception>
    public ValueTask SendAsync(PreparedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        // Its Dispose does nothing: it is not pooled.
        return Publish(_endpoint, _target, new EngineMessage(message.Type, message.Encoded), null, cancellationToken);
    }

    /// <summary>Publishes through the endpoint's engine, then releases <paramref name="owned"/> (the sender's pooled frame).</summary>
    private static ValueTask Publish(MessageEndpoint endpoint, MessageTarget target, EngineMessage message, EncodedMessage? owned, CancellationToken cancellationToken)
    {
        if (endpoint.OpenedEngine is not { } engine) return OpenThenPublishAsync(endpoint, target, message, owned, cancellationToken);
        ValueTask<long> published;
        try
        {
            published = engine.PublishAsync(target, message, cancellationToken);
        }
#pragma warning disable CA1031 // Whatever fails, the caller gets it in the task, as from an async method.
        catch (Exception e)
        {
            owned?.Dispose();
            return ValueTask.FromException(e);
        }
#pragma warning restore CA1031
        if (!published.IsCompletedSuccessfully) return AwaitThenDisposeAsync(published, owned);
        published.GetAwaiter().GetResult();
        owned?.Dispose();
        return ValueTask.CompletedTask;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask AwaitThenDisposeAsync(ValueTask<long> published, EncodedMessage? owned)
    {
        try
        {
            await published.ConfigureAwait(false);
        }
        finally
        {
            owned?.Dispose();
        }
    }

    private static async ValueTask OpenThenPublishAsync(MessageEndpoint endpoint, MessageTarget target, EngineMessage message, EncodedMessage? owned,
        CancellationToken cancellationToken)
    {
        try
        {
            var engine = await endpoint.GetEngineAsync(cancellationToken).ConfigureAwait(false);
            await engine.PublishAsync(target, message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            owned?.Dispose();
        }
    }
}
