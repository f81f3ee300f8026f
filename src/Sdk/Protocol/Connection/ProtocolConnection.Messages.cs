using System.Buffers;
using Switchboard.Protocol.Compression;
using Switchboard.Protocol.Framing;

namespace Switchboard.Protocol.Connection;

public sealed partial class ProtocolConnection
{
    // An assembly buffer this large stays between messages; a bigger one goes back to the pool.
    private const int RetainedAssemblySize = 16 * 1024;

    // The message being assembled from fragments; the buffer is rented for the first fragmented message.
    private byte[] _assembly = [];
    private int _assembled;
    private bool _assembling;
    private bool _assemblyDelivered; // the last event pointed into _assembly: reset it on the next call
    private Opcode _assemblyOpcode;

    // The opcode of the message we are sending in fragments; Continuation stands for none.
    private Opcode _sendingOpcode;

    /// <summary>
    /// Writes a text or binary message, or one fragment of it (section 5.4), as one frame.
    /// </summary>
    /// <param name="output">Where the frame goes.</param>
    /// <param name="opcode"><see cref="Opcode.Text"/> or <see cref="Opcode.Binary"/>, the same for every fragment of a message.</param>
    /// <param name="payload">The payload, not modified (a client masks a copy). Text must be UTF-8; that is the caller's duty.</param>
    /// <param name="endOfMessage">False for a fragment that more of the message follows.</param>
    /// <returns>
    /// False, writing nothing, when the connection is no longer <see cref="ProtocolState.Open"/>: after a close frame
    /// no data may be sent (section 5.5.1), so the message is dropped.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="opcode"/> is not Text or Binary.</exception>
    /// <exception cref="InvalidOperationException">A fragmented message of the other opcode is unfinished.</exception>
    public bool Send(IBufferWriter<byte> output, Opcode opcode, ReadOnlySpan<byte> payload, bool endOfMessage = true)
    {
        ArgumentNullException.ThrowIfNull(output);
        Opcode frameOpcode = FrameOpcode(opcode);
        if (State != ProtocolState.Open)
        {
            return false;
        }

        if (ShouldCompress(frameOpcode, payload.Length, endOfMessage)
            && TryWriteCompressed(output, frameOpcode, Deflater.Compress(payload, endOfMessage), payload.Length, endOfMessage))
        {
            _sendingOpcode = endOfMessage ? Opcode.Continuation : opcode;
            return true;
        }

        uint? key = NextMaskKey();
        WriteHeader(output, endOfMessage, frameOpcode, payload.Length, key);
        WritePayload(output, payload, key, 0);
        _sendingOpcode = endOfMessage ? Opcode.Continuation : opcode;
        return true;
    }

    /// <inheritdoc cref="Send(IBufferWriter{byte}, Opcode, ReadOnlySpan{byte}, bool)"/>
    public bool Send(IBufferWriter<byte> output, Opcode opcode, in ReadOnlySequence<byte> payload, bool endOfMessage = true)
    {
        ArgumentNullException.ThrowIfNull(output);
        Opcode frameOpcode = FrameOpcode(opcode);
        if (State != ProtocolState.Open)
        {
            return false;
        }

        if (ShouldCompress(frameOpcode, payload.Length, endOfMessage)
            && TryWriteCompressed(output, frameOpcode, Deflater.Compress(payload, endOfMessage), payload.Length, endOfMessage))
        {
            _sendingOpcode = endOfMessage ? Opcode.Continuation : opcode;
            return true;
        }

        uint? key = NextMaskKey();
        WriteHeader(output, endOfMessage, frameOpcode, payload.Length, key);
        if (payload.IsSingleSegment)
        {
            WritePayload(output, payload.FirstSpan, key, 0);
        }
        else
        {
            int maskOffset = 0;
            foreach (ReadOnlyMemory<byte> segment in payload)
            {
                maskOffset = WritePayload(output, segment.Span, key, maskOffset);
            }
        }

        _sendingOpcode = endOfMessage ? Opcode.Continuation : opcode;
        return true;
    }

