using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Switchboard.Protocol.Framing;

/// <summary>
/// What <see cref="FrameReader"/> is made of: its state and its reading, as a mutable struct, so that a
/// <see cref="Connection.ProtocolConnection"/> holds its reader inline rather than as an object of its own that every
/// connection, idle or not, keeps for its whole life. Same contract as <see cref="FrameReader"/>; keep it in a field
/// and never copy it.
/// </summary>
internal struct FrameParser
{
    private const int CloseStatusLength = 2;

    private readonly bool _expectMasked;
    // The limits are read from the options, which are immutable: one reference is smaller than copies of each limit,
    // and every connection keeps its reader for its whole life.
    private readonly FrameReaderOptions _limits;
    private readonly byte _allowedRsv;

    private FrameError _error;

    // The data frame whose payload is being streamed; meaningful while _frameRemaining > 0.
    private long _frameRemaining;
    private bool _frameFin;
    private bool _frameMasked;
    private uint _maskKey;
    private int _maskOffset;

    // The open data message; Continuation stands for "none".
    private Opcode _messageOpcode;
    private long _messageLength;
    private int _messageFrames;
    private Utf8Validator _utf8;
    private bool _messageCompressed; // RSV1 on the first frame: the payload is deflate data, validated once inflated

    // With WholeDataFrames: how much of the held-back text frame's payload was validated, and the validator after it.
    private long _peeked;
    private Utf8Validator _peekedUtf8;

    /// <summary>Creates a parser for the side of the connection that reads.</summary>
    /// <param name="role">
    /// The reading side: a <see cref="WebSocketRole.Server"/> requires masked frames, a
    /// <see cref="WebSocketRole.Client"/> requires unmasked ones.
    /// </param>
    /// <param name="options">Limits; <see cref="FrameReaderOptions.Default"/> when null.</param>
    public FrameParser(WebSocketRole role, FrameReaderOptions? options = null)
    {
        _expectMasked = role == WebSocketRole.Server;
        _limits = options ?? FrameReaderOptions.Default;
    }

    /// <summary>
    /// When true, a data frame is returned only once its whole payload is available, as one event, instead of
    /// streamed in pieces: until then the call needs more and consumes nothing. Its header is still checked as
    /// soon as it is complete, so a frame over a limit fails before its payload arrives, and the UTF-8 of a text frame
    /// is validated as its bytes come, so invalid text fails before the frame ends. The caller's buffer holds
    /// up to <see cref="FrameReaderOptions.MaxFrameSize"/> bytes; in return a message of one frame is a slice of
    /// the input, never copied.
    /// </summary>
    public bool WholeDataFrames { get; init; }

    /// <summary>Sees each frame once as it is taken, before its payload is unmasked; null (the default) costs one check per frame.</summary>
    public IFrameTraceObserver? Trace { readonly get; set; }

    /// <summary>
    /// When true, permessage-deflate was negotiated (RFC 7692 section 6): RSV1 is allowed on the first frame of a data
    /// message, which is then reported <see cref="FrameEvent.Compressed"/> and not validated as UTF-8 (its inflated
    /// bytes are); RSV1 on a control frame or a continuation is still <see cref="FrameError.ReservedBitsSet"/>.
    /// </summary>
    public bool PerMessageDeflate
    {
        readonly get => _allowedRsv != 0;
        init => _allowedRsv = value ? (byte)4 : (byte)0;
    }

    /// <inheritdoc cref="FrameReader.TryRead"/>
    public bool TryRead(in ReadOnlySequence<byte> input, out SequencePosition consumed, out SequencePosition examined, out FrameEvent frameEvent)
    {
        if (_error != FrameError.None)
        {
            return Fail(_error, input, out consumed, out examined, out frameEvent);
        }

        if (_frameRemaining > 0)
        {
            if (input.IsEmpty)
            {
                return NeedMore(input, out consumed, out examined, out frameEvent);
            }

            return ReadPayload(input, input.Start, out consumed, out examined, out frameEvent);
        }

        return TryReadFrame(input, out consumed, out examined, out frameEvent);
    }

