using Switchboard.Server.Engines;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Switchboard.Server;
using Switchboard.Server.Admission;
using Switchboard.Server.Diagnostics;
using Switchboard.Server.Endpoints;
using Switchboard.Server.Handshake;
using Switchboard.Server.Hosting;
using Switchboard.Server.Http;
using Switchboard.Server.WebSockets;

namespace Switchboard.AspNetCore.Hosting;

/// <summary>
/// The ASP.NET Core host of Switchboard endpoints, one per app (a DI singleton): it judges upgrade requests by the
/// standalone server's rules, runs accepted connections over Kestrel's upgraded stream through the shared
/// <see cref="SessionHost"/>, serves long polling through it, sweeps idle long-polling sessions on a timer from the app's
/// <see cref="TimeProvider"/>, and closes everything when the app stops. Thread-safe.
/// </summary>
internal sealed partial class SwitchboardHost : IDisposable
{
    private readonly SwitchboardOptions _options;
    private readonly SessionHost _host;
    private readonly ILogger _logger;
    private readonly IServiceProvider _services; // the app's container, for endpoints that have none
    // The request of each open connection waits on its entry until the connection has ended.
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _open = new();
    private readonly ITimer _sweep;
    private int _stopped;

    public SwitchboardHost(IOptions<SwitchboardOptions> options, ILoggerFactory loggerFactory, TimeProvider time, IServiceProvider services)
    {
        _services = services;
        // The one place options become the host's settings (IOptions: code's configure, then the configuration section).
        _options = options.Value;
        var settings = new SessionHostSettings
        {
            Frames = _options.Frames,
            CloseTimeout = _options.CloseTimeout,
            KeepAliveInterval = _options.KeepAliveInterval,
            KeepAliveTimeout = _options.KeepAliveTimeout,
            SendQueueLimit = _options.SendQueueLimit,
            LongPolling = _options.LongPolling,
        };
        _logger = loggerFactory.CreateLogger("Switchboard.Server");
        _host = new SessionHost(settings, _logger, connection =>
        {
            if (_open.TryRemove(connection.Id, out var ended)) ended.TrySetResult();
        });
        _sweep = time.CreateTimer(static state => ((SessionHost)state!).Sweep(Environment.TickCount64), _host, _host.SweepPeriod, _host.SweepPeriod);
    }

    /// <summary>The options the host was made with.</summary>
    public SwitchboardOptions Options => _options;

    /// <summary>The open WebSocket connections.</summary>
    public int ConnectionCount => _host.ConnectionCount;

    /// <summary>The long-polling sessions that have not ended.</summary>
    public int LongPollingSessionCount => _host.LongPolling.Count;

    /// <summary>Bytes long-polling sessions hold for their clients: zero once every message sent has been acknowledged.</summary>
    internal long LongPollingQueuedBytes => _host.LongPolling.QueuedBytes;

    /// <summary>The meter of the host's instruments; tests listen to it alone.</summary>
    internal System.Diagnostics.Metrics.Meter Meter => _host.Metrics.Meter;

    /// <summary>Readies a typed endpoint for <paramref name="route"/>: its gate, and its rate limits.</summary>
    public MappedEndpoint Map(string route, MessageEndpoint endpoint, EndpointOptions options)
    {
        var gate = new EndpointGate(options, readsPositions: true);
        endpoint.UseRateLimits(options, _host.Limits);
        // Handlers resolve from the app's container, a scope per call, unless the app gave the endpoint its own.
        endpoint.Services ??= _services;
        // And send through the app's engine (Switchboard.Redis, say) when one is registered and the endpoint names none.
        endpoint.Engine ??= _services.GetService(typeof(IMessageEngine)) as IMessageEngine;
        return new MappedEndpoint(route, endpoint.WebSocketSide, gate, _options.LongPolling.Enabled ? endpoint : null);
    }

    /// <summary>Readies a raw handler for <paramref name="route"/>.</summary>
    public static MappedEndpoint Map(string route, WebSocketHandler handler, EndpointOptions options)
    {
        if (options.LimitsRate) throw new ArgumentException("rate limits apply to typed endpoints (MessageEndpoint) only", nameof(options));
        return new MappedEndpoint(route, handler, new EndpointGate(options), null);
    }

