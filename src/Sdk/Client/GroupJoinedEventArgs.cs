namespace Switchboard.Client;

/// <summary>
/// A <c>switchboard.joined</c> notice: the connection joined a group that keeps history (docs/protocol.md, "History and
/// recovery"). It comes before the group's replayed messages, so a handler that sees <see cref="Recovered"/> other than
/// true can reload the group's state before the replay and the live messages are delivered.
/// </summary>
public sealed class GroupJoinedEventArgs(string group, string epoch, long offset, bool? recovered) : EventArgs
{
    /// <summary>The group joined.</summary>
    public string Group { get; } = group;

    /// <summary>The epoch of the group's history; offsets of another epoch mean nothing in this one.</summary>
    public string Epoch { get; } = epoch;

    /// <summary>The group's newest offset when the join read the history (0 when it has no message yet).</summary>
    public long Offset { get; } = offset;

    /// <summary>
    /// True: the client presented a position in the group and every message after it follows. False: it presented one
    /// the history no longer covers (another epoch, or trimmed), so messages were missed and the app should reload. Null:
    /// it presented none (a first join).
    /// </summary>
    public bool? Recovered { get; } = recovered;
}
