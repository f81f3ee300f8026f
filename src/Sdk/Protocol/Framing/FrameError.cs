namespace Switchboard.Protocol.Framing;

/// <summary>
/// Why a peer's frames were rejected (RFC 6455 section 5.2 and the rules it references). Each value
/// maps to a close status through <see cref="FrameErrorExtensions.ToCloseCode(FrameError)"/>.
/// </summary>
public enum FrameError : byte
{
    /// <summary>No error.</summary>
    None,

    /// <summary>RSV1, RSV2 or RSV3 is set, but no extension that defines them was negotiated (section 5.2).</summary>
    ReservedBitsSet,

    /// <summary>The opcode is one of the reserved values 0x3-0x7 or 0xB-0xF (section 5.2).</summary>
    ReservedOpcode,

    /// <summary>A control frame declares a payload longer than 125 bytes (section 5.5).</summary>
    ControlFrameTooLong,

    /// <summary>A control frame has FIN clear; control frames must not be fragmented (section 5.5).</summary>
    ControlFrameFragmented,

    /// <summary>A server read a frame without a mask; clients must mask every frame (section 5.1).</summary>
    UnmaskedClientFrame,

    /// <summary>A client read a masked frame; servers must not mask (section 5.1).</summary>
    MaskedServerFrame,

    /// <summary>A 64-bit payload length has its most significant bit set (section 5.2).</summary>
    PayloadLengthTopBitSet,

    /// <summary>A payload length uses a longer encoding than needed (section 5.2: "the minimal number of bytes MUST be used").</summary>
    NonMinimalLength,

    /// <summary>A continuation frame arrived while no fragmented message was open (section 5.4).</summary>
    UnexpectedContinuation,

    /// <summary>A text or binary frame arrived while a fragmented message was still open (section 5.4).</summary>
    ExpectedContinuation,

    /// <summary>A text message is not valid UTF-8 (sections 5.6 and 8.1).</summary>
    InvalidUtf8,

    /// <summary>A close frame carries a 1-byte payload, too short for a status code (section 5.5.1).</summary>
    InvalidClosePayload,

    /// <summary>A close frame carries a status code that must not appear on the wire (section 7.4).</summary>
    InvalidCloseCode,

    /// <summary>A close frame's reason is not valid UTF-8 (section 5.5.1).</summary>
    InvalidCloseReason,

    /// <summary>A frame declares a payload larger than <see cref="FrameReaderOptions.MaxFrameSize"/>.</summary>
    FrameTooBig,

    /// <summary>A message grows larger than <see cref="FrameReaderOptions.MaxMessageSize"/>.</summary>
    MessageTooBig,

    /// <summary>A message comes in more frames than <see cref="FrameReaderOptions.MaxFragments"/>.</summary>
    TooManyFragments,

    /// <summary>A compressed message is not valid deflate data (RFC 7692 section 7.2.2).</summary>
    InvalidCompressedData,
}
