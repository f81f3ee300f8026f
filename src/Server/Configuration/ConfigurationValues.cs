using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Server.Configuration;

/// <summary>
/// The text forms option values take in configuration, each a parser and the description an error gives of it.
/// Parsers are strict where the runtime's are lenient in ways that hide mistakes: a time span needs its colons
/// (<c>30</c> would otherwise be thirty days) and an IPv4 address its four parts (<c>127.1</c> would be accepted).
/// </summary>
internal static class ConfigurationValues
{
    /// <summary>Parses configuration text into a value; false when the text is not of the expected form.</summary>
    public delegate bool Parser<T>(string text, out T value);

    public const string TimeSpanForm = "a time span [d.]hh:mm:ss[.fffffff], such as 00:00:30";
    public const string Int32Form = "a whole number";
    public const string Int64Form = "a whole number";
    public const string BooleanForm = "true or false";
    public const string StringForm = "a non-empty string";
    public const string EndPointForm = "ADDRESS:PORT, such as 127.0.0.1:8080, [::1]:8080, *:8080 (every IPv4 address), [::]:8080 or localhost:8080";
    public const string AddressForm = "an IP address, such as 10.0.0.1 or fd00::1";
    public const string NetworkForm = "a network in CIDR notation with no host bits set, such as 10.0.0.0/8 or fd00::/8";

    public static bool TryParseTimeSpan(string text, out TimeSpan value)
    {
        // No option takes a negative span; zero is meaningful for some (KeepAliveInterval) and refused by others' setters.
        if (text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero) return true;
        value = default;
        return false;
    }

    public static bool TryParseInt32(string text, out int value)
        => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    public static bool TryParseInt64(string text, out long value)
        => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    public static bool TryParseBoolean(string text, out bool value) => bool.TryParse(text, out value);

    public static bool TryParseString(string text, out string value)
    {
        value = text;
        return text.Length > 0;
    }

    /// <summary><c>ADDRESS:PORT</c> with the port required, IPv6 in brackets, <c>*</c> for every IPv4 address, <c>localhost</c> for 127.0.0.1.</summary>
    public static bool TryParseEndPoint(string text, out IPEndPoint value)
    {
        value = null!;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort) return false;
        var host = text[..colon];
        IPAddress? address = null;
        if (host == "*") address = IPAddress.Any;
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) address = IPAddress.Loopback;
        else if (host.Length > 2 && host[0] == '[' && host[^1] == ']') address = ParseIPv6(host[1..^1]);
        else if (!host.Contains(':', StringComparison.Ordinal)) address = ParseIPv4(host);
        if (address is null) return false;
        value = new IPEndPoint(address, port);
        return true;
    }

    /// <summary>An IPv4 address in its four-part dotted form, or an IPv6 address without brackets.</summary>
    public static bool TryParseAddress(string text, out IPAddress value)
    {
        value = (text.Contains(':', StringComparison.Ordinal) ? ParseIPv6(text) : ParseIPv4(text))!;
        return value is not null;
    }

    /// <summary>CIDR notation; host bits set past the prefix are refused, as on net8.0 (later runtimes accept them).</summary>
    public static bool TryParseNetwork(string text, out IPNetwork value)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPNetwork.TryParse(text, out value))
        {
            value = default;
            return false;
        }
        // A runtime that masks the host bits away instead would hide the mistake: the address must come back as written.
        if (!TryParseAddress(text[..slash], out var written) || !written.Equals(value.BaseAddress)) return false;
        var bytes = value.BaseAddress.GetAddressBytes();
        for (var bit = value.PrefixLength; bit < bytes.Length * 8; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0) return false;
        }
        return true;
    }

    /// <summary>The description of a flags enum's form: its names, combined with commas.</summary>
    public static string FlagsForm<TEnum>() where TEnum : struct, Enum
        => $"one or more of {string.Join(", ", Enum.GetNames<TEnum>())}, separated by commas";

    /// <summary>Names of <typeparamref name="TEnum"/> separated by commas; numbers are refused, since they hide what is enabled.</summary>
    public static bool TryParseFlags<TEnum>(string text, out TEnum value) where TEnum : struct, Enum
    {
        value = default;
        var names = Enum.GetNames<TEnum>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!names.Contains(part, StringComparer.OrdinalIgnoreCase)) return false;
        }
        return Enum.TryParse(text, ignoreCase: true, out value);
    }

    private static IPAddress? ParseIPv4(string text)
    {
        var parts = text.Split('.');
        if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit))) return null;
        return IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork ? address : null;
    }

    private static IPAddress? ParseIPv6(string text)
        => IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 ? address : null;
}
