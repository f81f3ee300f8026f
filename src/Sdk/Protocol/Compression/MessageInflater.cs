using System.Buffers;
using System.IO.Compression;

namespace Switchboard.Protocol.Compression;

/// <summary>
/// The receiving half of permessage-deflate (RFC 7692 section 7.2.2): inflates a message's compressed payload, frame
/// by frame, into space the caller gives, and the <c>00 00 ff ff</c> tail the sender removed after the last one.
/// Synchronous and I/O-free: the deflate stream reads from bytes handed to it, never from a socket, so the
/// caller bounds what it produces by the space it offers (the bomb check of <see cref="Connection.ProtocolConnection"/>).
/// </summary>
/// <remarks>Not thread-safe: its connection serializes every call.</remarks>
internal sealed class MessageInflater : IDisposable
{
    private static readonly byte[] s_tail = [0x00, 0x00, 0xff, 0xff];

    private readonly InputStream _input = new();
    private DeflateStream _stream;

    public MessageInflater() => _stream = new DeflateStream(_input, CompressionMode.Decompress, leaveOpen: true);

    /// <summary>Hands over the next piece of compressed payload, with the tail appended when it ends the message.</summary>
    public void SetInput(in ReadOnlySequence<byte> payload, bool endOfMessage)
    {
        _input.Set(payload, endOfMessage ? s_tail : default);
    }

    /// <summary>
    /// Inflates into <paramref name="destination"/>; 0 once the input is used up.
    /// </summary>
    /// <exception cref="InvalidDataException">The input is not a deflate stream.</exception>
    public int Read(Span<byte> destination)
    {
        int count = _stream.Read(destination);
        if (count == 0 && _input.Remaining > 0)
        {
            // A block with BFINAL set ended the stream (section 7.2.3.3 allows it): what follows may only be the tail,
            // and the next message starts a stream of its own.
            if (_input.Remaining > s_tail.Length)
            {
                throw new InvalidDataException("Data after the end of the deflate stream.");
            }

            _input.Set(default, default);
            _stream.Dispose();
            _stream = new DeflateStream(_input, CompressionMode.Decompress, leaveOpen: true);
        }

        return count;
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>A read-only stream over the bytes handed to it; its end is "no more for now", not the end of the stream.</summary>
    private sealed class InputStream : Stream
    {
        private ReadOnlySequence<byte> _payload;
        private ReadOnlyMemory<byte> _tail;

        public long Remaining => _payload.Length + _tail.Length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public void Set(in ReadOnlySequence<byte> payload, ReadOnlyMemory<byte> tail)
        {
            _payload = payload;
            _tail = tail;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (!_payload.IsEmpty)
            {
                int count = (int)Math.Min(buffer.Length, _payload.Length);
                _payload.Slice(0, count).CopyTo(buffer);
                _payload = _payload.Slice(count);
                return count;
            }

            int fromTail = Math.Min(buffer.Length, _tail.Length);
            _tail.Span[..fromTail].CopyTo(buffer);
            _tail = _tail[fromTail..];
            return fromTail;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
