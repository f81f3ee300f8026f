using System.Diagnostics;
using System.Diagnostics.Metrics;
using Names = Switchboard.Server.SwitchboardServerDiagnostics;

namespace Switchboard.Server.Diagnostics;

/// <summary>
/// The server's instruments, created once per server on its own <see cref="Meter"/> named <see cref="MeterName"/>, so
/// dotnet-counters and OpenTelemetry find them by that name (docs/observability.md). Every method checks
/// <see cref="Instrument.Enabled"/> first and tags with a <see cref="TagList"/> of constant strings: with nothing
/// listening a measurement costs a flag read, and with a listener it allocates nothing. Thread-safe.
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    /// <summary>The name of every server's meter.</summary>
    public const string MeterName = Names.MeterName;

    /// <summary>The tag that names the limit on <c>switchboard.server.limit.hits</c>.</summary>
    public const string LimitTag = Names.LimitTag;

    // The boundaries OpenTelemetry advises for Kestrel's and SignalR's connection durations.
    private static readonly InstrumentAdvice<double> DurationAdvice = new()
    {
        HistogramBucketBoundaries = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    };

    private readonly UpDownCounter<long> _activeConnections;
    private readonly Histogram<double> _connectionDuration;
    private readonly Counter<long> _messagesReceived;
    private readonly Counter<long> _messagesSent;
    private readonly Counter<long> _bytesReceived;
    private readonly Counter<long> _bytesSent;
    private readonly Counter<long> _sharedCompressions;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _sendQueueOverflows;
    private readonly Counter<long> _handlerFailures;
    private readonly Counter<long> _limitHits;

    public ServerMetrics()
    {
        Meter = new Meter(MeterName, typeof(ServerMetrics).Assembly.GetName().Version?.ToString());
        _activeConnections = Meter.CreateUpDownCounter<long>(Names.ActiveConnections, "{connection}",
            "Open WebSocket connections and long-polling sessions.");
        _connectionDuration = Meter.CreateHistogram(Names.ConnectionDuration, "s",
            "How long WebSocket connections and long-polling sessions lasted.", tags: null, DurationAdvice);
        _messagesReceived = Meter.CreateCounter<long>(Names.MessagesReceived, "{message}", "Messages received from clients.");
        _messagesSent = Meter.CreateCounter<long>(Names.MessagesSent, "{message}", "Messages handed to connections to send.");
        _bytesReceived = Meter.CreateCounter<long>(Names.BytesReceived, "By", "Message payload bytes received from clients.");
        _bytesSent = Meter.CreateCounter<long>(Names.BytesSent, "By", "Message payload bytes handed to connections to send.");
        _sharedCompressions = Meter.CreateCounter<long>(Names.SharedCompressions, "{compression}",
            "Message payloads compressed once for every connection of a send that negotiated permessage-deflate without server context takeover.");
        _refusals = Meter.CreateCounter<long>(Names.HandshakeRefusals, "{refusal}", "WebSocket upgrades and long-polling opens refused.");
        _sendQueueOverflows = Meter.CreateCounter<long>(Names.SendQueueOverflows, "{connection}",
            "Connections closed because their client did not take what was sent to it.");
        _handlerFailures = Meter.CreateCounter<long>(Names.HandlerFailures, "{failure}", "Application handlers and hooks that threw.");
        _limitHits = Meter.CreateCounter<long>(Names.LimitHits, "{hit}",
            "Connections, requests, sessions and messages refused or closed because a client went over a limit.");
    }

    /// <summary>This server's meter: a listener tells two servers in one process apart by it.</summary>
    public Meter Meter { get; }

    /// <summary>
    /// Counts a connection that opened; true when it was counted, which the caller keeps for <see cref="ConnectionClosed"/>,
    /// so a listener that starts while the connection is open never sees it leave without having come.
    /// </summary>
    public bool ConnectionOpened(ServerTransport transport, string route)
    {
        if (!_activeConnections.Enabled) return false;
        _activeConnections.Add(1, ConnectionTags(transport, route));
        return true;
    }

    /// <summary>A connection ended: uncounts it if <see cref="ConnectionOpened"/> counted it, and records how long it lasted.</summary>
    public void ConnectionClosed(ServerTransport transport, string route, bool counted, long openedAt)
    {
        if (counted) _activeConnections.Add(-1, ConnectionTags(transport, route));
        if (_connectionDuration.Enabled) _connectionDuration.Record(Stopwatch.GetElapsedTime(openedAt).TotalSeconds, ConnectionTags(transport, route));
    }

    /// <summary>Counts <paramref name="count"/> messages received, of <paramref name="type"/> when it is known.</summary>
    public void MessagesReceived(ServerTransport transport, string? type, long count = 1)
    {
        if (_messagesReceived.Enabled) _messagesReceived.Add(count, MessageTags(transport, type));
    }

    /// <summary>Counts message payload bytes received.</summary>
    public void BytesReceived(ServerTransport transport, long bytes)
    {
        if (_bytesReceived.Enabled) _bytesReceived.Add(bytes, new KeyValuePair<string, object?>(Names.TransportTag, Name(transport)));
    }

    /// <summary>Counts <paramref name="count"/> sends of one message of <paramref name="bytes"/> payload bytes.</summary>
    public void Sent(ServerTransport transport, string? type, long count, long bytes)
    {
        if (count == 0) return;
        if (_messagesSent.Enabled) _messagesSent.Add(count, MessageTags(transport, type));
        if (_bytesSent.Enabled) _bytesSent.Add(count * bytes, new KeyValuePair<string, object?>(Names.TransportTag, Name(transport)));
    }

    /// <summary>Counts <paramref name="count"/> payloads compressed once for the connections of a send.</summary>
    public void SharedCompressions(int count)
    {
        if (count > 0 && _sharedCompressions.Enabled) _sharedCompressions.Add(count);
    }

    /// <summary>Counts an opening request refused with <paramref name="status"/>, for <paramref name="reason"/> (a <see cref="RefusalReasons"/> value).</summary>
    public void HandshakeRefused(ServerTransport transport, int status, string reason)
    {
        if (!_refusals.Enabled) return;
        _refusals.Add(1, new TagList
        {
            { Names.TransportTag, Name(transport) },
            { Names.StatusCodeTag, status },
            { Names.RefusalReasonTag, reason },
        });
    }

    /// <summary>Counts a connection closed because its send queue overflowed.</summary>
    public void SendQueueOverflow(ServerTransport transport)
    {
        if (_sendQueueOverflows.Enabled) _sendQueueOverflows.Add(1, new KeyValuePair<string, object?>(Names.TransportTag, Name(transport)));
    }

    /// <summary>Counts a handler or hook (<see cref="HandlerKinds"/>) that threw; <paramref name="type"/> is the message's, for a message handler.</summary>
    public void HandlerFailed(ServerTransport transport, string handler, string? type)
    {
        if (!_handlerFailures.Enabled) return;
        var tags = new TagList
        {
            { Names.TransportTag, Name(transport) },
            { Names.HandlerTag, handler },
        };
        if (type is not null) tags.Add(Names.MessageTypeTag, type);
        _handlerFailures.Add(1, tags);
    }

    /// <summary>Counts one hit of <paramref name="limit"/>.</summary>
    public void LimitHit(ServerLimit limit)
    {
        if (_limitHits.Enabled) _limitHits.Add(1, new KeyValuePair<string, object?>(LimitTag, limit.ToString()));
    }

    public void Dispose() => Meter.Dispose();

    /// <summary>The <see cref="SwitchboardServerDiagnostics.TransportTag"/> value of <paramref name="transport"/>.</summary>
    public static string Name(ServerTransport transport)
        => transport == ServerTransport.LongPolling ? Names.LongPollingTransport : Names.WebSocketTransport;

    private static TagList ConnectionTags(ServerTransport transport, string route) => new()
    {
        { Names.TransportTag, Name(transport) },
        { Names.RouteTag, route },
    };

    private static TagList MessageTags(ServerTransport transport, string? type)
    {
        var tags = new TagList { { Names.TransportTag, Name(transport) } };
        if (type is not null) tags.Add(Names.MessageTypeTag, type);
        return tags;
    }
}