    /// <summary>
    /// GET: a WebSocket upgrade, or, for a typed endpoint with long polling, a poll. Also the HTTP/2 extended CONNECT
    /// that opens a WebSocket (RFC 8441).
    /// </summary>
    public Task GetAsync(HttpContext context, MappedEndpoint mapped)
    {
        var connect = context.Features.Get<IHttpExtendedConnectFeature>();
        if (HttpMethods.IsConnect(context.Request.Method))
        {
            if (connect is not { IsExtendedConnect: true } || !string.Equals(connect.Protocol, "websocket", StringComparison.OrdinalIgnoreCase))
            {
                return WriteTextAsync(context, 400, "CONNECT here is for WebSocket over HTTP/2 only (:protocol websocket)", null);
            }
            var tunnel = RequestHeads.From(context.Request, 0, extendedConnect: true);
            return tunnel is null ? WriteTextAsync(context, 400, "the request cannot be read as a WebSocket upgrade", null) : UpgradeAsync(context, tunnel, mapped);
        }
        var head = RequestHeads.From(context.Request, 0);
        if (head is null) return WriteTextAsync(context, 400, "the request cannot be read as HTTP/1.1", null);
        if (mapped.LongPolling is { } endpoint && !WebSocketUpgrade.IsUpgradeRequest(head))
        {
            return ServeAsync(context, head, _host.LongPolling.Poll(endpoint), ReadOnlyMemory<byte>.Empty);
        }
        return UpgradeAsync(context, head, mapped);
    }

    /// <summary>POST: a long-polling open or send.</summary>
    public Task PostAsync(HttpContext context, MappedEndpoint mapped) =>
        LongPollAsync(context, _host.LongPolling.Post(mapped.LongPolling!, mapped.Gate, mapped.Route));

    /// <summary>DELETE: a long-polling client leaves.</summary>
    public Task DeleteAsync(HttpContext context, MappedEndpoint mapped) => LongPollAsync(context, _host.LongPolling.Delete(mapped.LongPolling!));

