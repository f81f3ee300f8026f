using Switchboard.Connections;

namespace Switchboard.Server.LongPolling;

/// <summary>
/// The server-wide count of bytes long-polling sessions hold (<see cref="LongPollingOptions.MaxQueuedBytesTotal"/>): a
/// shared payload counts once while any session holds it, and every queued reference counts
/// <see cref="LongPollingOptions.QueueEntryBytes"/>. Thread-safe.
/// </summary>
internal sealed class LongPollBudget(long max)
{
    private long _held;

    /// <summary>Bytes counted now.</summary>
    public long Held => Volatile.Read(ref _held);

    /// <summary>Counts one more queue holding <paramref name="payload"/>; false, with nothing counted, when it would go past the budget.</summary>
    public bool TryHold(SharedPayload payload)
    {
        lock (payload)
        {
            var cost = payload.Holders == 0 ? payload.Bytes.Length + LongPollingOptions.QueueEntryBytes : LongPollingOptions.QueueEntryBytes;
            if (!TryAdd(cost)) return false;
            payload.Holders++;
            return true;
        }
    }

    /// <summary>One queue no longer holds <paramref name="payload"/>.</summary>
    public void Release(SharedPayload payload)
    {
        lock (payload)
        {
            payload.Holders--;
            var cost = payload.Holders == 0 ? payload.Bytes.Length + LongPollingOptions.QueueEntryBytes : LongPollingOptions.QueueEntryBytes;
            Interlocked.Add(ref _held, -cost);
        }
    }

    private bool TryAdd(long cost)
    {
        var held = Volatile.Read(ref _held);
        while (true)
        {
            if (held + cost > max) return false;
            var seen = Interlocked.CompareExchange(ref _held, held + cost, held);
            if (seen == held) return true;
            held = seen;
        }
    }
}
