using System.Text;
using Switchboard.Server.Engines;
using Switchboard.Testing;

namespace Switchboard.Redis.Tests;

/// <summary>An <see cref="IEngineNode"/> that records what reaches it, and pulses on each.</summary>
internal sealed class RecordingNode : IEngineNode
{
    private readonly List<Delivery> _deliveries = [];
    private readonly List<ConnectionPresence> _lost = [];
    private readonly List<string> _interruptions = [];

    public Changes Changes { get; } = new();

    public IReadOnlyList<Delivery> Deliveries { get { lock (_deliveries) return [.. _deliveries]; } }

    public IReadOnlyList<ConnectionPresence> Lost { get { lock (_lost) return [.. _lost]; } }

    public IReadOnlyList<string> Interruptions { get { lock (_interruptions) return [.. _interruptions]; } }

    public ValueTask DeliverAsync(MessageTarget target, EngineMessage message)
    {
        lock (_deliveries) _deliveries.Add(new Delivery(target, message.Type, Encoding.UTF8.GetString(message.Envelope.Span), message.Offset));
        Changes.Pulse();
        return ValueTask.CompletedTask;
    }

    public ValueTask ConnectionsLostAsync(IReadOnlyList<ConnectionPresence> connections)
    {
        lock (_lost) _lost.AddRange(connections);
        Changes.Pulse();
        return ValueTask.CompletedTask;
    }

    public void Interrupted(string reason)
    {
        lock (_interruptions) _interruptions.Add(reason);
        Changes.Pulse();
    }

    public Task UntilDeliveredAsync(Func<Delivery, bool> match, string what) => Changes.UntilAsync(() => Deliveries.Any(match), what);

    public sealed record Delivery(MessageTarget Target, string Type, string Envelope, long Offset);
}

/// <summary>A clock the test moves by hand; its timers are the system's.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
