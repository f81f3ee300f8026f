using System.Globalization;
using Microsoft.Extensions.Configuration;
using Switchboard.Server.Configuration;

namespace Switchboard.Redis.Configuration;

/// <summary>
/// Reads <see cref="RedisEngineOptions"/> from a configuration section by key, without reflection: each key is read
/// and remembered, a key nobody read is refused, and a value an option's setter refuses is reported under its full key.
/// </summary>
internal static class RedisOptionsReader
{
    private const string TimeSpanForm = "a time span [d.]hh:mm:ss[.fffffff], such as 00:00:10";
    private const string StringForm = "a non-empty string";
    private static readonly string[] Keys = ["Configuration", "KeyPrefix", "LeaseTime", "OperationTimeout"];

    public static RedisEngineOptions Read(IConfiguration configuration)
    {
        var path = (configuration as IConfigurationSection)?.Path ?? "";
        if (configuration is IConfigurationSection { Value.Length: > 0 } self)
        {
            throw new SwitchboardConfigurationException(path, $"{path} = '{self.Value}' is invalid: expected a section, its options as keys under it ({path}:NAME)");
        }
        foreach (var child in configuration.GetChildren())
        {
            if (!Keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw new SwitchboardConfigurationException(PathOf(path, child.Key), $"{PathOf(path, child.Key)} is not an option (keys are case-insensitive; the options here are {string.Join(", ", Keys)})");
            }
        }
        var options = new RedisEngineOptions();
        if (Text(configuration, path, "Configuration") is { } connection) Set(path, "Configuration", connection, () => options.Configuration = connection);
        if (Text(configuration, path, "KeyPrefix") is { } prefix) Set(path, "KeyPrefix", prefix, () => options.KeyPrefix = prefix);
        if (Text(configuration, path, "LeaseTime") is { } lease)
        {
            var value = Span(path, "LeaseTime", lease);
            Set(path, "LeaseTime", lease, () => options.LeaseTime = value);
        }
        if (Text(configuration, path, "OperationTimeout") is { } timeout)
        {
            var value = Span(path, "OperationTimeout", timeout);
            Set(path, "OperationTimeout", timeout, () => options.OperationTimeout = value);
        }
        return options;
    }

    private static string PathOf(string path, string key) => path.Length == 0 ? key : ConfigurationPath.Combine(path, key);

    private static string? Text(IConfiguration configuration, string path, string key)
    {
        var section = configuration.GetSection(key);
        if (section.GetChildren().Any()) throw new SwitchboardConfigurationException(PathOf(path, key), $"{PathOf(path, key)} has keys under it: expected a single value");
        if (section.Value is null) return null;
        if (section.Value.Trim().Length == 0) throw new SwitchboardConfigurationException(PathOf(path, key), $"{PathOf(path, key)} is empty: expected {(key.EndsWith("Time", StringComparison.Ordinal) || key.EndsWith("Timeout", StringComparison.Ordinal) ? TimeSpanForm : StringForm)}");
        return section.Value.Trim();
    }

    private static TimeSpan Span(string path, string key, string text)
    {
        // A span needs its colons: "10" would otherwise be ten days.
        if (text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero) return value;
        throw new SwitchboardConfigurationException(PathOf(path, key), $"{PathOf(path, key)} = '{text}' is invalid: expected {TimeSpanForm}");
    }

    private static void Set(string path, string key, string text, Action set)
    {
        try
        {
            set();
        }
        catch (ArgumentException e)
        {
            var verdict = e is ArgumentOutOfRangeException ? "is out of range" : "is refused";
            throw new SwitchboardConfigurationException(PathOf(path, key), $"{PathOf(path, key)} = '{text}' {verdict}: {e.Message}", e);
        }
    }
}
