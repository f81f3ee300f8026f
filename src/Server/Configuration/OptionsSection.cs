using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace Switchboard.Server.Configuration;

/// <summary>
/// Reads the values of one options object from one configuration section, by key, without reflection: each read
/// parses its key's text or returns the fallback when the key is unset, and remembers the key, so that
/// <see cref="Build{T}"/> can refuse the keys nobody read (typos) and name the key whose value an option's setter refused.
/// </summary>
/// <remarks>
/// Meant for an object initializer run inside <see cref="Build{T}"/>: C# evaluates each member's value and then calls
/// its setter before it moves to the next member, so when a setter throws, the key read last is the key of that setter.
/// </remarks>
internal sealed class OptionsSection
{
    private readonly IConfiguration _configuration;
    private readonly List<string> _known = [];
    private string? _lastKey;
    private string? _lastText;

    /// <summary>Reads <paramref name="configuration"/>; keys in errors start with its path.</summary>
    public OptionsSection(IConfiguration configuration)
    {
        _configuration = configuration;
        Path = (configuration as IConfigurationSection)?.Path ?? "";
    }

    /// <summary>The section's full path, sections joined with <c>:</c>; empty for a configuration root.</summary>
    public string Path { get; }

    /// <summary>Whether the section has a value or any key under it.</summary>
    public bool Exists => _configuration is IConfigurationSection section ? section.Exists() : _configuration.GetChildren().Any();

    /// <summary>The full key of <paramref name="key"/> under this section.</summary>
    public string PathOf(string key) => Path.Length == 0 ? key : ConfigurationPath.Combine(Path, key);

    public TimeSpan TimeSpan(string key, TimeSpan fallback)
        => Scalar(key, fallback, ConfigurationValues.TryParseTimeSpan, ConfigurationValues.TimeSpanForm);

    public int Int32(string key, int fallback)
        => Scalar(key, fallback, ConfigurationValues.TryParseInt32, ConfigurationValues.Int32Form);

    public long Int64(string key, long fallback)
        => Scalar(key, fallback, ConfigurationValues.TryParseInt64, ConfigurationValues.Int64Form);

    public bool Boolean(string key, bool fallback)
        => Scalar(key, fallback, ConfigurationValues.TryParseBoolean, ConfigurationValues.BooleanForm);

    public IPEndPoint EndPoint(string key, IPEndPoint fallback)
        => Scalar(key, fallback, ConfigurationValues.TryParseEndPoint, ConfigurationValues.EndPointForm);

    public TEnum Flags<TEnum>(string key, TEnum fallback) where TEnum : struct, Enum
        => Scalar(key, fallback, ConfigurationValues.TryParseFlags, ConfigurationValues.FlagsForm<TEnum>());

    public IReadOnlyList<string> Strings(string key, IReadOnlyList<string> fallback)
        => List(key, fallback, ConfigurationValues.TryParseString, ConfigurationValues.StringForm)!;

    /// <summary>A list whose fallback is null (the option's "not set").</summary>
    public IReadOnlyList<string>? OptionalStrings(string key, IReadOnlyList<string>? fallback)
        => List(key, fallback, ConfigurationValues.TryParseString, ConfigurationValues.StringForm);

    public IReadOnlyList<IPAddress> Addresses(string key, IReadOnlyList<IPAddress> fallback)
        => List(key, fallback, ConfigurationValues.TryParseAddress, ConfigurationValues.AddressForm)!;

    public IReadOnlyList<IPNetwork> Networks(string key, IReadOnlyList<IPNetwork> fallback)
        => List(key, fallback, ConfigurationValues.TryParseNetwork, ConfigurationValues.NetworkForm)!;

    /// <summary>The section of a nested options object, to read with its own <see cref="Build{T}"/>.</summary>
    public OptionsSection Section(string key)
    {
        Known(key, null);
        return new OptionsSection(_configuration.GetSection(key));
    }