    /// <summary>
    /// Writes a whole data frame serialized before, as it is: a server's message encoded once, header and payload in
    /// one buffer, and written to every connection it goes to with one copy and no serialization per connection.
    /// </summary>
    /// <param name="output">Where the frame goes.</param>
    /// <param name="frame">
    /// Exactly one final, unmasked text or binary frame without RSV bits (section 5.2), such as
    /// <c>EncodedMessage.ServerFrame</c>. A text payload must be UTF-8; that is the caller's duty.
    /// </param>
    /// <returns>False, writing nothing, when the connection is no longer <see cref="ProtocolState.Open"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="frame"/> is not one such frame.</exception>
    /// <exception cref="InvalidOperationException">
    /// This is a client, which masks every frame with a fresh key (section 5.3) and so cannot send one made before; or a
    /// fragmented message is unfinished.
    /// </exception>
    public bool SendFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> frame) => SendFrame(output, frame, compress: true);

    /// <summary>
    /// <see cref="SendFrame(IBufferWriter{byte}, ReadOnlySpan{byte})"/>, never compressed unless <paramref name="compress"/>;
    /// with <paramref name="shared"/>, compressed once for every connection that sends it without context takeover.
    /// </summary>
    internal bool SendFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> frame, bool compress, ISharedDeflate? shared = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (Role != WebSocketRole.Server)
        {
            throw new InvalidOperationException("A client masks every frame with a fresh key: send the payload instead.");
        }

        if (!FrameHeader.TryRead(frame, out FrameHeader header, out FrameError error) || error != FrameError.None || !header.Fin
            || header.Rsv != 0 || header.Masked || header.Opcode is not (Opcode.Text or Opcode.Binary)
            || header.Length + header.PayloadLength != frame.Length)
        {
            throw new ArgumentException("Not one whole final unmasked text or binary frame.", nameof(frame));
        }

        if (_sendingOpcode != Opcode.Continuation)
        {
            throw new InvalidOperationException("A fragmented message is unfinished.");
        }

        if (State != ProtocolState.Open)
        {
            return false;
        }

        // With permessage-deflate the prepared payload is compressed for this connection, or, when this connection keeps
        // no window between messages, once for all that share it.
        if (compress && ShouldCompress(header.Opcode, header.PayloadLength, endOfMessage: true))
        {
            ReadOnlySpan<byte> payload = frame[header.Length..];
            bool written = shared is not null && _deflate!.NoContextTakeover(Role)
                ? TryWriteShared(output, header.Opcode, payload, shared)
                : TryWriteCompressed(output, header.Opcode, Deflater.Compress(payload, endOfMessage: true), payload.Length, endOfMessage: true);
            if (written)
            {
                return true;
            }
        }

        output.Write(frame);
        return true;
    }

    private Opcode FrameOpcode(Opcode opcode)
    {
        if (opcode is not (Opcode.Text or Opcode.Binary))
        {
            throw new ArgumentOutOfRangeException(nameof(opcode), opcode, "Only Text and Binary messages can be sent.");
        }

        if (_sendingOpcode == Opcode.Continuation)
        {
            return opcode;
        }

        return opcode == _sendingOpcode
            ? Opcode.Continuation
            : throw new InvalidOperationException("A fragmented message of the other opcode is unfinished.");
    }

    private uint? NextMaskKey() => Role == WebSocketRole.Client ? _options.MaskKeys.NextKey() : null;

    private static void WriteHeader(IBufferWriter<byte> output, bool fin, Opcode opcode, long payloadLength, uint? key) =>
        output.Advance(FrameWriter.WriteHeader(output.GetSpan(FrameWriter.MaxHeaderLength), fin, opcode, payloadLength, key));

    // Copies (and masks) straight into the output, in as many spans as it gives; returns the next mask offset.
    private static int WritePayload(IBufferWriter<byte> output, ReadOnlySpan<byte> source, uint? key, int maskOffset)
    {
        while (!source.IsEmpty)
        {
            Span<byte> destination = output.GetSpan();
            int count = Math.Min(destination.Length, source.Length);
            source[..count].CopyTo(destination);
            if (key is uint mask)
            {
                maskOffset = Mask.Apply(destination[..count], mask, maskOffset);
            }

            output.Advance(count);
            source = source[count..];
        }

        return maskOffset;
    }

    // A message of one frame is the frame's payload; fragments are copied until the last one. None when nothing is
    // to be reported yet.
    private ProtocolEvent TakeData(in FrameEvent frame, IBufferWriter<byte> output)
    {
        // Section 7.1.2: after our close frame, data is read (and validated) but dropped.
        if (State != ProtocolState.Open)
        {
            return default;
        }

        if (frame.Compressed)
        {
            return TakeCompressed(frame, output);
        }

        if (!_assembling)
        {
            if (frame.EndOfMessage)
            {
                return ProtocolEvent.Message(frame.Opcode, frame.Payload);
            }

            _assembling = true;
            _assemblyOpcode = frame.Opcode;
        }

        if (!TryAppend(frame.Payload))
        {
            return Fail(FrameError.MessageTooBig, output);
        }

        if (!frame.EndOfMessage)
        {
            return default;
        }

        _assembling = false;
        _assemblyDelivered = true;
        return ProtocolEvent.Message(_assemblyOpcode, new ReadOnlySequence<byte>(_assembly, 0, _assembled));
    }

    // Fails only for a message past the largest array, which MaxMessageSize allows but no buffer holds.
    private bool TryAppend(in ReadOnlySequence<byte> piece)
    {
        if (piece.Length > Array.MaxLength - _assembled)
        {
            return false;
        }

        int needed = _assembled + (int)piece.Length;
        if (needed > _assembly.Length)
        {
            byte[] next = ArrayPool<byte>.Shared.Rent(Math.Max(needed, (int)Math.Min(Array.MaxLength, _assembly.Length * 2L)));
            _assembly.AsSpan(0, _assembled).CopyTo(next);
            ReturnAssembly();
            _assembly = next;
        }

        piece.CopyTo(_assembly.AsSpan(_assembled));
        _assembled = needed;
        return true;
    }

    // The message handed out by the previous call is done with once the pump calls again.
    private void EndDeliveredMessage()
    {
        if (_assemblyDelivered)
        {
            _assemblyDelivered = false;
            _assembled = 0;
            if (_assembly.Length > RetainedAssemblySize)
            {
                ReturnAssembly();
            }
        }
    }

    // Forgets an unfinished message when nothing more will be delivered.
    private void DropMessage()
    {
        _assembling = false;
        if (!_assemblyDelivered)
        {
            _assembled = 0;
            ReturnAssembly();
        }
    }

    private void ReturnAssembly()
    {
        if (_assembly.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_assembly);
            _assembly = [];
        }
    }
}
