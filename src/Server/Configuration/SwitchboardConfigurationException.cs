namespace Switchboard.Server.Configuration;

/// <summary>
/// A configuration section could not be read into options: a key holds a value that is not of the expected form or
/// is out of the option's range, or a key under the section names no option. The message names the full key (for
/// example <c>Switchboard:KeepAliveInterval</c>), the value and what was expected.
/// </summary>
public sealed class SwitchboardConfigurationException : Exception
{
    /// <summary>Creates the exception for <paramref name="key"/>.</summary>
    /// <param name="key">The full configuration key at fault, sections joined with <c>:</c>.</param>
    /// <param name="message">What is wrong, naming the key.</param>
    /// <param name="innerException">The option's own validation error, if it was the one that refused the value.</param>
    public SwitchboardConfigurationException(string key, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Key = key;
    }

    /// <summary>The full configuration key at fault, sections joined with <c>:</c> (<c>Switchboard:Frames:MaxMessageSize</c>).</summary>
    public string Key { get; }
}
