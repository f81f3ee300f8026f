using Switchboard.Connections;

namespace Switchboard.Server.Messaging;

/// <summary>
/// The live messages of one group held for a connection while it joins the group: they arrive while the join reads
/// the history and go out after the replay, in order, the ones the replay already carried dropped.
/// </summary>
internal sealed class JoinHold
{
    private readonly Lock _lock = new();
    private List<Held>? _held;
    private bool _released;

    /// <summary>Keeps <paramref name="frame"/> for the joiner; false once the hold is released (send it now instead).</summary>
    public bool TryKeep(long offset, string type, EncodedMessage frame)
    {
        lock (_lock)
        {
            if (_released) return false;
            (_held ??= []).Add(new Held(offset, type, frame));
            return true;
        }
    }

    /// <summary>What was kept since the last call, oldest first; null when nothing was, and the hold is released then.</summary>
    public List<Held>? TakeOrRelease()
    {
        lock (_lock)
        {
            if (_held is { Count: > 0 } held)
            {
                _held = null;
                return held;
            }
            _released = true;
            return null;
        }
    }

    /// <summary>One kept message: its offset, its type and its frame (unpooled, with its position).</summary>
    public readonly record struct Held(long Offset, string Type, EncodedMessage Frame);
}
