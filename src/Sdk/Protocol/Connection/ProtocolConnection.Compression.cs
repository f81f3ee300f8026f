using System.Buffers;
using System.IO.Compression;
using Switchboard.Protocol.Compression;
using Switchboard.Protocol.Framing;

namespace Switchboard.Protocol.Connection;

// permessage-deflate (RFC 7692 section 7.2): compressed messages in and out. The zlib streams are made for the first
// compressed message each way and, without context takeover, dropped after each message, so an idle connection
// holds none.
public sealed partial class ProtocolConnection
{
    private const byte Rsv1 = 4;

    private readonly DeflateParameters? _deflate;
    private MessageInflater? _inflater;
    private MessageDeflater? _deflater;
    private Utf8Validator _inflatedUtf8;
    private bool _sendingCompressed; // the unfinished fragmented message we send is compressed

    /// <summary>What permessage-deflate settled for this connection, or null when it was not negotiated.</summary>
    public DeflateParameters? Deflate => _deflate;

    private WebSocketRole PeerRole => Role == WebSocketRole.Server ? WebSocketRole.Client : WebSocketRole.Server;

    // A compressed message is inflated into the assembly buffer as its frames come, whether it has one frame or many.
    private ProtocolEvent TakeCompressed(in FrameEvent frame, IBufferWriter<byte> output)
    {
        if (!_assembling)
        {
            _assembling = true;
            _assemblyOpcode = frame.Opcode;
            _inflatedUtf8.Reset();
        }

        FrameError error = Inflate(frame.Payload, frame.EndOfMessage);
        if (error != FrameError.None)
        {
            return Fail(error, output);
        }

        if (!frame.EndOfMessage)
        {
            return default;
        }

        _assembling = false;
        _assemblyDelivered = true;
        if (_deflate!.NoContextTakeover(PeerRole))
        {
            DropInflater();
        }

        return ProtocolEvent.Message(_assemblyOpcode, new ReadOnlySequence<byte>(_assembly, 0, _assembled));
    }

    // Inflated bytes count against MaxMessageSize as they are produced, and the buffer never grows past one byte over
    // it: a bomb (deflate reaches about 1032:1) costs at most MaxMessageSize of memory and the time to fill it.
    private FrameError Inflate(in ReadOnlySequence<byte> payload, bool endOfMessage)
    {
        _inflater ??= new MessageInflater();
        _inflater.SetInput(payload, endOfMessage);
        long limit = _options.Frames.MaxMessageSize;
        bool text = _assemblyOpcode == Opcode.Text;
        while (true)
        {
            if (_assembled == _assembly.Length && !GrowAssembly(limit))
            {
                return FrameError.MessageTooBig;
            }

            int count;
            try
            {
                count = _inflater.Read(_assembly.AsSpan(_assembled));
            }
            catch (InvalidDataException)
            {
                return FrameError.InvalidCompressedData;
            }

            if (count == 0)
            {
                break;
            }

            if (text && !_inflatedUtf8.TryAppend(_assembly.AsSpan(_assembled, count)))
            {
                return FrameError.InvalidUtf8;
            }

            _assembled += count;
            if (_assembled > limit)
            {
                return FrameError.MessageTooBig;
            }
        }

        return endOfMessage && text && !_inflatedUtf8.IsComplete ? FrameError.InvalidUtf8 : FrameError.None;
    }

    private bool GrowAssembly(long limit)
    {
        long cap = Math.Min(limit + 1, Array.MaxLength);
        if (_assembly.Length >= cap)
        {
            return false;
        }

        int size = (int)Math.Min(cap, Math.Max(4096L, _assembly.Length * 2L));
        byte[] next = ArrayPool<byte>.Shared.Rent(size);
        _assembly.AsSpan(0, _assembled).CopyTo(next);
        ReturnAssembly();
        _assembly = next;
        return true;
    }

    // Section 7.2.1: a message is compressed or not as a whole; a fragmented one is, whatever its size, since its
    // length is not known up front.
    private bool ShouldCompress(Opcode frameOpcode, long length, bool endOfMessage) =>
        _deflate is not null
        && (frameOpcode == Opcode.Continuation ? _sendingCompressed : !endOfMessage || length >= _deflate.MinimumSize);

    private MessageDeflater Deflater => _deflater ??= new MessageDeflater(_deflate!.Level);

    // Section 6: RSV1 marks the first frame of a compressed message only. A message sent in one frame whose compressed
    // form is not smaller goes uncompressed instead (false: the caller writes it as it is), so it never grows on the
    // wire; the compressor starts the next message afresh, since its window holds bytes the peer never inflated.
    private bool TryWriteCompressed(IBufferWriter<byte> output, Opcode frameOpcode, ReadOnlySpan<byte> compressed, long length, bool endOfMessage)
    {
        if (endOfMessage && frameOpcode != Opcode.Continuation && compressed.Length >= length)
        {
            _deflater!.EndMessage(noContextTakeover: true);
            return false;
        }

        WriteCompressedFrame(output, frameOpcode, compressed, endOfMessage);
        if (endOfMessage)
        {
            _deflater!.EndMessage(_deflate!.NoContextTakeover(Role));
        }

        return true;
    }

    // A prepared message's payload compressed once for every connection that sends it without context takeover: this
    // connection's compressor is not involved. False when the message goes uncompressed.
    private bool TryWriteShared(IBufferWriter<byte> output, Opcode opcode, ReadOnlySpan<byte> payload, ISharedDeflate shared)
    {
        ReadOnlyMemory<byte> compressed = shared.Deflate(payload, _deflate!.Level);
        if (compressed.IsEmpty)
        {
            return false;
        }

        WriteCompressedFrame(output, opcode, compressed.Span, endOfMessage: true);
        return true;
    }

    private void WriteCompressedFrame(IBufferWriter<byte> output, Opcode frameOpcode, ReadOnlySpan<byte> compressed, bool endOfMessage)
    {
        uint? key = NextMaskKey();
        byte rsv = frameOpcode == Opcode.Continuation ? (byte)0 : Rsv1;
        var header = new FrameHeader(endOfMessage, rsv, frameOpcode, key.HasValue, compressed.Length, key.GetValueOrDefault());
        output.Advance(header.Write(output.GetSpan(FrameWriter.MaxHeaderLength)));
        WritePayload(output, compressed, key, 0);
        _sendingCompressed = !endOfMessage;
    }

    private void DropInflater()
    {
        _inflater?.Dispose();
        _inflater = null;
    }

    // Nothing is compressed or inflated once the connection has left the open state.
    private void DropCompression()
    {
        DropInflater();
        _deflater?.Dispose();
        _deflater = null;
        _sendingCompressed = false;
    }
}
