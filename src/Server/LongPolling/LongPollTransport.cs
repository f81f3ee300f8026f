using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol.Framing;
using Switchboard.Server.Admission;
using Switchboard.Server.Diagnostics;
using Switchboard.Server.Endpoints;

namespace Switchboard.Server.LongPolling;

/// <summary>
/// The long-polling side of a server's typed endpoints (docs/protocol.md, "Long polling"): the HTTP handlers that open,
/// poll, send to and close sessions, and the table of sessions with their expiry, under the server-wide and per-address
/// caps on sessions and the budget of queued bytes. One per server; thread-safe.
/// </summary>
internal sealed class LongPollTransport(LongPollingOptions options, FrameReaderOptions frames, bool secure, TimeSpan retryAfter, ILogger logger,
    LimitReporter limits, ServerMetrics metrics, Func<long> nextId)
{
    private const string JsonType = "application/json";
    private static readonly JsonReaderOptions BodyReaderOptions = new() { MaxDepth = 65 }; // the array, then 64 levels per envelope
    // The answers are application/json, never HTML: reasons and errors read as written. Envelopes are copied as they are.
    private static readonly JsonWriterOptions AnswerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ConcurrentDictionary<string, LongPollSession> _sessions = new(StringComparer.Ordinal);
    private readonly LongPollBudget _budget = new(options.MaxQueuedBytesTotal);
    // Sessions that have not ended, in all and by client address, counted as connections are (an IPv6 client by its /64);
    // an address leaves the table with its last session. No session is ever listed idle, so none is evicted.
    private readonly ConnectionSlots _places = new(options.MaxSessions, options.MaxSessionsPerAddress);
    private Closing? _closedAll; // set once the server stops: no session opens after that

    /// <summary>Sessions that have not ended.</summary>
    public int Count => _sessions.Values.Count(s => !s.HasEnded);

    /// <summary>Every entry of the table, the tombstones of ended sessions included.</summary>
    public int TableCount => _sessions.Count;

    /// <summary>Bytes the sessions' queues hold, as <see cref="LongPollingOptions.MaxQueuedBytesTotal"/> counts them.</summary>
    public long QueuedBytes => _budget.Held;

    /// <summary>GET: the poll.</summary>
    public HttpHandler Poll(MessageEndpoint endpoint) => (request, response) => PollAsync(endpoint, request, response);

    /// <summary>POST: opens a session (if <paramref name="gate"/> lets it) on the route <paramref name="route"/> names, or takes a send.</summary>
    public HttpHandler Post(MessageEndpoint endpoint, EndpointGate gate, string route) => (request, response) =>
        request.GetQueryValue("session") is null ? OpenAsync(endpoint, gate, route, request, response) : SendAsync(endpoint, request, response);

    /// <summary>DELETE: the client leaves.</summary>
    public HttpHandler Delete(MessageEndpoint endpoint) => (request, response) => DeleteAsync(endpoint, request, response);

    /// <summary>Closes every session (the close goes to each client's poll); used when the server stops.</summary>
    public void CloseAll(CloseCode code, string reason)
    {
        // Before the round: an open that comes later is refused, one already past its check is closed by itself.
        Volatile.Write(ref _closedAll, new Closing(code, reason));
        foreach (var session in _sessions.Values) session.Close(code, reason);
    }

    /// <summary>
    /// Ends and forgets every session that has not ended yet; used last when the server stops. Their clients can no
    /// longer reach the server to hear the close, and the sweep that would expire them has stopped, so each ends now,
    /// without a close code, as a dropped socket does.
    /// </summary>
    public async Task EndAllAsync()
    {
        foreach (var (token, session) in _sessions)
        {
            _sessions.TryRemove(token, out _);
            session.Release();
            await EndAsync(session, null).ConfigureAwait(false);
        }
    }

    /// <summary>Ends and forgets the sessions whose clients have gone quiet; called periodically.</summary>
    public void Sweep(long now)
    {
        if (_sessions.IsEmpty) return; // no enumerator for nothing: most servers never see a long-polling client
        foreach (var (token, session) in _sessions)
        {
            if (!session.IsIdle(now, options.IdleTimeout) || !_sessions.TryRemove(token, out _)) continue;
            session.Release();
            if (session.HasEnded) continue; // its close was delivered; only the tombstone was left
            LongPollLog.Expired(logger, session.Id, options.IdleTimeout);
            _ = EndAsync(session, null);
        }
    }

    private async ValueTask OpenAsync(MessageEndpoint endpoint, EndpointGate gate, string route, ServerRequest request, ServerResponse response)
    {
        var activity = ServerActivities.StartConnect(ServerTransport.LongPolling, request.RemoteEndPoint);
        if (request.GetQueryValue("transport") != "longpolling")
        {
            Refuse(activity, route, RefusalReasons.InvalidRequest, response, 400,
                "this path takes a WebSocket upgrade, or long polling: POST ?transport=longpolling opens a session");
            return;
        }
        if (RefusedStopping(activity, route, response)) return;

        // The caps first, so a flood over them costs no authentication: the place is taken now and given back if the
        // open is refused, or when the session ends.
        var address = ClientAddress.Of(request.RemoteEndPoint);
        var place = _places.Admit(address, out _);
        if (place is SlotVerdict.OverTotal or SlotVerdict.OverAddress)
        {
            var full = place == SlotVerdict.OverTotal ? ServerLimit.LongPollingSessions : ServerLimit.LongPollingSessionsPerAddress;
            limits.Hit(full, request.RemoteEndPoint, full == ServerLimit.LongPollingSessions
                ? $"{options.MaxSessions} long-polling sessions already open"
                : $"{options.MaxSessionsPerAddress} long-polling sessions already open from this address");
            Refuse(activity, route, RefusalReasons.Capacity, response, 503, full == ServerLimit.LongPollingSessions
                ? "too many long-polling sessions; try again later"
                : "too many long-polling sessions from this address; try again later");
            response.SetHeader("Retry-After", ((long)retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture));
            return;
        }

        // The endpoint's origin rule and authentication, exactly as for a WebSocket upgrade. Later requests of the
        // session are bound to its id instead, which only this answer reveals.
        EndpointGate.Verdict verdict;
        try
        {
            verdict = await gate.CheckAsync(request, secure, logger).ConfigureAwait(false);
        }
        catch
        {
            _places.Release(address);
            activity?.Dispose();
            throw;
        }
        if (!verdict.Allowed)
        {
            _places.Release(address);
            Refuse(activity, route, RefusalReasons.ForGate(verdict.Status), response, verdict.Status, verdict.Reason!);
            foreach (var (name, value) in gate.RefusalFields(verdict.Status) ?? []) response.SetHeader(name, value);
            return;
        }
        // The server may have begun to stop while the authentication hook ran.
        if (RefusedStopping(activity, route, response))
        {
            _places.Release(address);
            return;
        }

        var session = new LongPollSession(nextId(), NewToken(), request.Path, request.RouteValues, request.RemoteEndPoint, options.MaxQueuedBytes,
            _budget, limits, metrics)
        {
            User = verdict.User,
            Principal = verdict.Principal,
            Route = route,
        };
        try
        {
            session.Context = await endpoint.AttachAsync(session, verdict.Positions).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever the engine throws, the open is refused and the server lives on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _places.Release(address);
            Log.HandlerFailed(logger, session.Id, e);
            Refuse(activity, route, RefusalReasons.Capacity, response, 503, "the message engine is unavailable; try again later");
            return;
        }
        _sessions[session.Token] = session;
        // Opened while CloseAll ran its round, which may have missed it: it gets its own close, as a WebSocket does.
        if (Volatile.Read(ref _closedAll) is { } closing) session.Close(closing.Code, closing.Reason);
        session.CountedActive = metrics.ConnectionOpened(ServerTransport.LongPolling, route);
        ServerActivities.Answered(activity, route, 200);
        LongPollLog.Opened(logger, session.Id, request.RemoteEndPoint, request.Path);
        try
        {
            await endpoint.ConnectedAsync(session.Context).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Application hooks may throw anything; as on a WebSocket, the session lives on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.HandlerFailed(logger, session.Id, e);
            metrics.HandlerFailed(ServerTransport.LongPolling, HandlerKinds.Connected, null);
        }

        WriteJson(response, 200, writer =>
        {
            writer.WriteString("session"u8, session.Token);
            writer.WriteNumber("holdMs"u8, (long)options.HoldTime.TotalMilliseconds);
        });
    }

    /// <summary>
    /// Refuses an open with 503 once the server stops. A stopping server still answers the requests it has read: a
    /// session opened now would end with the server, and its client, reconnecting after the shutdown's 1001, would
    /// connect twice for one restart. Refused, the client retries as it does for a server it cannot reach.
    /// </summary>
    private bool RefusedStopping(System.Diagnostics.Activity? activity, string route, ServerResponse response)
    {
        if (Volatile.Read(ref _closedAll) is null) return false;
        Refuse(activity, route, RefusalReasons.Capacity, response, 503, "the server is shutting down; try again later");
        response.SetHeader("Retry-After", ((long)retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        return true;
    }

    private async ValueTask PollAsync(MessageEndpoint endpoint, ServerRequest request, ServerResponse response)
    {
        if (request.GetQueryValue("session") is null)
        {
            Fail(response, 400, "Upgrade: websocket required, or a long poll: GET ?session=ID&ack=N");
            return;
        }
        if (!TryFind(endpoint, request, response, out var session)) return;
        if (!TryGetNumber(request, "ack", 0, response, out var ack)) return;

        var batch = await session.PollAsync(ack, options.HoldTime, request.Aborted).ConfigureAwait(false);
        response.SetHeader("Cache-Control", "no-store");
        if (batch is null)
        {
            Fail(response, 400, "ack is past the last message sent");
            return;
        }
        if (batch.IsEmpty)
        {
            response.StatusCode = 204;
            return;
        }

        WriteJson(response, 200, writer =>
        {
            writer.WriteNumber("seq"u8, batch.FirstSeq);
            writer.WriteStartArray("messages"u8);
            foreach (var message in batch.Messages) writer.WriteRawValue(message.Span, skipInputValidation: true);
            writer.WriteEndArray();
            if (batch.Close is { } close)
            {
                writer.WriteStartObject("close"u8);
                writer.WriteNumber("code"u8, (ushort)close.Code);
                writer.WriteString("reason"u8, close.Reason ?? "");
                writer.WriteEndObject();
            }
        });
        // The close has reached the client (or will again, from the tombstone, if this answer is lost).
        if (batch.Close is { } ended) await EndAsync(session, ended.Code).ConfigureAwait(false);
    }

    private async ValueTask SendAsync(MessageEndpoint endpoint, ServerRequest request, ServerResponse response)
    {
        if (!TryFind(endpoint, request, response, out var session)) return;
        if (session.HasEnded)
        {
            Fail(response, 404, "unknown session");
            return;
        }
        if (!TryGetNumber(request, "seq", 1, response, out var seq)) return;
        if (!IsJson(request.GetHeader("Content-Type")))
        {
            Fail(response, 400, "a send is a JSON array of envelopes (Content-Type: application/json)");
            return;
        }

        var body = request.Body;
        if (!TrySplit(body.Span, options.MaxEnvelopesPerSend, out var envelopes, out var why))
        {
            if (envelopes.Count > options.MaxEnvelopesPerSend)
            {
                limits.Hit(ServerLimit.LongPollingEnvelopes, request.RemoteEndPoint, $"a send of more than {options.MaxEnvelopesPerSend} envelopes");
                Fail(response, 413, why);
                return;
            }
            Fail(response, 400, why);
            return;
        }

        // Counted once for the send; each envelope is counted as a message, with its type, as the endpoint reads it.
        metrics.BytesReceived(ServerTransport.LongPolling, SumLengths(envelopes));
        var outcome = await session.ReceiveAsync(seq, envelopes.Count, i => DeliverAsync(endpoint, session, body.Slice(envelopes[i].Start, envelopes[i].Length)))
            .ConfigureAwait(false);
        if (outcome == LongPollSession.SendOutcome.Gap)
        {
            Fail(response, 409, "an earlier send is missing: send from the first envelope the server has not acknowledged");
            return;
        }
        response.StatusCode = 204;
    }

    private async ValueTask DeleteAsync(MessageEndpoint endpoint, ServerRequest request, ServerResponse response)
    {
        if (!TryFind(endpoint, request, response, out var session)) return;
        _sessions.TryRemove(session.Token, out _);
        session.Release();
        session.Close(CloseCode.NormalClosure, null);
        await EndAsync(session, CloseCode.NormalClosure).ConfigureAwait(false);
        response.StatusCode = 204;
    }

    /// <summary>One envelope from the client, exactly as a WebSocket text message would reach the endpoint.</summary>
    private async ValueTask DeliverAsync(MessageEndpoint endpoint, LongPollSession session, ReadOnlyMemory<byte> envelope)
    {
        if (envelope.Length > frames.MaxMessageSize)
        {
            limits.Hit(ServerLimit.LongPollingEnvelopeSize, session.RemoteEndPoint,
                $"long-polling session {session.Id}: an envelope of {envelope.Length} bytes, over {frames.MaxMessageSize}");
            session.Close(CloseCode.MessageTooBig, "message too big");
            return;
        }
        try
        {
            await endpoint.ReceiveAsync(session.Context, new ReadOnlySequence<byte>(envelope)).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Application hooks may throw anything; the session must survive it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.HandlerFailed(logger, session.Id, e);
            metrics.HandlerFailed(ServerTransport.LongPolling, HandlerKinds.Message, null);
        }
    }

    private async Task EndAsync(LongPollSession session, CloseCode? status)
    {
        if (!session.TryEnd()) return;
        _places.Release(ClientAddress.Of(session.RemoteEndPoint));
        LongPollLog.Ended(logger, session.Id, status);
        metrics.ConnectionClosed(ServerTransport.LongPolling, session.Route, session.CountedActive, session.OpenedAt);
        try
        {
            await session.Context.Endpoint.EndAsync(session.Context, status).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Application hooks may throw anything.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.HandlerFailed(logger, session.Id, e);
            metrics.HandlerFailed(ServerTransport.LongPolling, HandlerKinds.Disconnected, null);
        }
    }

    private bool TryFind(MessageEndpoint endpoint, ServerRequest request, ServerResponse response, out LongPollSession session)
    {
        var token = request.GetQueryValue("session");
        if (token is not null && _sessions.TryGetValue(token, out session!) && session.Context.Endpoint == endpoint
            && string.Equals(session.Path, request.Path, StringComparison.Ordinal))
        {
            // Found is not yet valid: only a poll or send that is taken resets the idle clock (a request answered 400,
            // 404 or 409 must not keep a session nobody polls alive).
            return true;
        }
        Fail(response, token is null ? 400 : 404, token is null ? "no session given" : "unknown session");
        session = null!;
        return false;
    }

    /// <summary>Refuses an open: counted by <paramref name="refusal"/> (a <see cref="RefusalReasons"/> value), its span ended, answered.</summary>
    private void Refuse(System.Diagnostics.Activity? activity, string route, string refusal, ServerResponse response, int status, string error)
    {
        metrics.HandshakeRefused(ServerTransport.LongPolling, status, refusal);
        ServerActivities.Answered(activity, route, status);
        Fail(response, status, error);
    }

    private static long SumLengths(List<(int Start, int Length)> envelopes)
    {
        long total = 0;
        foreach (var (_, length) in envelopes) total += length;
        return total;
    }

    private static bool TryGetNumber(ServerRequest request, string name, long min, ServerResponse response, out long value)
    {
        if (long.TryParse(request.GetQueryValue(name), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min) return true;
        Fail(response, 400, $"'{name}' must be a whole number from {min}");
        return false;
    }

    private static bool IsJson(string? contentType)
    {
        var media = contentType.AsSpan();
        var semicolon = media.IndexOf(';');
        if (semicolon >= 0) media = media[..semicolon];
        return media.Trim().Equals(JsonType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Finds the envelopes of a send body: a JSON array of objects, nothing after it, at most <paramref name="max"/> of
    /// them (past it, it stops at the one over, which <paramref name="envelopes"/> then holds).
    /// </summary>
    private static bool TrySplit(ReadOnlySpan<byte> body, int max, out List<(int Start, int Length)> envelopes, out string why)
    {
        envelopes = [];
        why = "";
        try
        {
            var reader = new Utf8JsonReader(body, BodyReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                why = "a send is a JSON array of envelopes";
                return false;
            }
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    why = $"element {envelopes.Count} of the send is not a JSON object";
                    return false;
                }
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                envelopes.Add((start, (int)reader.BytesConsumed - start));
                if (envelopes.Count > max)
                {
                    why = $"a send may carry at most {max} envelopes; send the rest in further sends";
                    return false;
                }
            }
            if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
            {
                why = "a send is one JSON array, with nothing after it";
                return false;
            }
            return true;
        }
        catch (JsonException)
        {
            why = "the send is not valid JSON";
            return false;
        }
    }

    private static void WriteJson(ServerResponse response, int status, Action<Utf8JsonWriter> write)
    {
        response.StatusCode = status;
        response.ContentType = JsonType;
        using var writer = new Utf8JsonWriter(response.Body, AnswerOptions);
        writer.WriteStartObject();
        write(writer);
        writer.WriteEndObject();
    }

    private static void Fail(ServerResponse response, int status, string error)
        => WriteJson(response, status, writer => writer.WriteString("error"u8, error));

    private static string NewToken()
    {
        Span<byte> secret = stackalloc byte[16];
        RandomNumberGenerator.Fill(secret);
#if NET9_0_OR_GREATER
        return Base64Url.EncodeToString(secret);
#else
        return Convert.ToBase64String(secret).TrimEnd('=').Replace('+', '-').Replace('/', '_');
#endif
    }

    /// <summary>The close every session got when the server stopped.</summary>
    private sealed record Closing(CloseCode Code, string Reason);
}
