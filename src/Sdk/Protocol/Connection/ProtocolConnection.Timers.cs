using System.Buffers;
using Switchboard.Protocol.Framing;

namespace Switchboard.Protocol.Connection;

public sealed partial class ProtocolConnection
{
    // Timestamps of the options' TimeProvider.
    private long _lastReceived;
    // When the wait for the peer began: for the answer to our keepalive ping while open, for the answer to our close
    // frame while closing. The two never overlap, so one timestamp serves both.
    private long _waitStarted;
    private bool _awaitingPeer; // a keepalive ping is out and nothing has come since

    /// <summary>
    /// How long until <see cref="OnTimer"/> has something to do: the keepalive ping or its timeout while open, the
    /// close timeout while <see cref="ProtocolState.Closing"/>. Zero when overdue; null when nothing is due (keepalive
    /// off, or the connection done). Bytes read and frames written move it, so the pump asks again after each batch.
    /// </summary>
    /// <returns>The time left, or null.</returns>
    public TimeSpan? GetNextDeadline()
    {
        TimeSpan elapsed;
        TimeSpan limit;
        switch (State)
        {
            case ProtocolState.Closing:
                elapsed = Time.GetElapsedTime(_waitStarted);
                limit = _options.CloseTimeout;
                break;
            case ProtocolState.Open when _options.KeepAliveInterval > TimeSpan.Zero:
                elapsed = Time.GetElapsedTime(_awaitingPeer ? _waitStarted : _lastReceived);
                limit = _awaitingPeer ? _options.KeepAliveTimeout : _options.KeepAliveInterval;
                break;
            default:
                return null;
        }

        return elapsed >= limit ? TimeSpan.Zero : limit - elapsed;
    }

    /// <summary>
    /// Runs whatever deadline has passed: writes the keepalive ping to a peer silent for
    /// <see cref="ProtocolConnectionOptions.KeepAliveInterval"/>, declares dead one silent for
    /// <see cref="ProtocolConnectionOptions.KeepAliveTimeout"/> after it, or gives up on a close frame unanswered for
    /// <see cref="ProtocolConnectionOptions.CloseTimeout"/>. Harmless when nothing is due.
    /// </summary>
    /// <param name="output">Where the ping goes.</param>
    /// <returns>What was done, and so what the pump must do.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public TimerOutcome OnTimer(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        long now = Time.GetTimestamp();
        if (State == ProtocolState.Closing)
        {
            if (Time.GetElapsedTime(_waitStarted, now) < _options.CloseTimeout)
            {
                return TimerOutcome.None;
            }

            Finish(ProtocolState.Closed);
            return TimerOutcome.CloseTimedOut;
        }

        if (State != ProtocolState.Open || _options.KeepAliveInterval <= TimeSpan.Zero)
        {
            return TimerOutcome.None;
        }

        if (_awaitingPeer)
        {
            if (Time.GetElapsedTime(_waitStarted, now) < _options.KeepAliveTimeout)
            {
                return TimerOutcome.None;
            }

            Finish(ProtocolState.Closed);
            return TimerOutcome.KeepAliveTimedOut;
        }

        if (Time.GetElapsedTime(_lastReceived, now) < _options.KeepAliveInterval)
        {
            return TimerOutcome.None;
        }

        FrameWriter.WriteFrame(output, Opcode.Ping, [], fin: true, NextMaskKey());
        _waitStarted = now;
        _awaitingPeer = true;
        return TimerOutcome.PingWritten;
    }

    // Only the keepalive asks when the peer was last heard from: without it, reads take no timestamps.
    private void HeardFromPeer()
    {
        if (_options.KeepAliveInterval > TimeSpan.Zero)
        {
            _lastReceived = Time.GetTimestamp();
            _awaitingPeer = false;
        }
    }
}
