using System.Buffers;
using Switchboard.Protocol.Framing;

namespace Switchboard.Protocol.Connection;

public sealed partial class ProtocolConnection
{
    private const int MaxControlPayload = 125;

    // The answer to the latest ping, kept while the pump reports the output backed up.
    private byte[]? _keptPong;
    private int _keptPongLength;
    private bool _hasKeptPong;

    /// <summary>
    /// Whether the pump reported that the peer is not taking what is written (<see cref="OnOutputBackedUp"/>): pongs
    /// are then kept rather than written.
    /// </summary>
    public bool IsOutputBackedUp { get; private set; }

    /// <summary>
    /// Writes a ping (section 5.5.2), for an application that checks the peer itself; the keepalive needs no call.
    /// </summary>
    /// <param name="output">Where the frame goes.</param>
    /// <param name="payload">Application data the pong will echo, at most 125 bytes.</param>
    /// <returns>False, writing nothing, when the connection is no longer <see cref="ProtocolState.Open"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="payload"/> is longer than 125 bytes.</exception>
    public bool Ping(IBufferWriter<byte> output, ReadOnlySpan<byte> payload = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (payload.Length > MaxControlPayload)
        {
            throw new ArgumentException("A ping carries at most 125 bytes.", nameof(payload));
        }

        if (State != ProtocolState.Open)
        {
            return false;
        }

        FrameWriter.WriteFrame(output, Opcode.Ping, payload, fin: true, NextMaskKey());
        return true;
    }

    /// <summary>
    /// The pump's transport holds data the peer has not taken: from now on, the answer to a ping is not written but
    /// kept, only the latest one (section 5.5.3), so a peer that pings without reading cannot grow the backlog.
    /// </summary>
    public void OnOutputBackedUp() => IsOutputBackedUp = true;

    /// <summary>
    /// The peer has taken what was written: pongs are written again, starting with the answer to the latest ping
    /// kept meanwhile, if any.
    /// </summary>
    /// <param name="output">Where the kept pong goes.</param>
    /// <returns>Whether a pong was written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public bool OnOutputDrained(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        IsOutputBackedUp = false;
        if (!_hasKeptPong)
        {
            return false;
        }

        _hasKeptPong = false;
        FrameWriter.WriteFrame(output, Opcode.Pong, _keptPong.AsSpan(0, _keptPongLength), fin: true, NextMaskKey());
        return true;
    }

    private void AnswerPing(in ReadOnlySequence<byte> payload, IBufferWriter<byte> output)
    {
        if (IsOutputBackedUp)
        {
            _keptPong ??= new byte[MaxControlPayload];
            payload.CopyTo(_keptPong);
            _keptPongLength = (int)payload.Length;
            _hasKeptPong = true;
            return;
        }

        // A later answer stands for the one kept before it.
        _hasKeptPong = false;
        Span<byte> body = stackalloc byte[MaxControlPayload];
        payload.CopyTo(body);
        FrameWriter.WriteFrame(output, Opcode.Pong, body[..(int)payload.Length], fin: true, NextMaskKey());
    }

    // A null code writes a close frame without a body: the answer to a peer's close that had none.
    private void WriteClose(IBufferWriter<byte> output, CloseCode? code, string? reason)
    {
        uint? key = NextMaskKey();
        if (code is CloseCode status)
        {
            FrameWriter.WriteClose(output, status, reason, key);
        }
        else
        {
            FrameWriter.WriteFrame(output, Opcode.Close, [], fin: true, key);
        }
    }
}
