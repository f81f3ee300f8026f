using System.Buffers;
using System.IO.Compression;

namespace Switchboard.Protocol.Compression;

/// <summary>
/// The sending half of permessage-deflate (RFC 7692 section 7.2.1): compresses a message, or each fragment of it, with
/// a sync flush, and removes the <c>00 00 ff ff</c> tail from the end of the message. The output is held here until the
/// caller writes it behind the frame header, which needs its length first.
/// </summary>
/// <remarks>Not thread-safe: its connection serializes every call.</remarks>
internal sealed class MessageDeflater : IDisposable
{
    // An output buffer this large stays between messages; a bigger one goes back to the pool.
    private const int RetainedOutputSize = 16 * 1024;

    private static readonly byte[] s_emptyMessage = [0x00];

    private readonly OutputStream _output = new();
    private readonly CompressionLevel _level;
    private DeflateStream? _stream;

    public MessageDeflater(CompressionLevel level) => _level = level;

    /// <summary>Compresses one piece of a message, given in one or more spans; the result is valid until the next call.</summary>
    public ReadOnlySpan<byte> Compress(in ReadOnlySequence<byte> payload, bool endOfMessage)
    {
        _output.Clear();
        _stream ??= new DeflateStream(_output, _level, leaveOpen: true);
        foreach (ReadOnlyMemory<byte> segment in payload)
        {
            _stream.Write(segment.Span);
        }

        return Finish(endOfMessage);
    }

    /// <inheritdoc cref="Compress(in ReadOnlySequence{byte}, bool)"/>
    public ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> payload, bool endOfMessage)
    {
        _output.Clear();
        _stream ??= new DeflateStream(_output, _level, leaveOpen: true);
        _stream.Write(payload);
        return Finish(endOfMessage);
    }

    /// <summary>
    /// Ends a message: without context takeover the compressor goes, so the next message starts with an empty window
    /// and an idle connection holds no zlib state.
    /// </summary>
    public void EndMessage(bool noContextTakeover)
    {
        if (noContextTakeover)
        {
            DropStream();
        }

        _output.Release(RetainedOutputSize);
    }

    public void Dispose()
    {
        DropStream();
        _output.Release(0);
    }

    private ReadOnlySpan<byte> Finish(bool endOfMessage)
    {
        // A sync flush ends the output on a byte boundary with an empty stored block, 00 00 ff ff.
        _stream!.Flush();
        ReadOnlySpan<byte> written = _output.Written;
        if (endOfMessage && written.EndsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xff, 0xff]))
        {
            written = written[..^4];
        }

        // Section 7.2.3.6: an empty message compresses to one 0x00 byte, never to nothing.
        return written.IsEmpty && endOfMessage ? s_emptyMessage : written;
    }

    private void DropStream()
    {
        if (_stream is not null)
        {
            // Disposing writes the final block: nobody wants it.
            _output.Discarding = true;
            _stream.Dispose();
            _stream = null;
            _output.Discarding = false;
        }
    }

    /// <summary>A write-only stream into a pooled buffer.</summary>
    private sealed class OutputStream : Stream
    {
        private byte[] _buffer = [];
        private int _length;

        public bool Discarding { get; set; }

        public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public void Clear() => _length = 0;

        public void Release(int retained)
        {
            _length = 0;
            if (_buffer.Length > retained)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = [];
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Discarding)
            {
                return;
            }

            if (_buffer.Length - _length < buffer.Length)
            {
                byte[] next = ArrayPool<byte>.Shared.Rent(Math.Max(_length + buffer.Length, Math.Max(1024, _buffer.Length * 2)));
                _buffer.AsSpan(0, _length).CopyTo(next);
                if (_buffer.Length > 0)
                {
                    ArrayPool<byte>.Shared.Return(_buffer);
                }

                _buffer = next;
            }

            buffer.CopyTo(_buffer.AsSpan(_length));
            _length += buffer.Length;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
