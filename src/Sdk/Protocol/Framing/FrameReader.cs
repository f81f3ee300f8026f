using System.Buffers;

namespace Switchboard.Protocol.Framing;

/// <summary>
/// Reads one direction of a connection, sans I/O: validates headers, the role's masking rule
/// (RFC 6455 section 5.1), fragmentation order (section 5.4), size limits, the UTF-8 of text
/// messages across fragments (section 8.1) and close payloads (section 5.5.1), and unmasks
/// payloads.
/// </summary>
/// <remarks>
/// <para>
/// Data payloads are streamed: each call returns whatever bytes of the current data frame are
/// available, so a large frame never has to be buffered whole. Control frames (at most 125
/// bytes) are returned whole, once fully available. Loop on <c>input.Slice(consumed)</c> to read
/// many frames from one buffer.
/// </para>
/// <para>
/// <b>The input is mutated</b>: masked payload bytes are unmasked in place in the caller's
/// buffer, exactly once, when the call that returns them reports them consumed. The caller
/// must therefore pass each byte after <c>consumed</c> back, and never pass consumed bytes again.
/// </para>
/// <para>Not thread-safe: one instance per connection, used by one reader loop at a time.</para>
/// </remarks>
/// <example>
/// A pipe loop that handles every frame in each read:
/// <code>
/// ReadResult result = await pipe.ReadAsync(token);
/// ReadOnlySequence&lt;byte&gt; buffer = result.Buffer;
/// SequencePosition examined = buffer.End;
/// while (reader.TryRead(buffer, out SequencePosition consumed, out examined, out FrameEvent frame))
/// {
///     if (frame.Kind == FrameEventKind.Error) { /* close with frame.Error.ToCloseCode() */ break; }
///     Handle(frame); // frame.Payload is valid until AdvanceTo below
///     buffer = buffer.Slice(consumed);
/// }
/// pipe.AdvanceTo(buffer.Start, examined);
/// </code>
/// </example>
public sealed class FrameReader
{
    private FrameParser _parser;

    /// <summary>Creates a reader for the side of the connection that reads.</summary>
    /// <param name="role">
    /// The reading side: a <see cref="WebSocketRole.Server"/> requires masked frames, a
    /// <see cref="WebSocketRole.Client"/> requires unmasked ones.
    /// </param>
    /// <param name="options">Limits; <see cref="FrameReaderOptions.Default"/> when null.</param>
    public FrameReader(WebSocketRole role, FrameReaderOptions? options = null) => _parser = new FrameParser(role, options);

    /// <summary>Reads the next event from <paramref name="input"/>. Never throws on any input.</summary>
    /// <param name="input">
    /// Unread bytes, starting where the previous call's <paramref name="consumed"/> pointed (or at
    /// the connection's first frame byte). Masked payload bytes are unmasked in place.
    /// </param>
    /// <param name="consumed">How far the caller may release the buffer.</param>
    /// <param name="examined">How far the reader looked; wait for bytes beyond it before calling again.</param>
    /// <param name="frameEvent">The event when the result is true.</param>
    /// <returns>
    /// False when more bytes are needed: <paramref name="consumed"/> is the start of the input and
    /// <paramref name="examined"/> its end. True for one event; after an
    /// <see cref="FrameEventKind.Error"/> event the reader is finished and returns the same error
    /// on every call, with <paramref name="consumed"/> at the start of the input and
    /// <paramref name="examined"/> at its end.
    /// </returns>
    public bool TryRead(in ReadOnlySequence<byte> input, out SequencePosition consumed, out SequencePosition examined, out FrameEvent frameEvent) =>
        _parser.TryRead(input, out consumed, out examined, out frameEvent);
}
