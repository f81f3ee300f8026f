using System.Diagnostics.Metrics;

namespace Switchboard.Redis;

/// <summary>One engine's instruments (<see cref="SwitchboardRedisDiagnostics"/> names them).</summary>
internal sealed class RedisMetrics : IDisposable
{
    private readonly Meter _meter = new(SwitchboardRedisDiagnostics.MeterName);

    public RedisMetrics()
    {
        Published = _meter.CreateCounter<long>(SwitchboardRedisDiagnostics.MessagesPublished, "{message}", "Messages published through Redis.");
        Delivered = _meter.CreateCounter<long>(SwitchboardRedisDiagnostics.MessagesDelivered, "{message}", "Messages received from Redis and handed to the node.");
        Unavailable = _meter.CreateCounter<long>(SwitchboardRedisDiagnostics.Unavailable, "{operation}", "Operations that failed because Redis was unreachable.");
        Interruptions = _meter.CreateCounter<long>(SwitchboardRedisDiagnostics.Interruptions, "{interruption}", "Times deliveries to the node were interrupted.");
        Reaped = _meter.CreateCounter<long>(SwitchboardRedisDiagnostics.ConnectionsReaped, "{connection}", "Connections of dead nodes reaped by this node.");
        Reregistrations = _meter.CreateCounter<long>(SwitchboardRedisDiagnostics.Reregistrations, "{registration}", "Times the node registered again after its registration was gone.");
    }

    /// <summary>The meter itself, for listeners that want this engine's instruments alone.</summary>
    public Meter Meter => _meter;

    public Counter<long> Published { get; }

    public Counter<long> Delivered { get; }

    public Counter<long> Unavailable { get; }

    public Counter<long> Interruptions { get; }

    public Counter<long> Reaped { get; }

    public Counter<long> Reregistrations { get; }

    public static KeyValuePair<string, object?> Endpoint(string name) => new(SwitchboardRedisDiagnostics.EndpointTag, name);

    public void Dispose() => _meter.Dispose();
}