    private bool TryReadFrame(in ReadOnlySequence<byte> input, out SequencePosition consumed, out SequencePosition examined, out FrameEvent frameEvent)
    {
        if (!FrameHeader.TryRead(input, _allowedRsv, out FrameHeader header, out FrameError error))
        {
            return NeedMore(input, out consumed, out examined, out frameEvent);
        }

        if (error == FrameError.None && header.Masked != _expectMasked)
        {
            error = _expectMasked ? FrameError.UnmaskedClientFrame : FrameError.MaskedServerFrame;
        }

        if (error == FrameError.None && header.PayloadLength > _limits.MaxFrameSize)
        {
            error = FrameError.FrameTooBig;
        }

        if (error != FrameError.None)
        {
            return Fail(error, input, out consumed, out examined, out frameEvent);
        }

        if (FrameHeader.IsControl(header.Opcode))
        {
            return TryReadControl(input, header, out consumed, out examined, out frameEvent);
        }

        // Section 5.4: a continuation needs an open message, and a new message needs none open.
        bool continuation = header.Opcode == Opcode.Continuation;
        bool messageOpen = _messageOpcode != Opcode.Continuation;
        if (continuation != messageOpen)
        {
            error = continuation ? FrameError.UnexpectedContinuation : FrameError.ExpectedContinuation;
            return Fail(error, input, out consumed, out examined, out frameEvent);
        }

        long messageLength = continuation ? _messageLength : 0;
        if (header.PayloadLength > _limits.MaxMessageSize - messageLength)
        {
            return Fail(FrameError.MessageTooBig, input, out consumed, out examined, out frameEvent);
        }

        int messageFrames = continuation ? _messageFrames : 0;
        if (messageFrames >= _limits.MaxFragments)
        {
            return Fail(FrameError.TooManyFragments, input, out consumed, out examined, out frameEvent);
        }

        ReadOnlySequence<byte> payload = input.Slice(header.Length);
        if (header.PayloadLength > 0 && payload.IsEmpty)
        {
            // Nothing to report yet: leave the header unconsumed and parse it again next time.
            return NeedMore(input, out consumed, out examined, out frameEvent);
        }

        if (WholeDataFrames && payload.Length < header.PayloadLength)
        {
            bool text = continuation ? _messageOpcode == Opcode.Text && !_messageCompressed : header.Opcode == Opcode.Text && header.Rsv == 0;
            if (text && !PeekUtf8(payload, header, continuation))
            {
                _peeked = 0;
                return Fail(FrameError.InvalidUtf8, input, out consumed, out examined, out frameEvent);
            }

            return NeedMore(input, out consumed, out examined, out frameEvent);
        }

        _peeked = 0;
        Trace?.OnFrame(new FrameTrace(header, payload));

        if (!continuation)
        {
            _messageOpcode = header.Opcode;
            _messageCompressed = header.Rsv != 0;
            _utf8.Reset();
        }

        _messageLength = messageLength + header.PayloadLength;
        _messageFrames = messageFrames + 1;
        _frameRemaining = header.PayloadLength;
        _frameFin = header.Fin;
        _frameMasked = header.Masked;
        _maskKey = header.MaskKey;
        _maskOffset = 0;
        return ReadPayload(payload, input.Start, out consumed, out examined, out frameEvent);
    }

    // Returns the available part of the current data frame's payload, which starts at input. A failure reports
    // nothing consumed from start, the caller's input: a header read in the same call stays unconsumed, as it does
    // for every other error.
    private bool ReadPayload(in ReadOnlySequence<byte> input, SequencePosition start, out SequencePosition consumed, out SequencePosition examined, out FrameEvent frameEvent)
    {
        ReadOnlySequence<byte> payload = input.Length > _frameRemaining ? input.Slice(0, _frameRemaining) : input;
        _frameRemaining -= payload.Length;
        bool endOfMessage = _frameRemaining == 0 && _frameFin;
        bool text = _messageOpcode == Opcode.Text && !_messageCompressed;

        if (payload.IsSingleSegment)
        {
            if (!Process(MemoryMarshal.AsMemory(payload.First).Span, text))
            {
                return Fail(FrameError.InvalidUtf8, start, input.End, out consumed, out examined, out frameEvent);
            }
        }
        else
        {
            foreach (ReadOnlyMemory<byte> segment in payload)
            {
                if (!Process(MemoryMarshal.AsMemory(segment).Span, text))
                {
                    return Fail(FrameError.InvalidUtf8, start, input.End, out consumed, out examined, out frameEvent);
                }
            }
        }

        if (endOfMessage && text && !_utf8.IsComplete)
        {
            return Fail(FrameError.InvalidUtf8, start, input.End, out consumed, out examined, out frameEvent);
        }

        frameEvent = FrameEvent.Data(_messageOpcode, payload, endOfMessage, _messageCompressed);
        if (endOfMessage)
        {
            _messageOpcode = Opcode.Continuation;
            _messageCompressed = false;
            _messageLength = 0;
            _messageFrames = 0;
        }

        consumed = examined = payload.End;
        return true;
    }