    private async Task UpgradeAsync(HttpContext context, HttpRequestHead head, MappedEndpoint mapped)
    {
        var remote = RequestHeads.RemoteOf(context);
        var activity = ServerActivities.StartConnect(ServerTransport.WebSocket, remote);
        if (!WebSocketUpgrade.TryValidate(head, out var request, out var error))
        {
            await RejectAsync(context, activity, remote, error.ToStatusCode(), error.Describe(), RefusalReasons.InvalidRequest, null, null).ConfigureAwait(false);
            return;
        }
        var connect = context.Features.Get<IHttpExtendedConnectFeature>();
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var extended = connect is { IsExtendedConnect: true };
        if (!extended && upgrade is not { IsUpgradableRequest: true })
        {
            await RejectAsync(context, activity, remote, 400, "this connection cannot be upgraded: WebSocket needs an HTTP/1.1 upgrade request",
                RefusalReasons.InvalidRequest, null, null).ConfigureAwait(false);
            return;
        }

        // The endpoint's origin rule and authentication, exactly as standalone; no 101 before them. The head carries the
        // request's own scheme and host (RequestHeads), so the connection's TLS flag is not asked for.
        var routeValues = RouteValuesOf(context);
        var gate = mapped.Gate;
        var verdict = await gate.CheckAsync(new ServerRequest(head, routeValues, default, remote, context.RequestAborted) { HostUser = context.User },
            secure: false, _logger).ConfigureAwait(false);
        if (!verdict.Allowed)
        {
            await RejectAsync(context, activity, remote, verdict.Status, verdict.Reason!, RefusalReasons.ForGate(verdict.Status), mapped.Route,
                gate.RefusalFields(verdict.Status)).ConfigureAwait(false);
            return;
        }

        var subprotocol = HandshakeResponse.SelectSubprotocol(request.Subprotocols, _options.Subprotocols);
        var deflate = request.AcceptDeflate(_options.Deflate);
        var headers = context.Response.Headers;
        if (subprotocol is not null) headers[HeaderNames.SecWebSocketProtocol] = subprotocol;
        if (deflate is not null) headers[HeaderNames.SecWebSocketExtensions] = deflate.Extension;
        if (!extended)
        {
            headers[HeaderNames.Upgrade] = "websocket";
            headers[HeaderNames.Connection] = "Upgrade";
            headers[HeaderNames.SecWebSocketAccept] = HandshakeResponse.ComputeAccept(request.Key);
        }
        var id = _host.NextId();
        Stream stream;
        try
        {
            // HTTP/2 answers the CONNECT with 200 and carries the connection on the stream (RFC 8441 section 5).
            stream = extended ? await connect!.AcceptAsync().ConfigureAwait(false) : await upgrade!.UpgradeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
        {
            Log.UpgradeFailed(_logger, id, e);
            activity?.Dispose();
            return;
        }

        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _open[id] = ended;
        var connection = _host.Open(id, _host.OverStream(stream, context.Abort), request, subprotocol,
            new SessionHost.Accepted(mapped.Handler, routeValues, mapped.Route, remote, ClientAddress.Of(remote), verdict.User, verdict.Principal), activity);
        await _host.StartAsync(connection).ConfigureAwait(false);
        // Kestrel keeps the upgraded connection for as long as the request runs.
        await ended.Task.ConfigureAwait(false);
    }

    private static async Task LongPollAsync(HttpContext context, HttpHandler handler)
    {
        // Kestrel's MaxRequestBodySize bounds the body (413 past it).
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
        var head = RequestHeads.From(context.Request, body.Length);
        if (head is null)
        {
            await WriteTextAsync(context, 400, "the request cannot be read as HTTP/1.1", null).ConfigureAwait(false);
            return;
        }
        await ServeAsync(context, head, handler, body.GetBuffer().AsMemory(0, (int)body.Length)).ConfigureAwait(false);
    }

    /// <summary>Runs a long-polling handler on the request and copies its answer to the ASP.NET Core response.</summary>
    private static async Task ServeAsync(HttpContext context, HttpRequestHead head, HttpHandler handler, ReadOnlyMemory<byte> body)
    {
        var request = new ServerRequest(head, RouteValuesOf(context), body, RequestHeads.RemoteOf(context), context.RequestAborted) { HostUser = context.User };
        var response = new ServerResponse();
        await handler(request, response).ConfigureAwait(false);
        var answer = context.Response;
        answer.StatusCode = response.StatusCode;
        if (response.ContentType is { } type) answer.ContentType = type;
        foreach (var (name, value) in response.Headers) answer.Headers[name] = value;
        var content = response.GetBufferedBody();
        answer.ContentLength = content.Length;
        if (content.Length > 0) await answer.Body.WriteAsync(content, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task RejectAsync(HttpContext context, Activity? activity, EndPoint? remote, int status, string reason, string refusal, string? route,
        KeyValuePair<string, string>[]? fields)
    {
        _host.Refused(activity, remote, status, reason, refusal, route);
        await WriteTextAsync(context, status, reason, fields).ConfigureAwait(false);
    }

    /// <summary>A refusal as the standalone server writes it: the reason as text, and for a 426 the version it speaks.</summary>
    private static async Task WriteTextAsync(HttpContext context, int status, string reason, KeyValuePair<string, string>[]? fields)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        if (status == 426)
        {
            response.Headers[HeaderNames.Upgrade] = "websocket";
            response.Headers[HeaderNames.SecWebSocketVersion] = "13";
        }
        foreach (var (name, value) in fields ?? []) response.Headers[name] = value;
        var bytes = Encoding.UTF8.GetBytes(reason + "\n");
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private static Dictionary<string, string> RouteValuesOf(HttpContext context)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is not null) values[name] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
        }
        return values;
    }

    /// <summary>
    /// The graceful stop: 1001 to every WebSocket connection and the close to every long-polling session, then up to
    /// <see cref="SwitchboardOptions.ShutdownTimeout"/> (or <paramref name="cancellationToken"/>) for the connections to
    /// end before the rest are dropped.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        await _sweep.DisposeAsync().ConfigureAwait(false);
        _host.CloseLongPolling();
        await _host.CloseConnectionsAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_open.Values.Select(e => e.Task)).WaitAsync(_options.ShutdownTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            _host.AbortAll();
            // Dropped connections end at once; their disconnected hooks have run when the stop completes.
            await Task.WhenAll(_open.Values.Select(ended => ended.Task)).ConfigureAwait(false);
        }
        await _host.EndLongPollingAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _sweep.Dispose();
        _host.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 150, Level = LogLevel.Debug, Message = "Connection {ConnectionId}: the upgrade failed")]
        public static partial void UpgradeFailed(ILogger logger, long connectionId, Exception exception);
    }
}
