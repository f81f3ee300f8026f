using Microsoft.Extensions.Configuration;
using Switchboard.Protocol.Compression;
using Switchboard.Protocol.Framing;
using Switchboard.Protocol.Http;

namespace Switchboard.Server.Configuration;

/// <summary>
/// Reads <see cref="WebSocketServerOptions"/> from a configuration section, each option under its property name, a
/// nested options object as a sub-section (<c>Frames:MaxMessageSize</c>). The readers of the nested objects are
/// shared with the ASP.NET Core package, whose options name them alike.
/// </summary>
internal static class ServerOptionsReader
{
    /// <summary>The options in <paramref name="configuration"/>; an unset key keeps its value in <paramref name="defaults"/>.</summary>
    /// <exception cref="SwitchboardConfigurationException">A value is invalid or out of range, or a key names no option.</exception>
    public static WebSocketServerOptions Read(IConfiguration configuration, WebSocketServerOptions defaults)
    {
        var s = new OptionsSection(configuration);
        var d = defaults;
        return s.Build(() =>
        {
            s.CodeOnly(nameof(WebSocketServerOptions.Tls), "set WebSocketServerOptions.Tls in code (docs/hosting.md)");
            return new WebSocketServerOptions
            {
                EndPoint = s.EndPoint(nameof(d.EndPoint), d.EndPoint),
                RequestHead = ReadRequestHead(s.Section(nameof(d.RequestHead)), d.RequestHead),
                Frames = ReadFrames(s.Section(nameof(d.Frames)), d.Frames),
                Subprotocols = s.Strings(nameof(d.Subprotocols), d.Subprotocols),
                Deflate = ReadDeflate(s.Section(nameof(d.Deflate)), d.Deflate),
                HandshakeTimeout = s.TimeSpan(nameof(d.HandshakeTimeout), d.HandshakeTimeout),
                HttpSendTimeout = s.TimeSpan(nameof(d.HttpSendTimeout), d.HttpSendTimeout),
                HttpIdleTimeout = s.TimeSpan(nameof(d.HttpIdleTimeout), d.HttpIdleTimeout),
                MaxRequestBodySize = s.Int64(nameof(d.MaxRequestBodySize), d.MaxRequestBodySize),
                RequestBodyTimeout = s.TimeSpan(nameof(d.RequestBodyTimeout), d.RequestBodyTimeout),
                SendQueueLimit = s.Int64(nameof(d.SendQueueLimit), d.SendQueueLimit),
                Tls = d.Tls,
                MaxConnections = s.Int32(nameof(d.MaxConnections), d.MaxConnections),
                MaxConnectionsPerAddress = s.Int32(nameof(d.MaxConnectionsPerAddress), d.MaxConnectionsPerAddress),
                AllowedHosts = s.OptionalStrings(nameof(d.AllowedHosts), d.AllowedHosts),
                ForwardedHeaders = ReadForwardedHeaders(s.Section(nameof(d.ForwardedHeaders)), d.ForwardedHeaders),
                ConnectionLimitRetryAfter = s.TimeSpan(nameof(d.ConnectionLimitRetryAfter), d.ConnectionLimitRetryAfter),
                IoThreads = s.Int32(nameof(d.IoThreads), d.IoThreads),
                UnsafePreferInlineScheduling = s.Boolean(nameof(d.UnsafePreferInlineScheduling), d.UnsafePreferInlineScheduling),
                LongPolling = ReadLongPolling(s.Section(nameof(d.LongPolling)), d.LongPolling),
                CloseTimeout = s.TimeSpan(nameof(d.CloseTimeout), d.CloseTimeout),
                KeepAliveInterval = s.TimeSpan(nameof(d.KeepAliveInterval), d.KeepAliveInterval),
                KeepAliveTimeout = s.TimeSpan(nameof(d.KeepAliveTimeout), d.KeepAliveTimeout),
                ShutdownTimeout = s.TimeSpan(nameof(d.ShutdownTimeout), d.ShutdownTimeout),
            };
        });
    }

    /// <summary>The <c>Frames</c> section; <paramref name="defaults"/> itself when the section is absent.</summary>
    public static FrameReaderOptions ReadFrames(OptionsSection s, FrameReaderOptions defaults)
    {
        if (!s.Exists) return defaults;
        var d = defaults;
        return s.Build(() => new FrameReaderOptions
        {
            MaxFrameSize = s.Int64(nameof(d.MaxFrameSize), d.MaxFrameSize),
            MaxMessageSize = s.Int64(nameof(d.MaxMessageSize), d.MaxMessageSize),
            MaxFragments = s.Int32(nameof(d.MaxFragments), d.MaxFragments),
        });
    }