/// <summary>What carries a connection: the <see cref="SwitchboardServerDiagnostics.TransportTag"/> of its measurements.</summary>
internal enum ServerTransport : byte
{
    WebSocket,
    LongPolling,
}

/// <summary>The values of <see cref="SwitchboardServerDiagnostics.RefusalReasonTag"/>.</summary>
internal static class RefusalReasons
{
    /// <summary>Not a valid opening request (a broken upgrade head, a long-polling open without <c>?transport=longpolling</c>).</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>No WebSocket endpoint at the path.</summary>
    public const string NoRoute = "no_route";

    /// <summary>The endpoint's origin rule refused the page.</summary>
    public const string Origin = "origin";

    /// <summary>The endpoint's authentication hook refused the request.</summary>
    public const string Authentication = "authentication";

    /// <summary>The endpoint's authentication hook threw.</summary>
    public const string AuthenticationError = "authentication_error";

    /// <summary>A cap on long-polling sessions was full.</summary>
    public const string Capacity = "capacity";

    /// <summary>The reason of an <see cref="Endpoints.EndpointGate"/> refusal with <paramref name="status"/>.</summary>
    public static string ForGate(int status) => status switch
    {
        401 => Authentication,
        403 => Origin,
        400 => InvalidRequest,
        _ => AuthenticationError,
    };
}

/// <summary>The values of <see cref="SwitchboardServerDiagnostics.HandlerTag"/>.</summary>
internal static class HandlerKinds
{
    public const string Message = "message";
    public const string Request = "request";
    public const string Connected = "connected";
    public const string Disconnected = "disconnected";
}
