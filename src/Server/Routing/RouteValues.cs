using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Switchboard.Server.Routing;

/// <summary>
/// The values one match of a <see cref="RouteTemplate"/> captured, by parameter name in template order. A WebSocket
/// connection keeps its values for as long as it is open, so they are two arrays, the names shared by every match of
/// the template, instead of a hash table per connection; a template has a handful of parameters at most, and a
/// lookup compares them in order. Immutable and thread-safe.
/// </summary>
internal sealed class RouteValues : IReadOnlyDictionary<string, string>
{
    private readonly string[] _names;
    private readonly string[] _values;

    /// <param name="names">The template's parameter names, in order; shared, never changed.</param>
    /// <param name="values">The captured values, one per name.</param>
    public RouteValues(string[] names, string[] values)
    {
        _names = names;
        _values = values;
    }

    /// <summary>No values: what a template without parameters, or no match, yields.</summary>
    public static RouteValues Empty { get; } = new([], []);

    public int Count => _names.Length;

    public IEnumerable<string> Keys => _names;

    public IEnumerable<string> Values => _values;

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no route value '{key}'");

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var index = IndexOf(key);
        value = index < 0 ? null : _values[index];
        return index >= 0;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var i = 0; i < _names.Length; i++) yield return new(_names[i], _values[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Array.IndexOf(_names, key); // ordinal: string equality
    }
}
