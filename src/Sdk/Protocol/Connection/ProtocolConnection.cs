using System.Buffers;
using Switchboard.Protocol.Compression;
using Switchboard.Protocol.Framing;

namespace Switchboard.Protocol.Connection;

/// <summary>
/// One WebSocket connection after the opening handshake, sans I/O: bytes from the peer go in and come out as
/// messages, pings, pongs and the peer's close; what the application sends goes in and comes out as frames to write.
/// It assembles fragmented messages (section 5.4), answers pings (section 5.5.2), runs the closing handshake
/// (sections 5.5.1 and 7), fails the connection with the right status on any protocol violation (section 7.1.7), and
/// tells when the keepalive and the close timeout are due. No sockets, tasks, threads, locks or clocks: time comes
/// from <see cref="ProtocolConnectionOptions.TimeProvider"/>, and a pump does the I/O.
/// </summary>
/// <remarks>
/// <para>
/// <b>Output.</b> Every call that may produce bytes takes the <see cref="IBufferWriter{T}"/> to write them to (the
/// transport's pipe, for instance) and writes whole frames there, masked with a fresh key from
/// <see cref="ProtocolConnectionOptions.MaskKeys"/> in the client role. Nothing is buffered inside except the answer
/// to the latest ping while the pump reports the output backed up (<see cref="OnOutputBackedUp"/>). The pump flushes
/// the writer when it likes: once per read, after all its events, is the cheapest.
/// </para>
/// <para>
/// <b>Input.</b> <see cref="TryRead"/> follows the reader contract of the core: false means "need more" and it never
/// throws on any input. A data frame is taken only once it is whole, so a message of one frame is handed out as a
/// slice of the input without a copy; the fragments of a longer message are copied into one pooled buffer, reused
/// for the next.
/// </para>
/// <para>
/// <b>Time.</b> Nothing runs by itself: the pump calls <see cref="OnTimer"/> when <see cref="GetNextDeadline"/> says
/// so (calling it early or late is harmless) and acts on the <see cref="TimerOutcome"/>.
/// </para>
/// <para>
/// <b>Ending.</b> Once <see cref="State"/> is <see cref="ProtocolState.CloseReceived"/> or
/// <see cref="ProtocolState.Closed"/>, nothing more is read or written: the pump sends what it holds and ends the
/// transport (section 7.1.1: a server at once; a client after the server ends TCP, waiting at most
/// <see cref="ProtocolConnectionOptions.CloseTimeout"/>, a wait the pump bounds itself). A pump whose transport ends
/// first calls <see cref="Abort"/>.
/// </para>
/// <para>
/// <b>Thread safety.</b> None: the pump serializes every call (one receive loop and the senders taking turns under
/// its write lock, or one I/O thread). Properties may be read under the same rule.
/// </para>
/// </remarks>
/// <example>
/// A receive step of a pump over a pipe:
/// <code>
/// ReadOnlySequence&lt;byte&gt; buffer = result.Buffer;
/// SequencePosition consumed, examined;
/// while (connection.TryRead(buffer, output, out consumed, out examined, out ProtocolEvent e))
/// {
///     Handle(e); // e.Payload is valid until the next TryRead
///     buffer = buffer.Slice(consumed);
/// }
/// input.AdvanceTo(consumed, examined); // fragments taken into the assembly buffer are consumed too
/// await output.FlushAsync();
/// if (connection.State is ProtocolState.CloseReceived or ProtocolState.Closed) { /* end the transport */ }
/// </code>
/// </example>
public sealed partial class ProtocolConnection
{
    // Held inline, not as an object of its own: a server keeps many connections, most of them idle.
    private FrameParser _frames;
    private readonly ProtocolConnectionOptions _options;

    private CloseCode _peerCloseStatus; // 0 for none
    private FrameError _error;

