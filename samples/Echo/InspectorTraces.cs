using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

/// <summary>The open trace channels by id, one per inspector page. Thread-safe.</summary>
internal sealed class InspectorTraces
{
    private readonly ConcurrentDictionary<string, InspectorTrace> _byId = new(StringComparer.Ordinal);

    /// <summary>Opens a channel under a fresh id that other pages cannot guess.</summary>
    public InspectorTrace Open()
    {
        while (true)
        {
            var trace = new InspectorTrace(Convert.ToHexString(RandomNumberGenerator.GetBytes(8)));
            if (_byId.TryAdd(trace.Id, trace)) return trace;
        }
    }

    public bool TryGet(string id, [NotNullWhen(true)] out InspectorTrace? trace) => _byId.TryGetValue(id, out trace);

    /// <summary>Removes the channel and ends its events.</summary>
    public void Close(InspectorTrace trace)
    {
        _byId.TryRemove(trace.Id, out _);
        trace.Complete();
    }
}
