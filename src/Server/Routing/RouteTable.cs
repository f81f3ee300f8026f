namespace Switchboard.Server.Routing;

/// <summary>Routes in registration order; the first template that matches a path wins. Thread-safe for reads once built.</summary>
internal sealed class RouteTable
{
    private readonly List<(RouteTemplate Template, WebSocketHandler Handler)> _routes = [];

    public void Add(RouteTemplate template, WebSocketHandler handler) => _routes.Add((template, handler));

    public bool TryMatch(string path, out WebSocketHandler? handler, out IReadOnlyDictionary<string, string> values)
    {
        foreach (var (template, candidate) in _routes)
        {
            if (template.TryMatch(path, out values))
            {
                handler = candidate;
                return true;
            }
        }
        handler = null;
        values = new Dictionary<string, string>();
        return false;
    }
}
