using Switchboard.Server.Endpoints;
using Switchboard.Server.WebSockets;

namespace Switchboard.Server.Routing;

/// <summary>Routes in registration order; the first template that matches a path wins. Thread-safe for reads once built.</summary>
internal sealed class RouteTable
{
    private readonly List<(RouteTemplate Template, WebSocketHandler Handler, EndpointGate Gate)> _routes = [];

    public void Add(RouteTemplate template, WebSocketHandler handler, EndpointGate gate) => _routes.Add((template, handler, gate));

    /// <summary>The templates <paramref name="handler"/> is mapped at, in registration order.</summary>
    public IEnumerable<RouteTemplate> TemplatesOf(WebSocketHandler handler) =>
        _routes.Where(r => ReferenceEquals(r.Handler, handler)).Select(r => r.Template);

    public bool TryMatch(string path, out WebSocketHandler? handler, out IReadOnlyDictionary<string, string> values) =>
        TryMatch(path, out handler, out _, out values);

    public bool TryMatch(string path, out WebSocketHandler? handler, out EndpointGate gate, out IReadOnlyDictionary<string, string> values) =>
        TryMatch(path, out handler, out gate, out values, out _);

    /// <summary>Also gives the template that matched, whose text names the route in measurements.</summary>
    public bool TryMatch(string path, out WebSocketHandler? handler, out EndpointGate gate, out IReadOnlyDictionary<string, string> values,
        out RouteTemplate? matched)
    {
        foreach (var (template, candidate, candidateGate) in _routes)
        {
            if (template.TryMatch(path, out values))
            {
                handler = candidate;
                gate = candidateGate;
                matched = template;
                return true;
            }
        }
        handler = null;
        gate = EndpointGate.Default;
        matched = null;
        values = RouteValues.Empty;
        return false;
    }
}
