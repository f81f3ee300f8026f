using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Switchboard.Connections;
using Switchboard.Protocol.Handshake;

namespace Switchboard.Client;

/// <summary>
/// A <see cref="ClientConnection"/> over HTTP/1.1 long polling (docs/protocol.md, "Long polling"): one session, a poll
/// loop that acknowledges what it got and drops what it has already seen, and a send loop that posts the envelopes
/// in order, one POST at a time, each batching what queued up while the one before was out.
/// </summary>
/// <remarks>
/// A request that fails in transit (no answer, a 5xx, 408 or 429) is sent again as it was, with the same <c>ack</c> or
/// <c>seq</c>, so the server can tell a retry from new traffic; when failures go on for longer than
/// <see cref="WebSocketClientOptions.ConnectTimeout"/> the connection counts as lost. 404 (the session is gone) and
/// 409 (the server misses envelopes it had confirmed: the send stream cannot be repaired) lose the connection at once.
/// Envelopes the server never confirmed are handed back through <see cref="TakeUnconfirmed"/> and go out on the next
/// connection, which starts numbering at 1 again.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "RunAsync disposes what the connection owns when it ends.")]
internal sealed class LongPollingClientConnection : ClientConnection
{
    // A body this size or smaller is far under a server's request body limit (1 MiB by default); one envelope
    // larger than it still goes alone.
    private const int MaxBatchBytes = 256 * 1024;
    // The server takes at most this many envelopes in one send by default (LongPollingOptions.MaxEnvelopesPerSend).
    private const int MaxBatchEnvelopes = 100;

    // Unconfirmed bytes past which a send waits for the send loop, as a WebSocket client waits for its socket.
    private const long MaxPendingBytes = SocketTransport.DefaultSendQueueLimit;

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly Uri _displayUri;
    private readonly string _session;
    private readonly TimeSpan _pollTimeout;
    private readonly WebSocketClientOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly List<EncodedMessage> _pending = []; // handed to us, not confirmed; _pending[0] is number _firstPending
    private readonly SemaphoreSlim _work = new(0);
    private readonly CancellationTokenSource _end = new();
    private readonly TaskCompletionSource<CloseCode?> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _sendLoop;
    private long _firstPending = 1;
    private long _pendingBytes;
    private TaskCompletionSource? _progress; // completed when envelopes are confirmed or the connection ends
    private Task _posting = Task.CompletedTask; // the batch out now, completed once its answer is handled
    private bool _ended;
    private int _closing;
    private string? _closeReason;

    private LongPollingClientConnection(HttpClient http, Uri endpoint, Uri displayUri, string session, TimeSpan hold,
        WebSocketClientOptions options, ILogger logger)
    {
        _http = http;
        _endpoint = endpoint;
        _displayUri = displayUri;
        _session = Uri.EscapeDataString(session);
        // The server answers a poll after the hold time at the latest: no answer by then plus a margin means a lost request.
        _pollTimeout = hold + options.ConnectTimeout;
        _options = options;
        _logger = logger;
        _sendLoop = Task.Run(SendLoopAsync);
    }

    public override SwitchboardTransport Transport => SwitchboardTransport.LongPolling;

    public override string? CloseReason => _closeReason;

    /// <summary>
    /// Opens a session with <c>POST P?transport=longpolling</c>, followed by <paramref name="recover"/> (the client's
    /// <c>recover</c> parameters, sent on the open only). Throws <see cref="SwitchboardConnectionException"/>: with
    /// the status and the reason of the body's <c>error</c> when the server answers anything but a session (401 and 403
    /// refuse, 404 finds no endpoint), <see cref="SwitchboardConnectionErrorKind.Unreachable"/> when it cannot be
    /// reached, <see cref="SwitchboardConnectionErrorKind.Timeout"/> after <see cref="WebSocketClientOptions.ConnectTimeout"/>.
    /// </summary>
    public static async Task<ClientConnection> OpenAsync(HttpClient http, Uri uri, string? recover, WebSocketClientOptions options, ILogger logger,
        CancellationToken cancellationToken)
    {
        var endpoint = ToHttpUri(uri);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            using var request = NewRequest(HttpMethod.Post, WithQuery(endpoint, recover is null ? "transport=longpolling" : "transport=longpolling&" + recover), options);
            using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
                throw SwitchboardConnectionException.FromStatus(uri, "long-polling session", (int)response.StatusCode, RefusalReason.FromJson(body), ClientHandshakeError.None);
            if (!LongPollingWire.TryReadOpen(body, out var session, out var hold))
            {
                throw new SwitchboardConnectionException(SwitchboardConnectionErrorKind.HandshakeFailed,
                    $"{uri} answered the long-polling open request with an invalid body", (int)response.StatusCode);
            }
            ClientLog.LongPollingOpened(logger, uri, hold);
            return new LongPollingClientConnection(http, endpoint, uri, session, hold, options, logger);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SwitchboardConnectionException(SwitchboardConnectionErrorKind.Timeout,
                $"opening a long-polling session at {uri} took longer than {options.ConnectTimeout}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new SwitchboardConnectionException(SwitchboardConnectionErrorKind.Unreachable, $"{uri} cannot be reached: {e.Message}", innerException: e);
        }
    }

