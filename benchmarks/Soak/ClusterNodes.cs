using System.Globalization;

namespace Switchboard.Soak;

/// <summary>The nodes of the multi-node run, as the members see them: where each listens and whether it is down.</summary>
internal sealed class ClusterNodes(IReadOnlyList<ServerSlot> slots)
{
    public int Count => slots.Count;

    public Uri Uri(int node) => new(string.Create(CultureInfo.InvariantCulture, $"ws://127.0.0.1:{slots[node].Current.Port}/room"));

    public bool IsDown(int node) => slots[node].IsDown;

    /// <summary>The next node after <paramref name="node"/> that is up (itself when all others are down).</summary>
    public int NextLive(int node)
    {
        for (var i = 1; i <= slots.Count; i++)
        {
            var next = (node + i) % slots.Count;
            if (!slots[next].IsDown) return next;
        }
        return node;
    }
}
