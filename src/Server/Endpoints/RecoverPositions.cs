using System.Globalization;
using Switchboard.Messaging;

namespace Switchboard.Server.Endpoints;

/// <summary>
/// The positions a reconnecting client presents in its connect URL (docs/protocol.md, "History and recovery"): one
/// <c>recover=EPOCH:OFFSET:GROUP</c> query parameter per group, at most <see cref="MaxPositions"/>.
/// </summary>
internal static class RecoverPositions
{
    public const string Parameter = "recover";

    public const int MaxPositions = 32;

    private const int MaxEpochLength = 64;

    /// <summary>
    /// Reads every <c>recover</c> parameter of <paramref name="query"/> (with or without its leading <c>?</c>); null
    /// positions when there are none. False, with the reason to answer 400 with, for a malformed or excess one.
    /// </summary>
    public static bool TryParse(string query, out Dictionary<string, StreamPosition>? positions, out string? error)
    {
        positions = null;
        error = null;
        if (query.Length == 0 || !query.Contains(Parameter, StringComparison.Ordinal)) return true; // the usual connect costs a scan
        var span = query.AsSpan().TrimStart('?');
        foreach (var range in span.Split('&'))
        {
            var pair = span[range];
            var equals = pair.IndexOf('=');
            var key = equals < 0 ? pair : pair[..equals];
            if (!string.Equals(Decode(key), Parameter, StringComparison.Ordinal)) continue;
            positions ??= new(StringComparer.Ordinal);
            if (positions.Count == MaxPositions)
            {
                error = $"more than {MaxPositions} '{Parameter}' query parameters";
                positions = null;
                return false;
            }
            var value = equals < 0 ? "" : Decode(pair[(equals + 1)..]);
            if (!TryParseOne(value, out var group, out var position))
            {
                error = $"the '{Parameter}' query parameter must be EPOCH:OFFSET:GROUP (an epoch of 1-64 letters, digits, '_' or '-', a decimal offset, a group name)";
                positions = null;
                return false;
            }
            positions[group] = position;
        }
        return true;
    }

    private static bool TryParseOne(string value, out string group, out StreamPosition position)
    {
        group = "";
        position = default;
        var first = value.IndexOf(':', StringComparison.Ordinal);
        if (first is < 1 or > MaxEpochLength) return false;
        var second = value.IndexOf(':', first + 1);
        if (second < 0 || second == value.Length - 1) return false;
        var epoch = value.AsSpan(0, first);
        foreach (var c in epoch)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-')) return false;
        }
        if (!long.TryParse(value.AsSpan(first + 1, second - first - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var offset)) return false;
        group = value[(second + 1)..];
        position = new StreamPosition(epoch.ToString(), offset);
        return true;
    }

    private static string Decode(ReadOnlySpan<char> component)
    {
        try
        {
            return Uri.UnescapeDataString(component.ToString().Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return "";
        }
    }
}
