using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Switchboard.Connections;
using Switchboard.Server.Diagnostics;
using Switchboard.Server.Messaging;

namespace Switchboard.Server;

/// <summary>
/// A set of connections to send to: everyone, everyone but one, a user's connections, a group, or one connection.
/// Resolved when a message is sent; the message is serialized once and the same frame goes to every recipient.
/// A recipient whose socket is dead is dropped without affecting delivery to the others.
/// </summary>
public readonly struct Recipients
{
    private readonly ConnectionRegistry _registry;
    private readonly Scope _scope;
    private readonly string? _key;
    private readonly long _id;

    private Recipients(ConnectionRegistry registry, Scope scope, string? key, long id)
    {
        _registry = registry;
        _scope = scope;
        _key = key;
        _id = id;
    }

    private enum Scope : byte { All, AllExcept, User, Group, Connection }

    /// <summary>The connections this set stands for right now.</summary>
    public IReadOnlyList<MessageContext> Resolve()
    {
        // A copy: the registry's snapshots are shared by every send.
        var targets = Targets();
        var except = _scope == Scope.AllExcept ? _id : 0;
        return except == 0 ? [.. targets] : Array.FindAll(targets, c => c.ConnectionId != except);
    }

    /// <summary>Sends <paramref name="message"/> to every connection in the set; completes when each has taken it.</summary>
    public ValueTask SendAsync<T>(T message, CancellationToken cancellationToken = default) where T : IMessage<T>
    {
        var targets = Targets();
        // Only all-but-one skips a connection, and only a connection of the endpoint (ids start at 1) can be skipped.
        var except = _scope == Scope.AllExcept ? _id : 0;
        if (targets.Length == 0 || (targets.Length == 1 && targets[0].ConnectionId == except)) return ValueTask.CompletedTask;
        return Encode(message, out var encoded) is { } failure ? ValueTask.FromException(failure) : Send(targets, except, encoded!, T.MessageType, cancellationToken);
    }

    /// <summary>Sends to the one connection whose context the caller holds, with no registry lookup: a reply to the sender.</summary>
    internal static ValueTask SendTo<T>(MessageContext target, T message, CancellationToken cancellationToken) where T : IMessage<T>
        => Encode(message, out var encoded) is { } failure
            ? ValueTask.FromException(failure)
            : Send(new ReadOnlySpan<MessageContext>(in target), 0, encoded!, T.MessageType, cancellationToken);

    /// <summary>Sends a prepared message to the one connection whose context the caller holds.</summary>
    internal static ValueTask SendTo(MessageContext target, PreparedMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Send(new ReadOnlySpan<MessageContext>(in target), 0, message.Encoded, message.Type, cancellationToken);
    }

    /// <summary>Serializes <paramref name="message"/> once for all its recipients; what fails is returned for the caller's task, as from an async method.</summary>
    private static Exception? Encode<T>(T message, out EncodedMessage? encoded) where T : IMessage<T>
    {
#pragma warning disable CA1031 // Whatever fails, the caller gets it in the task.
        try
        {
            encoded = EncodedMessage.Create(message);
            return null;
        }
        catch (Exception e)
        {
            encoded = null;
            return e;
        }
#pragma warning restore CA1031
    }

    /// <summary>
    /// Sends <paramref name="message"/>, serialized once before, to every connection in the set; completes when each has
    /// taken it. Every connection gets the very same bytes, and a long-polling session queues them without a copy.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public ValueTask SendAsync(PreparedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var targets = Targets();
        var except = _scope == Scope.AllExcept ? _id : 0;
        if (targets.Length == 0 || (targets.Length == 1 && targets[0].ConnectionId == except)) return ValueTask.CompletedTask;
        return Send(targets, except, message.Encoded, message.Type, cancellationToken); // its Dispose does nothing: it is not pooled
    }

    /// <summary>
    /// Hands <paramref name="encoded"/> (a <paramref name="type"/>) to every target but <paramref name="except"/>, then
    /// disposes it once no send reads it. The sends are counted once for the lot, per transport (and per server, should
    /// one endpoint serve two).
    /// </summary>
    private static ValueTask Send(ReadOnlySpan<MessageContext> targets, long except, EncodedMessage encoded, string type, CancellationToken cancellationToken)
    {
#pragma warning disable CA1031 // Whatever fails, the caller gets it in the task, as from an async method.
        // Sends complete once their frame is queued, so usually all of them have by the end of this loop and nothing
        // waits. One that waits (for the connection's write lock) is awaited after the loop, with the others that do,
        // in one pooled state machine: no task per send.
        ValueTask[]? pending = null;
        var waiting = 0;
        var counted = new SendCount(type, encoded.Payload.Length);
        try
        {
            foreach (var target in targets)
            {
                if (target.ConnectionId == except) continue;
                counted.Add(target.Channel);
                var send = target.Channel.SendAsync(encoded, cancellationToken);
                if (send.IsCompletedSuccessfully) send.GetAwaiter().GetResult(); // hands a pooled source back
                else (pending ??= ArrayPool<ValueTask>.Shared.Rent(targets.Length))[waiting++] = send;
            }
        }
        catch (Exception e)
        {
            // The sends already started may still read the frame: it is released once they are done.
            (pending ??= ArrayPool<ValueTask>.Shared.Rent(targets.Length))[waiting++] = new ValueTask(Task.FromException(e));
        }
#pragma warning restore CA1031
        counted.Flush();
        if (pending is null)
        {
            encoded.Dispose();
            return ValueTask.CompletedTask;
        }
        return AwaitThenDisposeAsync(pending, waiting, encoded);
    }

    internal static Recipients All(ConnectionRegistry registry) => new(registry, Scope.All, null, 0);

    internal static Recipients AllExcept(ConnectionRegistry registry, long connectionId) => new(registry, Scope.AllExcept, null, connectionId);

    internal static Recipients User(ConnectionRegistry registry, string user) => new(registry, Scope.User, user, 0);

    internal static Recipients Group(ConnectionRegistry registry, string group) => new(registry, Scope.Group, group, 0);

    internal static Recipients Connection(ConnectionRegistry registry, long connectionId) => new(registry, Scope.Connection, null, connectionId);

    /// <summary>Waits for every send in <paramref name="pending"/>, then releases them and the frame; throws the first failure.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask AwaitThenDisposeAsync(ValueTask[] pending, int count, EncodedMessage encoded)
    {
        ExceptionDispatchInfo? failure = null;
        for (var i = 0; i < count; i++)
        {
            try
            {
                await pending[i].ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Kept and rethrown once every send is done with the frame.
            catch (Exception e)
            {
                failure ??= ExceptionDispatchInfo.Capture(e);
            }
#pragma warning restore CA1031
        }
        Array.Clear(pending, 0, count);
        ArrayPool<ValueTask>.Shared.Return(pending);
        encoded.Dispose();
        failure?.Throw();
    }

    /// <summary>The sends of one message, counted as they are made and measured once at the end.</summary>
    private struct SendCount(string type, int bytes)
    {
        private ServerMetrics? _metrics;
        private int _webSockets;
        private int _longPolls;

        public void Add(IMessageChannel channel)
        {
            if (!ReferenceEquals(channel.Metrics, _metrics))
            {
                Flush();
                _metrics = channel.Metrics;
            }
            if (channel.Transport == ServerTransport.LongPolling) _longPolls++;
            else _webSockets++;
        }

        public void Flush()
        {
            if (_metrics is not { } metrics) return;
            metrics.Sent(ServerTransport.WebSocket, type, _webSockets, bytes);
            metrics.Sent(ServerTransport.LongPolling, type, _longPolls, bytes);
            _webSockets = _longPolls = 0;
        }
    }

    /// <summary>The registry's shared snapshot of the set (to read, never to write), or one connection.</summary>
    private MessageContext[] Targets() => _scope switch
    {
        Scope.All or Scope.AllExcept => _registry.All(),
        Scope.User => _registry.OfUser(_key!),
        Scope.Group => _registry.InGroup(_key!),
        _ => _registry.Find(_id) is { } connection ? connection.AsRecipients : [],
    };
}
