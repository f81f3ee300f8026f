using System.Net;
using System.Net.Security;
using Microsoft.Extensions.Configuration;
using Switchboard.Connections;
using Switchboard.Protocol.Compression;
using Switchboard.Protocol.Framing;
using Switchboard.Protocol.Http;
using Switchboard.Server.Configuration;
using Switchboard.Server.WebSockets;

namespace Switchboard.Server;

/// <summary>
/// Settings of a <see cref="WebSocketServer"/>, for its WebSocket endpoints and for the plain HTTP requests it
/// answers on the same port. Every limit has a safe default; docs/security.md lists each one with what happens
/// when a peer hits it.
/// </summary>
public sealed class WebSocketServerOptions
{
    /// <summary>The address to listen on. Default 127.0.0.1 with a port chosen by the operating system.</summary>
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>
    /// Caps on every request head the server reads, upgrade or plain HTTP: 8 KiB and 64 header fields by default
    /// (<see cref="HttpHeadLimits"/>). A head over them gets 431 and the connection is closed; the caps are applied to
    /// the bytes received so far, so a head that never ends is refused when it reaches them.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public HttpHeadLimits RequestHead
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    } = HttpHeadLimits.Default;

    /// <summary>Caps on frames and messages; a peer over them is closed with 1009 before its payload is buffered.</summary>
    public FrameReaderOptions Frames { get; init; } = new();

    /// <summary>
    /// What the server accepts of permessage-deflate (RFC 7692), which every browser offers. Default
    /// <see cref="DeflateOptions.Default"/>: on, without context takeover either way, so a connection holds zlib state
    /// only while it compresses or inflates a message; <see cref="DeflateOptions.Disabled"/> declines every offer.
    /// docs/protocol.md has the negotiation, docs/security.md the limits on what a compressed message may inflate to.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is null.</exception>
    public DeflateOptions Deflate
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    } = DeflateOptions.Default;

    /// <summary>Subprotocols the server speaks, in no particular order; the first one the client offers wins.</summary>
    public IReadOnlyList<string> Subprotocols { get; init; } = [];

    /// <summary>
    /// Time a client has to send its first complete request head (an upgrade request or a plain HTTP request) after
    /// connecting: a slowloris defence. Default 10 seconds; the socket is dropped without a response when it runs out.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a client may take to make room for more of a streamed response body (a file from
    /// <see cref="WebSocketServer.MapStaticFiles(string, string)"/>): the body goes out a send queue's worth at a time, and a client
    /// that has not taken half of it within this time is dropped. Default 30 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan HttpSendTimeout
    {
        get;
        init => field = OptionGuard.Positive(value);
    } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// On a persistent HTTP connection, time the client has after a response to send the complete head of its next
    /// request. Default 30 seconds; the connection is then closed without a response (RFC 9112 section 9.5).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan HttpIdleTimeout
    {
        get;
        init => field = OptionGuard.Positive(value);
    } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The largest body a plain HTTP request may declare with Content-Length. Default 1 MiB; a larger declaration is
    /// answered with 413 from the head alone, before any body byte is read, and the connection is closed. Zero refuses
    /// every body.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or larger than an array can hold.</exception>
    public long MaxRequestBodySize
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Array.MaxLength);
            field = value;
        }
    } = 1024 * 1024;

    /// <summary>
    /// Time a client has, once a request head has arrived, to send the whole body it declared. Default 10 seconds;
    /// the request is then answered with 408 and the connection is closed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan RequestBodyTimeout
    {
        get;
        init => field = OptionGuard.Positive(value);
    } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Bytes a connection may have waiting to go out before it counts as a slow consumer. Sends never wait for a peer
    /// that does not read: a frame to a connection whose send queue is full closes that connection with 1013 (Try
    /// Again Later, which the bundled clients retry after a delay) instead, so one stalled peer neither holds up a
    /// broadcast nor grows memory without bound; the server counts a <c>SendQueue</c> hit on
    /// <c>switchboard.server.limit.hits</c> when the connection has ended. One message may go past the limit. Default 1 MiB.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 2.</exception>
    public long SendQueueLimit
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 2);
            field = value;
        }
    } = SocketTransport.DefaultSendQueueLimit;

    /// <summary>
    /// When set, every connection on the port speaks TLS: WebSocket endpoints are served as <c>wss://</c> and HTTP routes,
    /// long polling and static files as <c>https://</c>. The options are passed to
    /// <see cref="SslStream.AuthenticateAsServerAsync(SslServerAuthenticationOptions, CancellationToken)"/> as they are
    /// (certificate or certificate selection, protocols, client certificates, ALPN), so share one instance only when
    /// nothing changes it after <see cref="WebSocketServer.Start"/>. Offer <c>http/1.1</c> in
    /// <see cref="SslServerAuthenticationOptions.ApplicationProtocols"/> or none: the server speaks nothing else.
    /// The TLS handshake counts against <see cref="HandshakeTimeout"/>; a peer that fails it or does not finish it in
    /// time is dropped without a response. Default null: plain TCP.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The options name no server certificate: none of <see cref="SslServerAuthenticationOptions.ServerCertificate"/>,
    /// <see cref="SslServerAuthenticationOptions.ServerCertificateContext"/> and
    /// <see cref="SslServerAuthenticationOptions.ServerCertificateSelectionCallback"/> is set.
    /// </exception>
    public SslServerAuthenticationOptions? Tls
    {
        get;
        init
        {
            if (value is { ServerCertificate: null, ServerCertificateContext: null, ServerCertificateSelectionCallback: null })
                throw new ArgumentException("TLS options need a server certificate, a certificate context or a selection callback", nameof(value));
            field = value;
        }
    }

    /// <summary>
    /// The most TCP connections the server holds at once, HTTP and WebSocket alike, counted from accept until the
    /// socket is closed. A connection accepted over the limit is answered <c>503 Service Unavailable</c> with
    /// <c>Retry-After</c> at once, without its request being read, and closed; with <see cref="Tls"/> set it is
    /// dropped instead, without a TLS handshake, since an answer would cost the handshake the limit is there to save.
    /// Long-polling sessions count only while one of their requests holds a connection. A keep-alive HTTP connection
    /// waiting between requests, with none in flight, does not keep a newcomer out: the oldest such connection is
    /// closed to make room for it (it goes over the limit only while that socket closes), so idle HTTP connections can
    /// never lock out WebSocket and long-polling users. Default 10000.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxConnections
    {
        get;
        init => field = OptionGuard.Positive(value);
    } = DefaultMaxConnections;

    /// <summary>The default of <see cref="MaxConnections"/>: 10000.</summary>
    public const int DefaultMaxConnections = 10_000;

    /// <summary>
    /// The most TCP connections one client address holds at once, counted as <see cref="MaxConnections"/> counts them,
    /// so that no single client can take every slot. An IPv4 address is one client; IPv6 addresses count per /64
    /// prefix, since one host or network is routinely given a whole /64. The connection over the cap is refused as one
    /// over <see cref="MaxConnections"/> is (<c>503</c> with <c>Retry-After</c>, dropped under <see cref="Tls"/>) unless an
    /// idle keep-alive HTTP connection from the same address can be closed to make room. Default 256: more than a
    /// browser opens to one server, well under <see cref="MaxConnections"/>. Every client behind a NAT gateway or a
    /// reverse proxy shares the gateway's or the proxy's address: raise it there (to <see cref="MaxConnections"/> to turn
    /// the cap off), as for load tests from one machine.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxConnectionsPerAddress
    {
        get;
        init => field = OptionGuard.Positive(value);
    } = DefaultMaxConnectionsPerAddress;

    /// <summary>The default of <see cref="MaxConnectionsPerAddress"/>: 256.</summary>
    public const int DefaultMaxConnectionsPerAddress = 256;

    /// <summary>
    /// The host names (and addresses) the server answers for: every request, WebSocket upgrade, long polling, HTTP
    /// route or static file, whose <c>Host</c> is not one of them is answered <c>421 Misdirected Request</c> and its
    /// connection closed, before any route or origin rule sees it (<c>400</c> when <c>Host</c> is missing, as HTTP/1.0
    /// allows, or is not a host). This is the defence against DNS rebinding: a page on another name that has come to
    /// resolve to this server would otherwise be served as the server's own origin. An entry is a name or address,
    /// IPv6 in brackets, compared case-insensitively: without a port it matches any port, with one (<c>chat.example:8443</c>)
    /// only that port; <c>*.example.com</c> matches every name under <c>example.com</c> (not <c>example.com</c> itself),
    /// and <c>*</c> any host at all. Default null: the names of the address in <see cref="EndPoint"/>: for a loopback
    /// address <c>localhost</c>, <c>127.0.0.1</c> and <c>[::1]</c> (and the address itself); for a wildcard address
    /// (<see cref="IPAddress.Any"/>, <see cref="IPAddress.IPv6Any"/>) <c>localhost</c> and any IP address, but no other
    /// name, so a server reached by a DNS name must list it; for any other address that address alone.
    /// </summary>
    /// <exception cref="ArgumentException">An entry is not a host name or address with an optional port, a <c>*.</c> pattern or <c>*</c>.</exception>
    public IReadOnlyList<string>? AllowedHosts
    {
        get;
        init
        {
            if (value is not null)
            {
                foreach (var host in value)
                {
                    if (!Admission.HostFilter.IsValidEntry(host)) throw new ArgumentException(Admission.HostFilter.EntryError(host), nameof(value));
                }
            }
            field = value;
        }
    }

    /// <summary>
    /// The reverse proxies whose forwarded header fields (<c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c>,
    /// <c>X-Forwarded-Host</c>, RFC 7239 <c>Forwarded</c>) the server believes about the client: its address, the scheme
    /// it used and the host it asked for, which the origin rule, the <see cref="AllowedHosts"/> check, the per-address
    /// long-polling caps and the log then use. Needed behind a proxy that terminates HTTPS, whose browsers send
    /// <c>Origin: https://…</c> over a plain connection (docs/deployment.md). Default null: every forwarded field is
    /// ignored, from every peer.
    /// </summary>
    public TrustedProxyOptions? ForwardedHeaders { get; init; }

    /// <summary>
    /// The <c>Retry-After</c> sent with the 503 that refuses a connection over <see cref="MaxConnections"/> or
    /// <see cref="MaxConnectionsPerAddress"/>, in whole seconds. Default 5 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is under one second.</exception>
    public TimeSpan ConnectionLimitRetryAfter
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromSeconds(1));
            field = value;
        }
    } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Threads that wait for bytes on plain (non-TLS) connections, on Linux (where the server waits with epoll):
    /// each connection is served by one of them, which takes what arrives for it as soon as it arrives. What it read
    /// is then handled on the thread pool, one work item per read: the connection's HTTP requests (route handlers, long
    /// polling), its upgrade (the authentication hook, <see cref="WebSocketHandler.OnConnectedAsync"/>) and its frames
    /// (every message handler, in order, then the answers' one flush), so a handler that blocks holds up its own
    /// connection only; the connection reads its next bytes once the handlers of the last read have finished.
    /// <see cref="UnsafePreferInlineScheduling"/> runs all of it on the I/O thread instead. Default: one per processor.
    /// 0, TLS and other platforms leave waiting to the runtime's sockets, which run handlers on the thread pool too.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int IoThreads
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    } = Environment.ProcessorCount;

    /// <summary>
    /// Whether the I/O threads (<see cref="IoThreads"/>) run user code themselves: a connection's handlers (message
    /// handlers, <see cref="WebSocketHandler.OnConnectedAsync"/> and <see cref="WebSocketHandler.OnDisconnectedAsync"/>,
    /// typed endpoints' handlers, HTTP route handlers, long polling, authentication hooks) then run on the thread that read
    /// its bytes, as soon as they arrive, saving the hop to the thread pool per read, and a broadcast's sends are left to
    /// the end of the thread's turn. The risk: every connection on that thread waits while a handler runs, so one that
    /// blocks (a synchronous database or file call, <see cref="Thread.Sleep(int)"/>, <c>.Result</c> or <c>.Wait()</c> on
    /// a task, a lock held long) or computes for long stalls all of them, and the server logs a warning (event 108)
    /// when a thread has been held for a second. Set it only when every handler awaits instead of blocking and returns
    /// quickly. Default false: handlers run on the thread pool. No effect where connections do not use I/O threads
    /// (<see cref="IoThreads"/> 0, <see cref="Tls"/>, other platforms).
    /// </summary>
    public bool UnsafePreferInlineScheduling { get; init; }

    /// <summary>The long-polling transport of typed endpoints: hold time, session expiry, queue bound.</summary>
    public LongPollingOptions LongPolling { get; init; } = new();

    /// <summary>
    /// Time the peer has to answer our close frame (and to finish its side of the TCP close) before the
    /// socket is dropped. Default 5 seconds.
    /// </summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A connection that has been silent this long gets a ping. Default 30 seconds;
    /// <see cref="TimeSpan.Zero"/> turns keepalive pings off.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A peer that sends nothing at all (not even the pong) this long after our ping is considered dead and
    /// its socket is dropped. Default 30 seconds.
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// During <see cref="WebSocketServer.StopAsync"/>, how long connections get to finish the close
    /// handshake after the server sent 1001 before they are dropped. Default 5 seconds.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Reads options from a configuration section (<c>configuration.GetSection("Switchboard")</c>): each option under
    /// its property name, nested options as sub-sections (<c>Frames:MaxMessageSize</c>, <c>LongPolling:HoldTime</c>),
    /// lists by index (<c>Subprotocols:0</c>). docs/hosting.md lists every key and its format. <see cref="Tls"/> is
    /// set in code only.
    /// </summary>
    /// <param name="section">The section to read; its keys are matched case-insensitively.</param>
    /// <param name="defaults">The values of the keys the section leaves unset, <see cref="Tls"/> included; null for the defaults of each option.</param>
    /// <exception cref="SwitchboardConfigurationException">
    /// A value is not of its option's form or is out of its range, or a key under the section names no option. The
    /// message names the full key, the value and what was expected.
    /// </exception>
    public static WebSocketServerOptions FromConfiguration(IConfiguration section, WebSocketServerOptions? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        return ServerOptionsReader.Read(section, defaults ?? new WebSocketServerOptions());
    }
}
