using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Switchboard.Connections;
using Switchboard.Server.Diagnostics;

namespace Switchboard.Server.Messaging;

/// <summary>
/// Hands one frame, serialized once, to this node's connections: the last step of every send, after the engine.
/// Every connection gets the very same bytes, and a long-polling session queues them without a copy.
/// </summary>
internal static class Fanout
{
    /// <summary>
    /// Hands <paramref name="encoded"/> (a <paramref name="type"/>) to every target but <paramref name="except"/>; with
    /// <paramref name="dispose"/>, disposes it once no send reads it. The sends are counted once for the lot, per
    /// transport (and per server, should one endpoint serve two).
    /// </summary>
    public static ValueTask Send(ReadOnlySpan<MessageContext> targets, long except, EncodedMessage encoded, string type, bool dispose,
        CancellationToken cancellationToken = default)
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
        var metrics = counted.Flush();
        if (pending is null)
        {
            metrics?.SharedCompressions(encoded.TakeCompressions());
            if (dispose) encoded.Dispose();
            return ValueTask.CompletedTask;
        }
        return AwaitThenDisposeAsync(pending, waiting, encoded, dispose, metrics);
    }

    /// <summary>
    /// Waits for every send in <paramref name="pending"/>, then releases them and, with <paramref name="dispose"/>, the
    /// frame; throws the first failure.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask AwaitThenDisposeAsync(ValueTask[] pending, int count, EncodedMessage encoded, bool dispose, ServerMetrics? metrics)
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
        metrics?.SharedCompressions(encoded.TakeCompressions());
        if (dispose) encoded.Dispose();
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

        /// <summary>Measures the sends counted since the last call; returns the metrics they went to, if any.</summary>
        public ServerMetrics? Flush()
        {
            if (_metrics is not { } metrics) return null;
            metrics.Sent(ServerTransport.WebSocket, type, _webSockets, bytes);
            metrics.Sent(ServerTransport.LongPolling, type, _longPolls, bytes);
            _webSockets = _longPolls = 0;
            return metrics;
        }
    }
}
