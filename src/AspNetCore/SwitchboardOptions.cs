using Switchboard.Connections;
using Switchboard.Protocol.Compression;
using Switchboard.Protocol.Framing;
using Switchboard.Server;

namespace Switchboard.AspNetCore;

/// <summary>
/// The protocol limits and timeouts of the Switchboard endpoints an ASP.NET Core app maps with <c>MapSwitchboard</c>:
/// the options of <see cref="WebSocketServerOptions"/> that apply under Kestrel, with the same names and defaults.
/// Sockets, TLS, hosts, forwarded headers and connection caps are Kestrel's and the app's middleware's. Set them with
/// <c>services.AddSwitchboard(o => ...)</c>; they are read once, when the host is first resolved.
/// </summary>
public sealed class SwitchboardOptions
{
    /// <summary>Caps on frames and messages; a peer over them is closed with 1009 before its payload is buffered.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public FrameReaderOptions Frames
    {
        get;
        set => field = value ?? throw new ArgumentNullException(nameof(value));
    } = new();

    /// <summary>
    /// Time the peer has to answer our close frame before the connection is dropped. Default 5 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan CloseTimeout
    {
        get;
        set => field = OptionGuard.Positive(value);
    } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A connection that has been silent this long gets a ping. Default 30 seconds; <see cref="TimeSpan.Zero"/> turns
    /// keepalive pings off.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan KeepAliveInterval
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A peer that sends nothing at all (not even the pong) this long after our ping is considered dead and its
    /// connection is dropped. Default 30 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan KeepAliveTimeout
    {
        get;
        set => field = OptionGuard.Positive(value);
    } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Bytes a connection may have waiting to go out before it counts as a slow consumer and is closed with 1013, as
    /// <see cref="WebSocketServerOptions.SendQueueLimit"/> says. Default 1 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 2.</exception>
    public long SendQueueLimit
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 2);
            field = value;
        }
    } = SocketTransport.DefaultSendQueueLimit;

    /// <summary>
    /// When the app stops, how long connections get to finish the close handshake after they were sent 1001 before
    /// they are dropped. Default 5 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan ShutdownTimeout
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            field = value;
        }
    } = TimeSpan.FromSeconds(5);

    /// <summary>Subprotocols the endpoints speak, in no particular order; the first one the client offers wins.</summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public IReadOnlyList<string> Subprotocols
    {
        get;
        set => field = value ?? throw new ArgumentNullException(nameof(value));
    } = [];

    /// <summary>
    /// permessage-deflate (RFC 7692), as <see cref="WebSocketServerOptions.Deflate"/> says. Default
    /// <see cref="DeflateOptions.Default"/>: on, without context takeover either way; <see cref="DeflateOptions.Disabled"/>
    /// declines every offer.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public DeflateOptions Deflate
    {
        get;
        set => field = value ?? throw new ArgumentNullException(nameof(value));
    } = DeflateOptions.Default;

    /// <summary>
    /// The long-polling transport of typed endpoints: whether <c>MapSwitchboard</c> maps it (<see cref="LongPollingOptions.Enabled"/>,
    /// default true), hold time, session expiry, queue bounds.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public LongPollingOptions LongPolling
    {
        get;
        set => field = value ?? throw new ArgumentNullException(nameof(value));
    } = new();
}