    /// <summary>
    /// Marks <paramref name="key"/> as an option that configuration cannot set (a certificate, a callback), so that a
    /// value for it is refused with <paramref name="instead"/> rather than as an unknown key.
    /// </summary>
    public void CodeOnly(string key, string instead)
    {
        Known(key, null);
        if (_configuration.GetSection(key).Exists()) throw new SwitchboardConfigurationException(PathOf(key), $"{PathOf(key)} cannot be set from configuration: {instead}");
    }

    /// <summary>
    /// Runs <paramref name="create"/>, an object initializer that reads this section, then refuses any key under the
    /// section that it did not read. An <see cref="ArgumentException"/> from an option's setter becomes a
    /// <see cref="SwitchboardConfigurationException"/> naming the key read last, its value and the setter's message.
    /// </summary>
    public T Build<T>(Func<T> create)
    {
        if (_configuration is IConfigurationSection { Value.Length: > 0 } self)
        {
            throw new SwitchboardConfigurationException(Path, $"{Path} = '{self.Value}' is invalid: expected a section, its options as keys under it ({Path}:NAME)");
        }
        T value;
        try
        {
            value = create();
        }
        catch (ArgumentException e) when (_lastKey is not null)
        {
            var shown = _lastText is null ? "" : $" = '{_lastText}'";
            var verdict = e is ArgumentOutOfRangeException ? "is out of range" : "is refused";
            throw new SwitchboardConfigurationException(PathOf(_lastKey), $"{PathOf(_lastKey)}{shown} {verdict}: {e.Message}", e);
        }
        foreach (var child in _configuration.GetChildren())
        {
            if (!_known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw new SwitchboardConfigurationException(PathOf(child.Key), $"{PathOf(child.Key)} is not an option (keys are case-insensitive; the options here are {string.Join(", ", _known)})");
            }
        }
        return value;
    }

    private T Scalar<T>(string key, T fallback, ConfigurationValues.Parser<T> parse, string form)
    {
        var section = _configuration.GetSection(key);
        var text = section.Value;
        Known(key, text);
        if (section.GetChildren().Any()) throw new SwitchboardConfigurationException(PathOf(key), $"{PathOf(key)} has keys under it: expected a single value, {form}");
        if (text is null) return fallback;
        if (!parse(text.Trim(), out var value)) throw Invalid(PathOf(key), text, form);
        return value;
    }

    /// <summary>A list is written with indexes as keys (<c>Subprotocols:0</c>, <c>Subprotocols:1</c>: JSON arrays read so); an empty value is an empty list.</summary>
    private IReadOnlyList<T>? List<T>(string key, IReadOnlyList<T>? fallback, ConfigurationValues.Parser<T> parse, string form)
    {
        var section = _configuration.GetSection(key);
        Known(key, section.Value);
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return section.Value switch
            {
                null => fallback,
                "" => [],
                var text => throw Invalid(PathOf(key), text, $"a list: {key}:0, {key}:1, ... each {form}"),
            };
        }
        var items = new SortedList<int, T>();
        foreach (var child in children)
        {
            var path = PathOf(ConfigurationPath.Combine(key, child.Key));
            if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                throw new SwitchboardConfigurationException(path, $"{path} is not a list entry: expected {key}:0, {key}:1, ... each {form}");
            }
            if (child.Value is not { } text || child.GetChildren().Any()) throw new SwitchboardConfigurationException(path, $"{path} is not a single value: expected {form}");
            if (!parse(text.Trim(), out var item)) throw Invalid(path, text, form);
            items[index] = item;
        }
        return [.. items.Values];
    }

    private void Known(string key, string? text)
    {
        _known.Add(key);
        _lastKey = key;
        _lastText = text;
    }

    private static SwitchboardConfigurationException Invalid(string path, string text, string form)
        => new(path, $"{path} = '{text}' is invalid: expected {form}");
}
