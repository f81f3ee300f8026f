#pragma warning disable CA1031 // Application handlers may throw anything; the connection must survive it.
using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Switchboard.Protocol;

namespace Switchboard.Server;

public sealed partial class WebSocketConnection
{
    /// <summary>
    /// Runs the connection to its end: every frame available in one read is parsed before the next read,
    /// messages go to the handler in order, control frames are answered here. Never throws.
    /// </summary>
    internal async Task RunAsync()
    {
        CloseCode? peerStatus = null;
        try
        {
            try
            {
                await Handler.OnConnectedAsync(this).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Log.HandlerFailed(_logger, Id, e);
            }
            peerStatus = await ReceiveAsync().ConfigureAwait(false);
            await _transport.CloseAsync(_options.CloseTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Log.TransportError(_logger, Id, e);
        }
        finally
        {
            Volatile.Write(ref _state, (int)WebSocketConnectionState.Closed);
            await _closeTimeout.CancelAsync().ConfigureAwait(false);
            _closeTimeout.Dispose();
            _message.Dispose();
            await _transport.DisposeAsync().ConfigureAwait(false);
            Log.Disconnected(_logger, Id, peerStatus);
            try
            {
                await Handler.OnDisconnectedAsync(this, peerStatus).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Log.HandlerFailed(_logger, Id, e);
            }
        }
    }

    private readonly MessageBuffer _message = new();
    private Opcode _messageOpcode;

    /// <summary>Reads until the closing handshake is done or the peer is gone; returns the peer's close code.</summary>
    private async Task<CloseCode?> ReceiveAsync()
    {
        var input = _transport.Input;
        var frames = new FrameReader(WebSocketRole.Server, _options.Frames);
        while (true)
        {
            var result = await input.ReadAsync().ConfigureAwait(false);
            var buffer = result.Buffer;
            if (!buffer.IsEmpty) Volatile.Write(ref _lastReceived, Environment.TickCount64);

            while (frames.TryRead(buffer, out var consumed, out _, out var frame))
            {
                switch (frame.Kind)
                {
                    case FrameEventKind.Data:
                        await OnDataAsync(frame).ConfigureAwait(false);
                        break;
                    case FrameEventKind.Control when frame.Opcode == Opcode.Ping:
                        await WriteAsync(Opcode.Pong, frame.Payload, CancellationToken.None).ConfigureAwait(false);
                        break;
                    case FrameEventKind.Control when frame.Opcode == Opcode.Close:
                        // Answer with the peer's own code (section 5.5.1); ours was already sent if we started.
                        await SendCloseAsync(frame.CloseStatus, null).ConfigureAwait(false);
                        input.AdvanceTo(buffer.End);
                        return frame.CloseStatus;
                    case FrameEventKind.Error:
                        Log.ProtocolError(_logger, Id, frame.Error.ToCloseCode(), frame.Error);
                        await SendCloseAsync(frame.Error.ToCloseCode(), frame.Error.Describe()).ConfigureAwait(false);
                        input.AdvanceTo(buffer.End);
                        return null;
                }
                buffer = buffer.Slice(consumed);
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) return null; // TCP ended without a close frame (1006)
        }
    }

    private async ValueTask OnDataAsync(FrameEvent frame)
    {
        // After our close frame the peer may still send data; it is read and dropped (section 7.1.2).
        if (Volatile.Read(ref _closeSent) != 0) return;

        if (frame.EndOfMessage && _message.IsEmpty)
        {
            await DispatchAsync(new WebSocketMessage(frame.Opcode, frame.Payload)).ConfigureAwait(false);
            return;
        }

        if (_message.IsEmpty) _messageOpcode = frame.Opcode;
        _message.Append(frame.Payload);
        if (!frame.EndOfMessage) return;
        try
        {
            await DispatchAsync(new WebSocketMessage(_messageOpcode, _message.Written)).ConfigureAwait(false);
        }
        finally
        {
            _message.Reset();
        }
    }

    /// <summary>A handler that throws is logged; the connection lives on.</summary>
    private async ValueTask DispatchAsync(WebSocketMessage message)
    {
        try
        {
            await Handler.OnMessageAsync(this, message).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.HandlerFailed(_logger, Id, e);
        }
    }
}
