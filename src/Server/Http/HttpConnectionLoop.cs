using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Switchboard.Connections;
using Switchboard.Server.Admission;
using Switchboard.Server.Diagnostics;
using Switchboard.Server.Handshake;
using Switchboard.Server.Routing;

namespace Switchboard.Server.Http;

/// <summary>
/// The HTTP/1.1 side of every accepted connection: reads request heads, answers plain requests from the HTTP routes,
/// and keeps the connection open between them (RFC 9112 section 9.3) until a request is meant for the WebSocket side,
/// the client or a limit ends it, or the server stops. One instance serves all connections; it is thread-safe.
/// </summary>
/// <remarks>
/// The first head must arrive within <see cref="WebSocketServerOptions.HandshakeTimeout"/>, each later one within
/// <see cref="WebSocketServerOptions.HttpIdleTimeout"/> of the previous response, and a body within
/// <see cref="WebSocketServerOptions.RequestBodyTimeout"/> of its head. Parsing is left to
/// <see cref="HttpRequestParser"/>; this class only moves bytes and decides. Every head's <c>Host</c> is judged by
/// <paramref name="hosts"/> before anything else, and a connection waiting between requests is listed in
/// <paramref name="slots"/> as one a newcomer may take the place of.
/// </remarks>
internal sealed class HttpConnectionLoop(
    WebSocketServerOptions options,
    HttpRouteTable routes,
    RouteTable webSocketRoutes,
    HostFilter hosts,
    ForwardedHeaders? forwarded,
    ConnectionSlots slots,
    LimitReporter limits,
    ILogger logger,
    CancellationToken stopping)
{
    private enum ReadOutcome : byte { Received, Refused, Ended, TimedOut, Evicted }

    /// <summary>
    /// Serves requests until one belongs to the WebSocket side, and returns its head with the connection's input
    /// positioned just after it: an upgrade attempt, or a plain request for a path only a WebSocket endpoint is
    /// mapped at, which the upgrade path refuses as it always has. Null when the connection is done; it has then been
    /// closed, and the caller disposes it.
    /// </summary>
    /// <param name="id">The connection's id, for the log.</param>
    /// <param name="transport">The accepted connection.</param>
    /// <param name="firstHeadTimeout">
    /// The time the first head has; <see cref="WebSocketServerOptions.HandshakeTimeout"/> less what a TLS handshake took.
    /// </param>
    /// <remarks>A pooled state machine, which exists only while the method waits: none at all for a head already received.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<HttpRequestHead?> RunAsync(long id, SocketTransport transport, TimeSpan firstHeadTimeout)
    {
        var remote = transport.Socket.RemoteEndPoint;
        var first = true;
        IdleHttpConnection? idle = null; // made when the connection first waits between requests
        try
        {
            while (true)
            {
                var wait = first ? firstHeadTimeout : options.HttpIdleTimeout;
                if (!first) idle ??= new IdleHttpConnection(transport, remote);
                var (outcome, parsed, error) = await ReadHeadAsync(transport.Input, wait, idle).ConfigureAwait(false);
                switch (outcome)
                {
                    case ReadOutcome.Ended:
                        return null;
                    case ReadOutcome.Evicted:
                        // Its place went to a newcomer, which reported it; the socket is gone already.
                        return null;
                    case ReadOutcome.TimedOut:
                        // Silently, as a server does with an idle persistent connection (RFC 9112 section 9.5).
                        // Counted on the metric; the log events stay these (docs/security.md).
                        if (first)
                        {
                            limits.Count(ServerLimit.HandshakeTimeout);
                            Log.HandshakeTimedOut(logger, remote);
                        }
                        else
                        {
                            limits.Count(ServerLimit.HttpIdleTimeout);
                            Log.HttpIdleTimedOut(logger, id, wait);
                        }
                        return null;
                    case ReadOutcome.Refused:
                        if (LimitOf(error) is { } limit) limits.Count(limit);
                        var refusedFields = parsed is null ? null : RefusalFields(parsed, remote);
                        await RefuseAsync(transport, error.ToStatusCode(), error.Describe(), w => HttpResponseWriter.WriteError(w, error, refusedFields)).ConfigureAwait(false);
                        return null;
                }

                var head = parsed!;
                // What a trusted proxy says about the client comes before anything judges the request; from any other
                // peer the forwarded fields are ignored.
                var client = remote;
                if (forwarded is not null)
                {
                    if (forwarded.Apply(head, remote) is { } malformed)
                    {
                        limits.Hit(ServerLimit.ForwardedHeaders, remote, malformed);
                        var fields = EndpointFields(head);
                        await RefuseAsync(transport, 400, malformed, w => HttpResponseWriter.WriteText(w, 400, malformed, keepAlive: false, headers: fields), logged: true).ConfigureAwait(false);
                        return null;
                    }
                    client = head.Forwarded?.Client ?? remote;
                }
                // The host first, on every request, before any route or origin rule: a name the server does not answer
                // for is a DNS-rebinding page (or a misdirected client), whatever it asks for.
                var host = head.Forwarded?.Host ?? head.Host;
                var hostStatus = hosts.Check(host);
                if (hostStatus != 0)
                {
                    var reason = hostStatus == 400 ? "Host missing or malformed" : "Misdirected request: this server does not answer for that host";
                    limits.Hit(ServerLimit.Host, remote, host.Length == 0 ? "no Host" : $"Host '{host}' is not in AllowedHosts");
                    await RefuseAsync(transport, hostStatus, reason, w => HttpResponseWriter.WriteText(w, hostStatus, reason, keepAlive: false), logged: true).ConfigureAwait(false);
                    return null;
                }
                if (WebSocketUpgrade.IsUpgradeRequest(head)) return head;
                var match = routes.Match(head.Method, head.Path);
                if (match.Handler is null && match.Allow is null && webSocketRoutes.TryMatch(head.Path, out _, out _)) return head;

                if (!await ServeAsync(transport, head, match, client).ConfigureAwait(false)) return null;
                first = false;
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return null;
        }
        catch (TimeoutException)
        {
            limits.Count(ServerLimit.HttpSendTimeout);
            Log.HttpSendTimedOut(logger, id, options.HttpSendTimeout);
            return null;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Log.TransportError(logger, id, e);
            return null;
        }
    }

    /// <summary>
    /// The fields of the endpoint a request was meant for (its CORS fields), for an answer the server writes itself, so a
    /// page of an origin the endpoint admits can read a refusal. Only for a Host the server answers for: the origin rule
    /// compares Origin with it, and a misdirected request is refused before anything judges it.
    /// </summary>
    private KeyValuePair<string, string>[]? EndpointFields(HttpRequestHead head) =>
        hosts.Check(head.Forwarded?.Host ?? head.Host) == 0 ? routes.EndpointFields(head) : null;

    /// <summary>
    /// <see cref="EndpointFields"/> for a head the parser refused as a whole (413, say): read through a trusted proxy's
    /// fields first, as an accepted head is; none when those are malformed.
    /// </summary>
    private KeyValuePair<string, string>[]? RefusalFields(HttpRequestHead head, EndPoint? remote) =>
        forwarded?.Apply(head, remote) is null ? EndpointFields(head) : null;

    /// <summary>The limit a head refused with <paramref name="error"/> went over, if a limit refused it.</summary>
    private static ServerLimit? LimitOf(HttpError error) => error switch
    {
        HttpError.HeadersTooLarge => ServerLimit.RequestHeadSize,
        HttpError.TooManyHeaders => ServerLimit.RequestHeadFields,
        HttpError.ContentTooLarge => ServerLimit.RequestBodySize,
        _ => null,
    };

    /// <summary>Answers one plain request; false when the connection must not carry another.</summary>
    private async Task<bool> ServeAsync(SocketTransport transport, HttpRequestHead head, HttpRouteMatch match, EndPoint? remote)
    {
        var bodyLength = head.ContentLength ?? 0;
        var omitBody = head.Method == "HEAD";
        if (match.Handler is null)
        {
            // A body that will not be read leaves the connection out of step, so it ends after the answer.
            var keepAlive = head.KeepAlive && bodyLength == 0 && !stopping.IsCancellationRequested;
            var (status, text) = match.Allow is null ? (404, "Not found") : (405, $"{head.Method} is not allowed here");
            KeyValuePair<string, string>[]? fields = match.Allow is null ? null : [new("Allow", match.Allow), .. routes.EndpointFields(head) ?? []];
            HttpResponseWriter.WriteText(transport.Output, status, text, keepAlive, omitBody, fields);
            return await FinishAsync(transport, head, status, keepAlive, remote).ConfigureAwait(false);
        }

        var body = ReadOnlyMemory<byte>.Empty;
        if (bodyLength > 0)
        {
            if (head.ExpectsContinue)
            {
                HttpResponseWriter.WriteContinue(transport.Output);
                await transport.Output.FlushAsync().ConfigureAwait(false);
            }

            var (read, outcome) = await ReadBodyAsync(transport.Input, bodyLength).ConfigureAwait(false);
            if (outcome == ReadOutcome.Ended) return false;
            if (outcome == ReadOutcome.TimedOut)
            {
                limits.Count(ServerLimit.RequestBodyTimeout);
                var fields = routes.EndpointFields(head);
                await RefuseAsync(transport, 408, "Request body not received in time",
                    w => HttpResponseWriter.WriteText(w, 408, "Request body not received in time", keepAlive: false, headers: fields)).ConfigureAwait(false);
                return false;
            }

            body = read;
        }

        var request = new ServerRequest(head, match.Values!, body, remote, stopping);
        var response = await InvokeAsync(match.Handler, request).ConfigureAwait(false);
        var persistent = head.KeepAlive && !stopping.IsCancellationRequested;
        await WriteAsync(transport, response, omitBody, persistent).ConfigureAwait(false);
        return await FinishAsync(transport, head, response.StatusCode, persistent, remote).ConfigureAwait(false);
    }

#pragma warning disable CA1031 // Application handlers may throw anything; the connection answers 500 and lives on.
    private async Task<ServerResponse> InvokeAsync(HttpHandler handler, ServerRequest request)
    {
        var response = new ServerResponse();
        try
        {
            await handler(request, response).ConfigureAwait(false);
            if (response.StatusCode is 204 or 304 && (response.BodyStream is not null || !response.GetBufferedBody().IsEmpty))
                throw new InvalidOperationException($"a {response.StatusCode} response cannot have a body");
            return response;
        }
        catch (Exception e)
        {
            response.DropBodyStream();
            Log.HttpHandlerFailed(logger, request.Method, request.Path, e);
            var failure = new ServerResponse { StatusCode = 500 };
            failure.WriteText("Internal server error\n");
            foreach (var (name, value) in routes.EndpointFields(request.Head) ?? []) failure.SetHeader(name, value);
            return failure;
        }
    }
#pragma warning restore CA1031

    /// <summary>
    /// Writes the response, streaming a file body in pieces; Content-Length comes from the open file. A client that
    /// makes no room within <see cref="WebSocketServerOptions.HttpSendTimeout"/> ends it with a <see cref="TimeoutException"/>.
    /// </summary>
    private async Task WriteAsync(SocketTransport transport, ServerResponse response, bool omitBody, bool keepAlive)
    {
        var output = transport.Output;
        if (response.BodyStream is not { } file)
        {
            HttpResponseWriter.Write(output, response.StatusCode, response.ContentType, response.GetBufferedBody().Span, keepAlive, omitBody, response.Headers);
            return;
        }

        await using (file.ConfigureAwait(false))
        {
            var remaining = file.Length;
            HttpResponseWriter.WriteHead(output, response.StatusCode, response.ContentType, remaining, keepAlive, response.Headers);
            while (!omitBody && remaining > 0)
            {
                var memory = output.GetMemory((int)Math.Min(remaining, 64 * 1024));
                var read = await file.ReadAsync(memory[..(int)Math.Min(remaining, memory.Length)]).ConfigureAwait(false);
                // A file that shrank after its length was sent cannot be framed any more; the connection is dropped.
                if (read == 0) throw new IOException("the file ended before its announced length");
                output.Advance(read);
                remaining -= read;
                await output.FlushAsync().ConfigureAwait(false);
                // Never more than the send queue's worth in memory, and never held for long by a client that stopped reading.
                var room = transport.WaitForRoomAsync(stopping);
                if (!room.IsCompleted) await room.WaitAsync(options.HttpSendTimeout).ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> FinishAsync(SocketTransport transport, HttpRequestHead head, int status, bool keepAlive, EndPoint? remote)
    {
        await transport.Output.FlushAsync().ConfigureAwait(false);
        Log.HttpServed(logger, head.Method, head.Path, remote, status);
        if (keepAlive) return true;
        await transport.CloseAsync(options.CloseTimeout).ConfigureAwait(false);
        return false;
    }

    /// <summary>Sends a refusal with <c>Connection: close</c> and ends the connection; <paramref name="logged"/> when the limit reporter told of it.</summary>
    private async Task RefuseAsync(SocketTransport transport, int status, string reason, Action<IBufferWriter<byte>> write, bool logged = false)
    {
        if (!logged) Log.HttpRefused(logger, transport.Socket.RemoteEndPoint, status, reason);
        write(transport.Output);
        await transport.Output.FlushAsync().ConfigureAwait(false);
        await transport.CloseAsync(options.CloseTimeout).ConfigureAwait(false);
    }

    /// <summary>Reads one head within <paramref name="wait"/>; the input is advanced past it only when it is accepted.</summary>
    /// <remarks>
    /// A client sends its head as soon as it has connected, so it has usually arrived by the time it is read: a head
    /// the input already holds is taken without a timer, a linked cancellation source or a state machine. Between
    /// requests (<paramref name="idle"/> set), a connection with none of its next request received is listed as idle
    /// until bytes arrive; one evicted meanwhile ends with <see cref="ReadOutcome.Evicted"/>, whatever came.
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(ReadOutcome, HttpRequestHead?, HttpError)> ReadHeadAsync(PipeReader input, TimeSpan wait, IdleHttpConnection? idle)
    {
        var pending = input.TryRead(out var ready);
        var begun = pending && !ready.Buffer.IsEmpty;
        if (pending && TryTakeHead(input, ready, out var taken)) return taken;
        // Idle only with nothing of the next request in: a head that has begun to arrive is a request in flight.
        var listed = false;
        if (idle is not null && !begun && !(listed = slots.MarkIdle(idle))) return (ReadOutcome.Evicted, null, HttpError.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(wait);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
                if (listed)
                {
                    listed = false;
                    if (!slots.MarkBusy(idle!)) return (ReadOutcome.Evicted, null, HttpError.None);
                }
                if (TryTakeHead(input, result, out taken)) return taken;
            }
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return (ReadOutcome.TimedOut, null, HttpError.None);
        }
        catch (Exception e) when (idle is { Evicted: true } && e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            return (ReadOutcome.Evicted, null, HttpError.None); // the read failed because the socket was closed under it
        }
        finally
        {
            // Timed out, stopped, or the socket failed under the read (as an eviction makes it): off the list.
            if (listed) slots.MarkBusy(idle!);
        }
    }

    /// <summary>Parses what one read brought and advances the input; false when the head is still incomplete.</summary>
    private bool TryTakeHead(PipeReader input, ReadResult result, out (ReadOutcome, HttpRequestHead?, HttpError) taken)
    {
        if (HttpRequestParser.TryParse(result.Buffer, options.RequestHead, options.MaxRequestBodySize, out var consumed, out var examined, out var head, out var error))
        {
            // A refused head is read when it can be, for the fields of the endpoint it was meant for.
            if (error != HttpError.None) head = HttpRequestParser.ReadRefused(result.Buffer, options.RequestHead, options.MaxRequestBodySize);
            input.AdvanceTo(consumed);
            taken = (error == HttpError.None ? ReadOutcome.Received : ReadOutcome.Refused, head, error);
            return true;
        }

        input.AdvanceTo(consumed, examined);
        taken = (ReadOutcome.Ended, null, HttpError.None);
        return result.IsCompleted;
    }

    /// <summary>Reads exactly <paramref name="length"/> body bytes within the body timeout.</summary>
    private async Task<(ReadOnlyMemory<byte>, ReadOutcome)> ReadBodyAsync(PipeReader input, long length)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(options.RequestBodyTimeout);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (buffer.Length >= length)
                {
                    var body = buffer.Slice(0, length);
                    var copy = body.ToArray();
                    input.AdvanceTo(body.End);
                    return (copy, ReadOutcome.Received);
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) return (default, ReadOutcome.Ended);
            }
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return (default, ReadOutcome.TimedOut);
        }
    }
}