    /// <summary>Creates the state machine of an open connection.</summary>
    /// <param name="role">
    /// This end: a <see cref="WebSocketRole.Server"/> reads masked frames and writes unmasked ones, a
    /// <see cref="WebSocketRole.Client"/> the other way round (section 5.1).
    /// </param>
    /// <param name="options">Limits, timers and sources; <see cref="ProtocolConnectionOptions.Default"/> when null.</param>
    /// <param name="deflate">
    /// What the opening handshake settled of permessage-deflate (RFC 7692), or null when it was not negotiated: RSV1
    /// is then a protocol error, and nothing is compressed.
    /// </param>
    public ProtocolConnection(WebSocketRole role, ProtocolConnectionOptions? options = null, DeflateParameters? deflate = null)
    {
        Role = role;
        _options = options ?? ProtocolConnectionOptions.Default;
        _deflate = deflate;
        _frames = new FrameParser(role, _options.Frames) { WholeDataFrames = true, PerMessageDeflate = deflate is not null };
        _lastReceived = Time.GetTimestamp();
    }

    /// <summary>
    /// Sees every frame the reader takes from the peer, data and control, with its header fields and first payload
    /// bytes (<see cref="FrameTrace"/>); null, the default, traces nothing. Set it before the first read.
    /// </summary>
    public IFrameTraceObserver? FrameObserver
    {
        get => _frames.Trace;
        set => _frames.Trace = value;
    }

    /// <summary>Which end of the connection this is.</summary>
    public WebSocketRole Role { get; }

    /// <summary>Where the connection stands in the closing handshake.</summary>
    public ProtocolState State { get; private set; }

    private TimeProvider Time => _options.TimeProvider;

    /// <summary>The status code of the peer's close frame, once it came; null before that or when it carried none.</summary>
    public CloseCode? PeerCloseStatus => _peerCloseStatus == 0 ? null : _peerCloseStatus;

    /// <summary>Why the connection failed, when the peer broke the protocol; otherwise <see cref="FrameError.None"/>.</summary>
    public FrameError Error => _error;

    /// <summary>
    /// Reads the next event from the peer's bytes, writing the automatic answers (a pong, the answer to a close, the
    /// close frame that fails the connection) to <paramref name="output"/>. Never throws on any input.
    /// </summary>
    /// <param name="input">
    /// Unread bytes, starting where the previous call's <paramref name="consumed"/> pointed (or at the connection's
    /// first frame byte). Masked payloads are unmasked in place, so the caller must never pass consumed bytes again.
    /// Any call with bytes counts as hearing from the peer for the keepalive.
    /// </param>
    /// <param name="output">Where frames the connection answers with go.</param>
    /// <param name="consumed">How far the caller may release the input; may move even when the result is false.</param>
    /// <param name="examined">How far the connection looked; wait for bytes beyond it before calling with no new ones.</param>
    /// <param name="protocolEvent">The event when the result is true; default otherwise.</param>
    /// <returns>
    /// True for one event. False when more bytes are needed: <paramref name="consumed"/> is past the frames that
    /// were taken without an event (fragments copied into the assembly buffer, data dropped while
    /// <see cref="ProtocolState.Closing"/>) and <paramref name="examined"/> is the end of the input; every prefix of
    /// one frame consumes nothing. Also false, with everything consumed and discarded, once the state is
    /// <see cref="ProtocolState.CloseReceived"/> or <see cref="ProtocolState.Closed"/> (section 5.5.1: nothing after
    /// a close frame is processed).
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public bool TryRead(in ReadOnlySequence<byte> input, IBufferWriter<byte> output, out SequencePosition consumed, out SequencePosition examined,
        out ProtocolEvent protocolEvent)
    {
        ArgumentNullException.ThrowIfNull(output);
        EndDeliveredMessage();
        protocolEvent = default;
        if (State is ProtocolState.CloseReceived or ProtocolState.Closed)
        {
            consumed = examined = input.End;
            return false;
        }

        if (!input.IsEmpty)
        {
            HeardFromPeer();
        }

        ReadOnlySequence<byte> rest = input;
        while (_frames.TryRead(rest, out SequencePosition frameEnd, out SequencePosition frameExamined, out FrameEvent frame))
        {
            switch (frame.Kind)
            {
                case FrameEventKind.Data:
                    protocolEvent = TakeData(frame, output);
                    if (protocolEvent.Kind == ProtocolEventKind.None)
                    {
                        rest = rest.Slice(frameEnd);
                        continue;
                    }

                    break;
                case FrameEventKind.Control:
                    protocolEvent = TakeControl(frame, output);
                    break;
                default:
                    protocolEvent = Fail(frame.Error, output);
                    consumed = frameEnd;
                    examined = frameExamined;
                    return true;
            }

            // A failure while assembling reports the frame unconsumed, as the frame reader does.
            consumed = protocolEvent.Kind == ProtocolEventKind.Failed ? rest.Start : frameEnd;
            examined = protocolEvent.Kind == ProtocolEventKind.Failed ? input.End : frameEnd;
            return true;
        }

        consumed = rest.Start;
        examined = input.End;
        return false;
    }

