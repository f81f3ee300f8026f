using System.Runtime.CompilerServices;

namespace Switchboard.Connections;

public sealed partial class WebSocketSession
{
    private const int MaxPingPayload = 125;

    /// <summary>
    /// Sends a ping (RFC 6455 section 5.5.2), for an application that checks the peer itself or shows the exchange; the
    /// keepalive needs no call. The peer's pong is read like any frame: a <see cref="FrameObserver"/> sees it.
    /// </summary>
    /// <param name="payload">Application data the pong echoes, at most 125 bytes.</param>
    /// <param name="cancellationToken">Cancels the wait for the write lock.</param>
    /// <returns>False, sending nothing, when the connection is no longer open.</returns>
    /// <exception cref="ArgumentException"><paramref name="payload"/> is longer than 125 bytes.</exception>
    public ValueTask<bool> PingAsync(ReadOnlyMemory<byte> payload = default, CancellationToken cancellationToken = default)
    {
        if (payload.Length > MaxPingPayload)
            throw new ArgumentException($"a ping carries at most {MaxPingPayload} bytes, not {payload.Length}", nameof(payload));
        return WritePingAsync(payload, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> WritePingAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (HasFlags(SessionFlags.Closed)) return false;
            var output = _transport.Output;
            if (!_protocol.Ping(output, payload.Span)) return false;
            await FlushOrLeaveAsync(output, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            SessionLog.TransportError(_logger, Id, e);
            Abort();
            return false;
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
