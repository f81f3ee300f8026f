namespace Switchboard.Protocol.Framing;

/// <summary>Maps <see cref="FrameError"/> values to what an endpoint says when it fails the connection.</summary>
/// <remarks>All members are pure and thread-safe.</remarks>
public static class FrameErrorExtensions
{
    /// <summary>
    /// The status code to close with (RFC 6455 section 7.4.1): 1007 for bad UTF-8 or deflate data, 1009 for size
    /// limits, 1002 for every other protocol violation.
    /// </summary>
    /// <param name="error">The error that failed the connection.</param>
    /// <returns>The close status code to send.</returns>
    public static CloseCode ToCloseCode(this FrameError error) => error switch
    {
        FrameError.InvalidUtf8 or FrameError.InvalidCloseReason or FrameError.InvalidCompressedData => CloseCode.InvalidPayloadData,
        FrameError.FrameTooBig or FrameError.MessageTooBig => CloseCode.MessageTooBig,
        FrameError.TooManyFragments => CloseCode.PolicyViolation,
        _ => CloseCode.ProtocolError,
    };

    /// <summary>
    /// A short English reason, ASCII and at most 123 bytes, so it fits in a close frame as is.
    /// </summary>
    /// <param name="error">The error to describe.</param>
    /// <returns>A constant string; never null.</returns>
    public static string Describe(this FrameError error) => error switch
    {
        FrameError.None => "No error",
        FrameError.ReservedBitsSet => "Reserved bits set without a negotiated extension",
        FrameError.ReservedOpcode => "Reserved opcode",
        FrameError.ControlFrameTooLong => "Control frame payload longer than 125 bytes",
        FrameError.ControlFrameFragmented => "Fragmented control frame",
        FrameError.UnmaskedClientFrame => "Client frame not masked",
        FrameError.MaskedServerFrame => "Server frame masked",
        FrameError.PayloadLengthTopBitSet => "Payload length has the most significant bit set",
        FrameError.NonMinimalLength => "Payload length not minimally encoded",
        FrameError.UnexpectedContinuation => "Continuation frame without a message to continue",
        FrameError.ExpectedContinuation => "New data frame before the fragmented message ended",
        FrameError.InvalidUtf8 => "Text message is not valid UTF-8",
        FrameError.InvalidClosePayload => "Close payload of 1 byte",
        FrameError.InvalidCloseCode => "Close status code not allowed on the wire",
        FrameError.InvalidCloseReason => "Close reason is not valid UTF-8",
        FrameError.FrameTooBig => "Frame exceeds the size limit",
        FrameError.MessageTooBig => "Message exceeds the size limit",
        FrameError.TooManyFragments => "Message exceeds the fragment limit",
        FrameError.InvalidCompressedData => "Compressed message is not valid deflate data",
        _ => "Protocol error",
    };
}