    /// <summary>
    /// The <c>Deflate</c> section (permessage-deflate); <paramref name="defaults"/> itself when the section is absent.
    /// <c>Level</c> is set in code.
    /// </summary>
    public static DeflateOptions ReadDeflate(OptionsSection s, DeflateOptions defaults)
    {
        if (!s.Exists) return defaults;
        var d = defaults;
        return s.Build(() =>
        {
            s.CodeOnly(nameof(d.Level), "set WebSocketServerOptions.Deflate.Level in code");
            return new DeflateOptions
            {
                Enabled = s.Boolean(nameof(d.Enabled), d.Enabled),
                ServerNoContextTakeover = s.Boolean(nameof(d.ServerNoContextTakeover), d.ServerNoContextTakeover),
                ClientNoContextTakeover = s.Boolean(nameof(d.ClientNoContextTakeover), d.ClientNoContextTakeover),
                ClientMaxWindowBits = s.Int32(nameof(d.ClientMaxWindowBits), d.ClientMaxWindowBits),
                ServerMaxWindowBits = s.Int32(nameof(d.ServerMaxWindowBits), d.ServerMaxWindowBits),
                MinimumSize = s.Int32(nameof(d.MinimumSize), d.MinimumSize),
                Level = d.Level,
            };
        });
    }

    /// <summary>The <c>LongPolling</c> section; <paramref name="defaults"/> itself when the section is absent.</summary>
    public static LongPollingOptions ReadLongPolling(OptionsSection s, LongPollingOptions defaults)
    {
        if (!s.Exists) return defaults;
        var d = defaults;
        return s.Build(() => new LongPollingOptions
        {
            Enabled = s.Boolean(nameof(d.Enabled), d.Enabled),
            HoldTime = s.TimeSpan(nameof(d.HoldTime), d.HoldTime),
            IdleTimeout = s.TimeSpan(nameof(d.IdleTimeout), d.IdleTimeout),
            MaxQueuedBytes = s.Int64(nameof(d.MaxQueuedBytes), d.MaxQueuedBytes),
            MaxSessions = s.Int32(nameof(d.MaxSessions), d.MaxSessions),
            MaxSessionsPerAddress = s.Int32(nameof(d.MaxSessionsPerAddress), d.MaxSessionsPerAddress),
            MaxQueuedBytesTotal = s.Int64(nameof(d.MaxQueuedBytesTotal), d.MaxQueuedBytesTotal),
            MaxEnvelopesPerSend = s.Int32(nameof(d.MaxEnvelopesPerSend), d.MaxEnvelopesPerSend),
        });
    }

    /// <summary>The <c>RequestHead</c> section; <paramref name="defaults"/> itself when the section is absent.</summary>
    public static HttpHeadLimits ReadRequestHead(OptionsSection s, HttpHeadLimits defaults)
    {
        if (!s.Exists) return defaults;
        var d = defaults;
        return s.Build(() => new HttpHeadLimits
        {
            MaxHeaderBytes = s.Int32(nameof(d.MaxHeaderBytes), d.MaxHeaderBytes),
            MaxHeaderCount = s.Int32(nameof(d.MaxHeaderCount), d.MaxHeaderCount),
        });
    }

    /// <summary>
    /// The <c>ForwardedHeaders</c> section: any key under it turns trusting proxies on, over <paramref name="defaults"/>
    /// or the <see cref="TrustedProxyOptions"/> defaults; <paramref name="defaults"/> itself when the section is absent.
    /// </summary>
    public static TrustedProxyOptions? ReadForwardedHeaders(OptionsSection s, TrustedProxyOptions? defaults)
    {
        if (!s.Exists) return defaults;
        var d = defaults ?? new TrustedProxyOptions();
        return s.Build(() => new TrustedProxyOptions
        {
            Headers = s.Flags(nameof(d.Headers), d.Headers),
            KnownProxies = s.Addresses(nameof(d.KnownProxies), d.KnownProxies),
            KnownNetworks = s.Networks(nameof(d.KnownNetworks), d.KnownNetworks),
        });
    }
}
