using System.Globalization;
using System.Text;
using Switchboard.Messaging;

namespace Switchboard.Client;

/// <summary>
/// The client's position per group (docs/protocol.md, "History and recovery", the client rule) and the <c>recover</c>
/// query parameters that present them on a reconnect. Thread-safe.
/// </summary>
internal sealed class PositionBook
{
    /// <summary>The most <c>recover</c> parameters a server takes in one connect request.</summary>
    internal const int MaxPresented = 32;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, StreamPosition> _positions = new(StringComparer.Ordinal);

    /// <summary>Starts with the positions <paramref name="options"/> seeds, checked as the server would check them.</summary>
    /// <exception cref="ArgumentException">A seeded epoch or offset is one the server refuses, naming the group.</exception>
    public PositionBook(SwitchboardClientOptions options)
    {
        if (options.Positions is not { } seed) return;
        foreach (var (group, position) in seed)
        {
            ArgumentNullException.ThrowIfNull(group, "options.Positions key");
            if (!IsValidEpoch(position.Epoch))
                throw new ArgumentException($"options.Positions[\"{group}\"]: the epoch must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'", nameof(options));
            if (position.Offset < 0)
                throw new ArgumentException($"options.Positions[\"{group}\"]: the offset must not be negative", nameof(options));
            _positions[group] = position;
        }
    }

    /// <summary>A copy of the positions held.</summary>
    public IReadOnlyDictionary<string, StreamPosition> Snapshot()
    {
        lock (_lock) return new Dictionary<string, StreamPosition>(_positions, StringComparer.Ordinal);
    }

    /// <summary>A notice: the epoch is the group's; the offset too, unless everything after the presented one follows.</summary>
    public void Joined(string group, string epoch, long offset, bool? recovered)
    {
        lock (_lock)
        {
            _positions[group] = recovered == true && _positions.TryGetValue(group, out var held)
                ? new StreamPosition(epoch, held.Offset)
                : new StreamPosition(epoch, offset);
        }
    }

    /// <summary>A message of <paramref name="group"/>'s history was delivered; a group with no epoch known yet is skipped.</summary>
    public void Delivered(string group, long offset)
    {
        lock (_lock)
        {
            if (_positions.TryGetValue(group, out var held)) _positions[group] = held with { Offset = offset };
        }
    }

    /// <summary>
    /// <c>recover=EPOCH:OFFSET:GROUP</c> for every position held, the group percent-encoded, joined by <c>&amp;</c>; null
    /// when none is held. Past <see cref="MaxPresented"/>, the rest are left out (<paramref name="leftOut"/>), since the
    /// server refuses a request with more.
    /// </summary>
    public string? RecoverQuery(out int leftOut)
    {
        leftOut = 0;
        lock (_lock)
        {
            if (_positions.Count == 0) return null;
            var query = new StringBuilder();
            var presented = 0;
            foreach (var (group, position) in _positions)
            {
                if (presented == MaxPresented)
                {
                    leftOut++;
                    continue;
                }
                if (presented++ > 0) query.Append('&');
                query.Append("recover=").Append(position.Epoch).Append(':')
                    .Append(position.Offset.ToString(CultureInfo.InvariantCulture)).Append(':')
                    .Append(Uri.EscapeDataString(group));
            }
            return query.ToString();
        }
    }

    /// <summary>Epochs are 1-64 characters of <c>[A-Za-z0-9_-]</c>: anything else the server refuses.</summary>
    public static bool IsValidEpoch(string? epoch)
    {
        if (epoch is not { Length: >= 1 and <= 64 }) return false;
        foreach (var c in epoch)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-')) return false;
        }
        return true;
    }
}
