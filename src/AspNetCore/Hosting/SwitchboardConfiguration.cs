using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Switchboard.Server.Configuration;

namespace Switchboard.AspNetCore.Hosting;

/// <summary>
/// Applies the app's <c>Switchboard</c> configuration section to <see cref="SwitchboardOptions"/>, after the code's
/// <c>configure</c>: a deployment's appsettings or environment (<c>Switchboard__KeepAliveInterval</c>) has the last
/// word. The keys and formats are the standalone server's (docs/hosting.md), read by the same reader, so an invalid
/// value or an unknown key fails the app's start with a <see cref="SwitchboardConfigurationException"/> naming the key.
/// </summary>
internal sealed class SwitchboardConfiguration(IConfiguration? configuration) : IPostConfigureOptions<SwitchboardOptions>
{
    /// <summary>The section the options are read from.</summary>
    public const string SectionName = "Switchboard";

    /// <summary>The sub-section of another package, left to it.</summary>
    private const string RedisSectionKey = "Redis";

    public void PostConfigure(string? name, SwitchboardOptions options)
    {
        if (configuration is null) return;
        var section = configuration.GetSection(SectionName);
        if (!section.Exists()) return;
        var s = new OptionsSection(section);
        var d = options;
        s.Build(() =>
        {
            d.Frames = ServerOptionsReader.ReadFrames(s.Section(nameof(d.Frames)), d.Frames);
            d.CloseTimeout = s.TimeSpan(nameof(d.CloseTimeout), d.CloseTimeout);
            d.KeepAliveInterval = s.TimeSpan(nameof(d.KeepAliveInterval), d.KeepAliveInterval);
            d.KeepAliveTimeout = s.TimeSpan(nameof(d.KeepAliveTimeout), d.KeepAliveTimeout);
            d.SendQueueLimit = s.Int64(nameof(d.SendQueueLimit), d.SendQueueLimit);
            d.ShutdownTimeout = s.TimeSpan(nameof(d.ShutdownTimeout), d.ShutdownTimeout);
            d.Subprotocols = s.Strings(nameof(d.Subprotocols), d.Subprotocols);
            d.Deflate = ServerOptionsReader.ReadDeflate(s.Section(nameof(d.Deflate)), d.Deflate);
            d.LongPolling = ServerOptionsReader.ReadLongPolling(s.Section(nameof(d.LongPolling)), d.LongPolling);
            // Switchboard:Redis belongs to Switchboard.Redis (AddSwitchboardRedis reads and checks it), not to these options.
            s.Section(RedisSectionKey);
            return d;
        });
    }
}