    /// <summary>ws:// becomes http://, wss:// https://; the path and query stay, the fragment goes.</summary>
    internal static Uri ToHttpUri(Uri uri)
    {
        var builder = new UriBuilder(uri) { Fragment = string.Empty };
        builder.Scheme = uri.Scheme switch
        {
            "ws" => Uri.UriSchemeHttp,
            "wss" => Uri.UriSchemeHttps,
            _ => uri.Scheme,
        };
        builder.Port = uri.Port;
        return builder.Uri;
    }

    /// <summary>Appends <paramref name="parameters"/> to the query of <paramref name="endpoint"/>, after any it already has.</summary>
    internal static Uri WithQuery(Uri endpoint, string parameters)
    {
        var existing = endpoint.Query;
        return new UriBuilder(endpoint) { Query = existing.Length > 1 ? existing[1..] + "&" + parameters : parameters }.Uri;
    }

    public override async ValueTask<bool> TrySendAsync(EncodedMessage message, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task progress;
            lock (_lock)
            {
                if (_ended) return false;
                if (_pendingBytes <= MaxPendingBytes || _pending.Count == 0)
                {
                    _pending.Add(message);
                    _pendingBytes += message.Payload.Length;
                    break;
                }
                progress = (_progress ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
            await progress.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        _work.Release();
        return true;
    }

    public override async Task<CloseCode?> RunAsync(Func<ReadOnlySequence<byte>, ValueTask> onEnvelope, Action<string> onMalformed)
    {
        await PollLoopAsync(onEnvelope, onMalformed).ConfigureAwait(false);
        await _sendLoop.ConfigureAwait(false);
        _end.Dispose();
        return await _result.Task.ConfigureAwait(false);
    }

    public override async ValueTask CloseAsync()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0) return;
        // What was handed to us goes out before the session ends, as frames before a close frame do.
        using (var drain = new CancellationTokenSource(_options.ConnectTimeout))
        {
            try
            {
                while (true)
                {
                    Task progress;
                    lock (_lock)
                    {
                        if (_ended || _pending.Count == 0) break;
                        progress = (_progress ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                    }
                    await progress.WaitAsync(drain.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // The server did not take them in time; close anyway.
            }
        }
        if (!End(CloseCode.NormalClosure)) return;
        await AbandonAsync().ConfigureAwait(false);
    }

    public override IReadOnlyList<EncodedMessage> TakeUnconfirmed()
    {
        lock (_lock)
        {
            var unconfirmed = _pending.ToArray();
            _pending.Clear();
            _pendingBytes = 0;
            return unconfirmed;
        }
    }

    /// <summary>Ends the connection with <paramref name="status"/>; false when it had already ended.</summary>
    private bool End(CloseCode? status)
    {
        TaskCompletionSource? progress;
        lock (_lock)
        {
            if (_ended) return false;
            _ended = true;
            progress = _progress;
            _progress = null;
        }
        _result.TrySetResult(status);
        _end.Cancel();
        progress?.TrySetResult();
        return true;
    }

    private async Task PollLoopAsync(Func<ReadOnlySequence<byte>, ValueTask> onEnvelope, Action<string> onMalformed)
    {
        var messages = new List<(int Offset, int Length)>();
        var retries = new RetryStreak();
        long lastSeen = 0;
        try
        {
            while (!_end.IsCancellationRequested)
            {
                var outcome = await RequestAsync(HttpMethod.Get, "session=" + _session + "&ack=" + lastSeen, null, _pollTimeout).ConfigureAwait(false);
                if (outcome.Status == HttpStatusCode.NoContent)
                {
                    retries.Reset();
                    continue;
                }
                if (outcome.Status == HttpStatusCode.OK)
                {
                    retries.Reset();
                    if (!LongPollingWire.TryReadPoll(outcome.Body, messages, out var seq, out var closed, out var closeCode, out var closeReason))
                    {
                        onMalformed("long-polling answer is not a valid poll response");
                        ClientLog.LongPollingSessionLost(_logger, _displayUri, "GET", 200);
                        End(null);
                        return;
                    }
                    // Messages numbered up to lastSeen came in an answer that was lost on its way, then sent again: drop them.
                    var number = seq;
                    foreach (var (offset, length) in messages)
                    {
                        if (number > lastSeen)
                        {
                            await DeliverAsync(onEnvelope, new ReadOnlySequence<byte>(outcome.Body, offset, length)).ConfigureAwait(false);
                            lastSeen = number;
                        }
                        number++;
                    }
                    if (closed)
                    {
                        await AwaitBatchOutAsync().ConfigureAwait(false);
                        ClientLog.LongPollingClosed(_logger, _displayUri, (int?)closeCode, closeReason);
                        _closeReason = string.IsNullOrEmpty(closeReason) ? null : closeReason;
                        End(closeCode);
                        return;
                    }
                    continue;
                }
                if (!outcome.Retry || !await retries.WaitAsync(_options.ConnectTimeout, _end.Token).ConfigureAwait(false))
                {
                    ClientLog.LongPollingSessionLost(_logger, _displayUri, "GET", (int)outcome.Status);
                    End(null);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_end.IsCancellationRequested)
        {
            // Ended by the send loop or by CloseAsync.
        }
#pragma warning disable CA1031 // A bug here must end the connection, not the client.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ClientLog.LoopFailed(_logger, _displayUri, "poll", e);
            End(null);
        }
    }

    /// <summary>
    /// Waits (up to the connect timeout) for the answer to the batch that is out when the
    /// server closes the session: the server may have taken its envelopes before it closed, and only that answer
    /// confirms them, so they are not sent again, twice, on the next connection.
    /// </summary>
    private async Task AwaitBatchOutAsync()
    {
        try
        {
            await Volatile.Read(ref _posting).WaitAsync(_options.ConnectTimeout, _end.Token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // No answer in time: its envelopes stay unconfirmed and go out again on the next connection.
        }
    }

#pragma warning disable CA1031 // Application callbacks may throw anything; as on a WebSocket, the session must survive it.
    private async ValueTask DeliverAsync(Func<ReadOnlySequence<byte>, ValueTask> onEnvelope, ReadOnlySequence<byte> envelope)
    {
        try
        {
            await onEnvelope(envelope).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            ClientLog.CallbackFailed(_logger, _displayUri, e);
        }
    }
#pragma warning restore CA1031

    private async Task SendLoopAsync()
    {
        var batch = new List<EncodedMessage>();
        var body = new ArrayBufferWriter<byte>();
        var retries = new RetryStreak();
        try
        {
            while (true)
            {
                await _work.WaitAsync(_end.Token).ConfigureAwait(false);
                long seq;
                lock (_lock)
                {
                    if (_pending.Count == 0) continue; // a wake-up for envelopes an earlier batch took
                    seq = _firstPending;
                    batch.Clear();
                    var size = 2L;
                    foreach (var message in _pending)
                    {
                        size += message.Payload.Length + 1;
                        if (batch.Count > 0 && (size > MaxBatchBytes || batch.Count == MaxBatchEnvelopes)) break;
                        batch.Add(message);
                    }
                }
                body.ResetWrittenCount();
                LongPollingWire.WriteBatch(body, batch);
                var query = "session=" + _session + "&seq=" + seq;
                var posted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref _posting, posted.Task);
                try
                {
                    while (true)
                    {
                        var outcome = await RequestAsync(HttpMethod.Post, query, body.WrittenMemory, _options.ConnectTimeout).ConfigureAwait(false);
                        if (outcome.Status == HttpStatusCode.NoContent)
                        {
                            retries.Reset();
                            Confirm(batch.Count);
                            break;
                        }
                        if (outcome.Retry && await retries.WaitAsync(_options.ConnectTimeout, _end.Token).ConfigureAwait(false)) continue;
                        if (outcome.Retry || outcome.Status is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
                        {
                            // 409: the server misses envelopes it confirmed before; this session's sends cannot be repaired.
                            ClientLog.LongPollingSessionLost(_logger, _displayUri, "POST", (int)outcome.Status);
                            if (outcome.Status == HttpStatusCode.Conflict) _ = AbandonAsync();
                            End(null);
                            return;
                        }
                        // 400, 413 and the like: the server refused these envelopes and the session lives on, as it says.
                        ClientLog.LongPollingBatchRefused(_logger, _displayUri, (int)outcome.Status, batch.Count);
                        retries.Reset();
                        Confirm(batch.Count);
                        break;
                    }
                }
                finally
                {
                    posted.TrySetResult();
                }
                // Whatever queued up while this POST was out goes in the next one.
                lock (_lock)
                {
                    if (_pending.Count > 0) _work.Release();
                }
            }
        }
        catch (OperationCanceledException) when (_end.IsCancellationRequested)
        {
            // Ended by the poll loop or by CloseAsync.
        }
#pragma warning disable CA1031 // A bug here must end the connection, not the client.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ClientLog.LoopFailed(_logger, _displayUri, "send", e);
            End(null);
        }
    }

    /// <summary>Forgets the first <paramref name="count"/> pending envelopes: the server has them (or refused them).</summary>
    private void Confirm(int count)
    {
        TaskCompletionSource? progress;
        lock (_lock)
        {
            for (var i = 0; i < count; i++)
            {
                _pendingBytes -= _pending[i].Payload.Length;
                _pending[i].Dispose();
            }
            _pending.RemoveRange(0, count);
            _firstPending += count;
            progress = _progress;
            _progress = null;
        }
        progress?.TrySetResult();
    }

    /// <summary>
    /// Tells the server to drop the session (on close, or when this client gives up on it), rather than wait for its idle
    /// timeout; if the DELETE fails, the server ends the session after that timeout anyway.
    /// </summary>
    private async Task AbandonAsync()
    {
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout);
        try
        {
            using var request = NewRequest(HttpMethod.Delete, WithQuery(_endpoint, "session=" + _session), _options);
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            ClientLog.LongPollingRequestFailed(_logger, _displayUri, "DELETE", e.Message);
        }
    }

    /// <summary>
    /// One request of the session, bounded by <paramref name="timeout"/>. Never throws but for the end of the connection:
    /// a request that got no answer, or a 5xx, 408 or 429, comes back with <see cref="Outcome.Retry"/>.
    /// </summary>
    private async Task<Outcome> RequestAsync(HttpMethod method, string query, ReadOnlyMemory<byte>? body, TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_end.Token);
        deadline.CancelAfter(timeout);
        try
        {
            using var request = NewRequest(method, WithQuery(_endpoint, query), _options);
            if (body is { } content)
            {
                request.Content = new ReadOnlyMemoryContent(content);
                request.Content.Headers.ContentType = JsonContentType;
            }
            using var response = await _http.SendAsync(request, deadline.Token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            var status = response.StatusCode;
            var retry = (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
            if (retry) ClientLog.LongPollingRequestFailed(_logger, _displayUri, method.Method, $"HTTP {(int)status}");
            return new Outcome(status, bytes, retry);
        }
        catch (OperationCanceledException) when (!_end.IsCancellationRequested)
        {
            ClientLog.LongPollingRequestFailed(_logger, _displayUri, method.Method, $"no answer within {timeout}");
            return new Outcome(0, [], Retry: true);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            ClientLog.LongPollingRequestFailed(_logger, _displayUri, method.Method, e.Message);
            return new Outcome(0, [], Retry: true);
        }
    }

    private static HttpRequestMessage NewRequest(HttpMethod method, Uri uri, WebSocketClientOptions options)
    {
        var request = new HttpRequestMessage(method, uri);
        if (options.Origin is { } origin) request.Headers.TryAddWithoutValidation("Origin", origin);
        foreach (var (name, value) in options.Headers)
        {
            // The same fields as the WebSocket upgrade, under the same rule.
            if (ClientHandshake.IsReservedField(name)) throw new ArgumentException($"'{name}' cannot be sent as an extra header", nameof(options));
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return request;
    }

    /// <summary>The answer to one request; <see cref="Status"/> is 0 when none came.</summary>
    private readonly record struct Outcome(HttpStatusCode Status, byte[] Body, bool Retry);

    /// <summary>
    /// Consecutive failed requests: each retry waits a little longer (100 ms doubling up to 2 s), and the streak gives
    /// up once it has lasted longer than its limit.
    /// </summary>
    private sealed class RetryStreak
    {
        private long _since;
        private int _attempt;

        public void Reset()
        {
            _since = 0;
            _attempt = 0;
        }

        public async ValueTask<bool> WaitAsync(TimeSpan limit, CancellationToken cancellationToken)
        {
            var now = Environment.TickCount64;
            if (_since == 0) _since = now;
            if (now - _since >= (long)limit.TotalMilliseconds) return false;
            var delay = TimeSpan.FromMilliseconds(Math.Min(MaxRetryDelay.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(_attempt++, 10))));
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            return true;
        }
    }
}
