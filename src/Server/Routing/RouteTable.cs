using Switchboard.Server.Endpoints;
using Switchboard.Server.WebSockets;

namespace Switchboard.Server.Routing;

/// <summary>Routes in registration order; the first template that matches a path wins. Thread-safe for reads once built.</summary>
internal sealed class RouteTable
{
    private readonly List<(RouteTemplate Template, WebSocketHandler Handler, EndpointGate Gate)> _routes = [];

    public void Add(RouteTemplate template, WebSocketHandler handler, EndpointGate gate) => _routes.Add((template, handler, gate));

    public bool TryMatch(string path, out WebSocketHandler? handler, out IReadOnlyDictionary<string, string> values) =>
        TryMatch(path, out handler, out _, out values);

    public bool TryMatch(string path, out WebSocketHandler? handler, out EndpointGate gate, out IReadOnlyDictionary<string, string> values)
    {
        foreach (var (template, candidate, candidateGate) in _routes)
        {
            if (template.TryMatch(path, out values))
            {
                handler = candidate;
                gate = candidateGate;
                return true;
            }
        }
        handler = null;
        gate = EndpointGate.Default;
        values = RouteValues.Empty;
        return false;
    }
}
