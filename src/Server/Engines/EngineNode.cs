using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Switchboard.Connections;
using Switchboard.Server.Messaging;

namespace Switchboard.Server.Engines;

/// <summary>
/// An endpoint's side of the engine seam on this node: what the engine delivers goes to the endpoint's local
/// connections (its <see cref="ConnectionRegistry"/>), serialized once per node; joins of a group that keeps history
/// send the notice, the replay and the held live messages in order; an interruption closes every connection with 1012.
/// </summary>
internal sealed class EngineNode(MessageEndpoint endpoint, ConnectionRegistry registry, ILogger logger) : IEngineNode
{
    private int _joining; // joins of history groups under way: while none is, a delivery looks at no hold
    // The positioned frame of each stored message an in-process history handed out, for as long as the history keeps
    // it: every joiner it is replayed to shares the bytes (a long-polling session queues them without a copy).
    private readonly ConditionalWeakTable<byte[], EncodedMessage> _replayFrames = new();

    public ValueTask DeliverAsync(MessageTarget target, EngineMessage message)
    {
        var targets = target.Kind switch
        {
            MessageTargetKind.All => registry.All(),
            MessageTargetKind.Group => registry.InGroup(target.Name!),
            MessageTargetKind.User => registry.OfUser(target.Name!),
            _ => registry.Find(target.ConnectionId) is { } connection ? connection.AsRecipients : [],
        };
        if (targets.Length == 0 || (targets.Length == 1 && targets[0].ConnectionId == target.Except)) return ValueTask.CompletedTask;

        if (message.Offset > 0 && target.Kind == MessageTargetKind.Group)
        {
            if (Volatile.Read(ref _joining) > 0) targets = Hold(targets, target.Name!, message);
            // Once per node per message: the envelope with its position.
            var positioned = PositionedEnvelope.Splice(message.Envelope.Span, target.Name!, message.Offset, pooled: true, Compressible(message.Type));
            return Fanout.Send(targets, target.Except, positioned, message.Type, dispose: true);
        }
        // The in-process sender's own frame, released by the sender once the engine is done; or bytes from elsewhere.
        return message.Encoded is { } own
            ? Fanout.Send(targets, target.Except, own, message.Type, dispose: false)
            : Fanout.Send(targets, target.Except, EncodedMessage.FromPayload(message.Envelope.Span, compress: Compressible(message.Type)), message.Type, dispose: true);
    }

    /// <summary>
    /// Whether a message of this type may go compressed: bytes from another node or from a history carry only their
    /// type, so the endpoint's catalogue says whether it was declared never compressed.
    /// </summary>
    private bool Compressible(string type) => !endpoint.Catalog.TryGet(type, out var descriptor) || descriptor.Compress;

    /// <summary>The targets less the connections joining <paramref name="group"/>, which keep the message for after their replay.</summary>
    private MessageContext[] Hold(MessageContext[] targets, string group, EngineMessage message)
    {
        List<MessageContext>? rest = null;
        EncodedMessage? kept = null;
        for (var i = 0; i < targets.Length; i++)
        {
            var target = targets[i];
            if (target.Holds is { } holds && holds.TryGetValue(group, out var hold)
                && hold.TryKeep(message.Offset, message.Type, kept ??= PositionedEnvelope.Splice(message.Envelope.Span, group, message.Offset, pooled: false, Compressible(message.Type))))
            {
                rest ??= [.. targets.AsSpan(0, i)];
                continue;
            }
            rest?.Add(target);
        }
        return rest is null ? targets : [.. rest];
    }

    /// <summary>
    /// Joins <paramref name="context"/> to <paramref name="group"/> (docs/protocol.md, "History and recovery"): for a group
    /// that keeps history, its live messages are held from the moment the connection is a local member, the history is
    /// read, then the notice, the replay and the held messages after the history's top go out, in that order.
    /// </summary>
    public async ValueTask<GroupJoin> JoinAsync(MessageContext context, IEndpointEngine engine, string group, int history, CancellationToken cancellationToken)
    {
        if (endpoint.HistoryOf(group) is null)
        {
            if (!registry.Join(context, group)) return GroupJoin.None;
            try
            {
                await engine.JoinAsync(context.ConnectionId, context.User, group, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                registry.Leave(context, group);
                throw;
            }
            return GroupJoin.None;
        }

        var hold = new JoinHold();
        if (!context.StartHold(group, hold)) return GroupJoin.None; // the same group, joining on another call
        Interlocked.Increment(ref _joining);
        try
        {
            if (!registry.Join(context, group)) return GroupJoin.None;
            try
            {
                await engine.JoinAsync(context.ConnectionId, context.User, group, cancellationToken).ConfigureAwait(false);
                var read = await engine.ReadHistoryAsync(group, context.TakePosition(group), history, cancellationToken).ConfigureAwait(false);
                await SendAsync(context, PositionedEnvelope.Joined(group, read.Top, read.Recovered), PositionedEnvelope.JoinedType).ConfigureAwait(false);
                foreach (var message in read.Messages)
                {
                    await SendAsync(context, ReplayFrame(message, group), message.Type).ConfigureAwait(false);
                }
                var sent = read.Top.Offset;
                while (hold.TakeOrRelease() is { } held)
                {
                    foreach (var message in held)
                    {
                        if (message.Offset <= sent) continue; // in the replay already
                        await SendAsync(context, message.Frame, message.Type).ConfigureAwait(false);
                        sent = message.Offset;
                    }
                }
                return new GroupJoin(read.Recovered, read.Top);
            }
            catch
            {
                registry.Leave(context, group);
                throw;
            }
        }
        finally
        {
            hold.TakeOrRelease();
            context.EndHold(group);
            Interlocked.Decrement(ref _joining);
        }
    }

    /// <summary>
    /// A stored message as replayed: shared by every joiner while the history holds its bytes (one array per stored
    /// message, as the in-memory engine keeps them), else made for this joiner alone.
    /// </summary>
    private EncodedMessage ReplayFrame(EngineMessage message, string group)
    {
        if (MemoryMarshal.TryGetArray(message.Envelope, out var segment) && segment.Array is { } array && segment.Offset == 0 && segment.Count == array.Length)
            return _replayFrames.GetValue(array, bytes => PositionedEnvelope.Splice(bytes, group, message.Offset, pooled: false, Compressible(message.Type)));
        return PositionedEnvelope.Splice(message.Envelope.Span, group, message.Offset, pooled: true, Compressible(message.Type));
    }

    private static ValueTask SendAsync(MessageContext context, EncodedMessage frame, string type)
        => Fanout.Send(context.AsRecipients, 0, frame, type, dispose: true);

    public async ValueTask ConnectionsLostAsync(IReadOnlyList<ConnectionPresence> connections)
    {
        ArgumentNullException.ThrowIfNull(connections);
        foreach (var connection in connections) await endpoint.LostAsync(connection).ConfigureAwait(false);
    }

    public void Interrupted(string reason)
    {
        MessageLog.EngineInterrupted(logger, reason);
        foreach (var context in registry.All()) _ = CloseAsync(context, reason);
    }

    private async Task CloseAsync(MessageContext context, string reason)
    {
        try
        {
            await context.CloseAsync(CloseCode.ServiceRestart, reason).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A connection that cannot close cleanly is gone anyway; the others still close.
        catch (Exception e)
#pragma warning restore CA1031
        {
            MessageLog.CloseFailed(logger, context.ConnectionId, e);
        }
    }
}