    // A text frame held back until it is whole is still judged as its bytes come (section 8.1, fail fast): a copy of
    // the validator runs over an unmasked copy of the bytes present, resuming where the previous call stopped, since
    // each call starts at the same frame. The frame's own validation runs again once it is taken.
    private bool PeekUtf8(in ReadOnlySequence<byte> payload, in FrameHeader header, bool continuation)
    {
        if (_peeked == 0)
        {
            _peekedUtf8 = continuation ? _utf8 : default;
        }

        Span<byte> chunk = stackalloc byte[256];
        ReadOnlySequence<byte> rest = payload.Slice(_peeked);
        while (!rest.IsEmpty)
        {
            int count = (int)Math.Min(chunk.Length, rest.Length);
            Span<byte> piece = chunk[..count];
            rest.Slice(0, count).CopyTo(piece);
            if (header.Masked)
            {
                Mask.Apply(piece, header.MaskKey, (int)(_peeked & 3));
            }

            if (!_peekedUtf8.TryAppend(piece))
            {
                return false;
            }

            _peeked += count;
            rest = rest.Slice(count);
        }

        return true;
    }

    // Unmasks one piece of a data payload and, for text, validates it while it is in cache.
    private bool Process(Span<byte> piece, bool text)
    {
        if (_frameMasked)
        {
            _maskOffset = Mask.Apply(piece, _maskKey, _maskOffset);
        }

        return !text || _utf8.TryAppend(piece);
    }

    private bool TryReadControl(in ReadOnlySequence<byte> input, FrameHeader header, out SequencePosition consumed, out SequencePosition examined, out FrameEvent frameEvent)
    {
        if (input.Length - header.Length < header.PayloadLength)
        {
            return NeedMore(input, out consumed, out examined, out frameEvent);
        }

        ReadOnlySequence<byte> payload = input.Slice(header.Length, header.PayloadLength);
        Trace?.OnFrame(new FrameTrace(header, payload));
        if (header.Masked)
        {
            int offset = 0;
            foreach (ReadOnlyMemory<byte> segment in payload)
            {
                offset = Mask.Apply(MemoryMarshal.AsMemory(segment).Span, header.MaskKey, offset);
            }
        }

        ushort closeStatus = 0;
        if (header.Opcode == Opcode.Close)
        {
            FrameError error = ValidateClose(payload, out closeStatus);
            if (error != FrameError.None)
            {
                return Fail(error, input, out consumed, out examined, out frameEvent);
            }
        }

        frameEvent = FrameEvent.Control(header.Opcode, payload, closeStatus);
        consumed = examined = payload.End;
        return true;
    }

    // Section 5.5.1: an empty body, or a 2-byte status code followed by a UTF-8 reason.
    private static FrameError ValidateClose(in ReadOnlySequence<byte> payload, out ushort closeStatus)
    {
        closeStatus = 0;
        if (payload.IsEmpty)
        {
            return FrameError.None;
        }

        if (payload.Length < CloseStatusLength)
        {
            return FrameError.InvalidClosePayload;
        }

        Span<byte> status = stackalloc byte[CloseStatusLength];
        payload.Slice(0, CloseStatusLength).CopyTo(status);
        ushort code = BinaryPrimitives.ReadUInt16BigEndian(status);
        if (!IsValidOnWire(code))
        {
            return FrameError.InvalidCloseCode;
        }

        var reason = default(Utf8Validator);
        foreach (ReadOnlyMemory<byte> segment in payload.Slice(CloseStatusLength))
        {
            if (!reason.TryAppend(segment.Span))
            {
                return FrameError.InvalidCloseReason;
            }
        }

        if (!reason.IsComplete)
        {
            return FrameError.InvalidCloseReason;
        }

        closeStatus = code;
        return FrameError.None;
    }

    /// <summary>
    /// Whether a status code may appear in a close frame (RFC 6455 section 7.4): the defined codes
    /// except 1004-1006 and 1015, or a code registered with IANA (3000-3999) or private (4000-4999).
    /// </summary>
    public static bool IsValidOnWire(ushort code) => code switch
    {
        >= 1000 and <= 1003 => true,
        >= 1007 and <= 1014 => true,
        >= 3000 and <= 4999 => true,
        _ => false,
    };

    private bool Fail(FrameError error, in ReadOnlySequence<byte> input, out SequencePosition consumed, out SequencePosition examined, out FrameEvent frameEvent) =>
        Fail(error, input.Start, input.End, out consumed, out examined, out frameEvent);

    private bool Fail(FrameError error, SequencePosition start, SequencePosition end, out SequencePosition consumed, out SequencePosition examined, out FrameEvent frameEvent)
    {
        _error = error;
        consumed = start;
        examined = end;
        frameEvent = FrameEvent.Failure(error);
        return true;
    }

    private static bool NeedMore(in ReadOnlySequence<byte> input, out SequencePosition consumed, out SequencePosition examined, out FrameEvent frameEvent)
    {
        consumed = input.Start;
        examined = input.End;
        frameEvent = default;
        return false;
    }
}