    /// <summary>
    /// Starts the closing handshake (section 7.1.2): writes our close frame and moves to
    /// <see cref="ProtocolState.Closing"/>, where the close timeout runs. Nothing is written after it.
    /// </summary>
    /// <param name="output">Where the close frame goes.</param>
    /// <param name="code">The status code; must be allowed on the wire (not 1005, 1006, 1015, ...).</param>
    /// <param name="reason">An optional reason, cut on a character boundary to fit the frame's 123 bytes.</param>
    /// <returns>False, writing nothing, when the connection is no longer open.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> must not be sent (section 7.4).</exception>
    public bool Close(IBufferWriter<byte> output, CloseCode code = CloseCode.NormalClosure, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!FrameParser.IsValidOnWire((ushort)code))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "The status code must not be sent in a close frame.");
        }

        if (State != ProtocolState.Open)
        {
            return false;
        }

        WriteClose(output, code, reason);
        Finish(ProtocolState.Closing);
        _waitStarted = Time.GetTimestamp();
        return true;
    }

    /// <summary>
    /// Ends the connection without a closing handshake: the transport ended or failed (status 1006 for the
    /// application), or the pump gave up on it. Moves to <see cref="ProtocolState.Closed"/>; nothing is written.
    /// </summary>
    public void Abort() => Finish(ProtocolState.Closed);

    // Section 7.1.7: on a violation, send the close frame (unless ours is out already) and process nothing more.
    private ProtocolEvent Fail(FrameError error, IBufferWriter<byte> output)
    {
        if (State == ProtocolState.Open)
        {
            WriteClose(output, error.ToCloseCode(), error.Describe());
        }

        _error = error;
        Finish(ProtocolState.Closed);
        return ProtocolEvent.Failure(error);
    }

    private ProtocolEvent TakeControl(in FrameEvent frame, IBufferWriter<byte> output)
    {
        switch (frame.Opcode)
        {
            case Opcode.Ping:
                // Section 5.5.2: answered while open; after our close frame nothing more is written.
                if (State == ProtocolState.Open)
                {
                    AnswerPing(frame.Payload, output);
                }

                return ProtocolEvent.Control(ProtocolEventKind.Ping, Opcode.Ping, frame.Payload, null);
            case Opcode.Pong:
                return ProtocolEvent.Control(ProtocolEventKind.Pong, Opcode.Pong, frame.Payload, null);
            default:
                // Section 5.5.1: answer with the peer's own status code, unless this is the answer to ours.
                _peerCloseStatus = frame.CloseStatus.GetValueOrDefault();
                if (State == ProtocolState.Open)
                {
                    WriteClose(output, frame.CloseStatus, reason: null);
                    Finish(ProtocolState.CloseReceived);
                }
                else
                {
                    Finish(ProtocolState.Closed);
                }

                return ProtocolEvent.Control(ProtocolEventKind.Close, Opcode.Close, frame.Payload, frame.CloseStatus);
        }
    }

    /// <summary>Leaves the open state: no data is delivered or written from now on, so what only an open connection needs goes.</summary>
    private void Finish(ProtocolState state)
    {
        State = state;
        _hasKeptPong = false;
        DropMessage();
        DropCompression();
    }
}
