using System.Buffers;
using System.IO.Compression;
using System.Text.Json;
using Switchboard.Messaging;
using Switchboard.Protocol;
using Switchboard.Protocol.Compression;
using Switchboard.Protocol.Framing;

namespace Switchboard.Connections;

/// <summary>
/// One typed message serialized once, as its wire envelope, into a pooled buffer with room in front for the frame
/// header. A server sends the very same frame bytes to any number of connections (server frames are unmasked);
/// a client sends <see cref="Payload"/> through its session, which masks it.
/// </summary>
/// <remarks>
/// The owner disposes it after every send that uses it has completed; the buffer then goes back to the pool.
/// Not thread-safe to dispose concurrently with sends. A receiver that keeps the payload past the send (a long-polling
/// queue) keeps its <see cref="Shared"/> copy instead, made once for every such receiver. With permessage-deflate
/// negotiated without server context takeover, the payload is compressed once for every connection it goes to.
/// </remarks>
public sealed class EncodedMessage : IDisposable, ISharedDeflate
{
    // A server header is at most 10 bytes: 2 + 8 for a 64-bit length; no mask.
    private const int HeaderRoom = 10;

    [ThreadStatic] private static Utf8JsonWriter? t_writer;
    [ThreadStatic] private static PooledBufferWriter? t_output;

    private byte[]? _buffer;
    private readonly int _frameStart;
    private readonly int _end;
    private readonly bool _pooled;
    private SharedPayload? _shared;
    private SharedDeflate? _deflated;
    // Made once for every connection the frame goes to.
    private readonly ReadOnlySequence<byte> _serverFrame;

    private EncodedMessage(byte[] buffer, int frameStart, int end, bool pooled = true, bool compress = true)
    {
        Compress = compress;
        _buffer = buffer;
        _frameStart = frameStart;
        _end = end;
        _pooled = pooled;
        _serverFrame = new ReadOnlySequence<byte>(buffer, frameStart, end - frameStart);
        if (!pooled) _shared = new SharedPayload(buffer.AsMemory(HeaderRoom, end - HeaderRoom));
    }

    /// <summary>False for a message type declared never compressed (<see cref="IMessage{TSelf}.Compress"/>).</summary>
    internal bool Compress { get; }

    /// <summary>The envelope's UTF-8 JSON bytes: the payload of one text message.</summary>
    public ReadOnlyMemory<byte> Payload => Buffer.AsMemory(HeaderRoom, _end - HeaderRoom);

    /// <summary>The complete unmasked text frame (header and payload), as a server sends it.</summary>
    public ReadOnlyMemory<byte> ServerFrame => Buffer.AsMemory(_frameStart, _end - _frameStart);

    /// <summary><see cref="ServerFrame"/> as the sequence a session writes.</summary>
    internal ReadOnlySequence<byte> ServerFrameSequence
    {
        get
        {
            ObjectDisposedException.ThrowIf(_buffer is null, this);
            return _serverFrame;
        }
    }

    /// <summary>
    /// The payload as an immutable copy that outlives this message, made on first use (once, whichever thread asks
    /// first) and shared by every receiver that keeps it; an unpooled message's own bytes, without a copy.
    /// </summary>
    internal SharedPayload Shared
    {
        get
        {
            if (Volatile.Read(ref _shared) is { } shared) return shared;
            var copy = new SharedPayload(Payload.ToArray());
            return Interlocked.CompareExchange(ref _shared, copy, null) ?? copy;
        }
    }

    /// <summary>
    /// How many times the payload was compressed for the connections it went to since the last call (once per level,
    /// however many connections shared it); 0 when none compressed it.
    /// </summary>
    internal int TakeCompressions() => Volatile.Read(ref _deflated)?.TakeCompressions() ?? 0;

    /// <inheritdoc/>
    ReadOnlyMemory<byte> ISharedDeflate.Deflate(ReadOnlySpan<byte> payload, CompressionLevel level)
    {
        var deflated = Volatile.Read(ref _deflated);
        if (deflated is null)
        {
            var made = new SharedDeflate();
            deflated = Interlocked.CompareExchange(ref _deflated, made, null) ?? made;
        }
        return deflated.Deflate(payload, level);
    }

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(EncodedMessage));

    /// <summary>
    /// Serializes <paramref name="message"/> into an array of its own, never pooled: a message that may be kept and sent
    /// for as long as anyone references it, and whose <see cref="Dispose"/> does nothing.
    /// </summary>
    internal static EncodedMessage CreateUnpooled<T>(T message) where T : IMessage<T>
    {
        using var pooled = Create(message);
        var buffer = pooled.Buffer.AsSpan(0, pooled._end).ToArray();
        return new EncodedMessage(buffer, pooled._frameStart, pooled._end, pooled: false, T.Compress);
    }

    /// <summary>
    /// A frame around envelope bytes that were serialized elsewhere (another node, a store): <paramref name="payload"/>
    /// followed by <paramref name="tail"/>, copied once into a buffer of its own. Pooled unless <paramref name="pooled"/>
    /// is false (a message kept for later, whose <see cref="Dispose"/> then does nothing).
    /// </summary>
    internal static EncodedMessage FromPayload(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> tail = default, bool pooled = true, bool compress = true)
    {
        var payloadLength = payload.Length + tail.Length;
        var end = HeaderRoom + payloadLength;
        var buffer = pooled ? ArrayPool<byte>.Shared.Rent(end) : new byte[end];
        payload.CopyTo(buffer.AsSpan(HeaderRoom));
        tail.CopyTo(buffer.AsSpan(HeaderRoom + payload.Length));
        var headerLength = FrameHeader.GetLength(payloadLength, masked: false);
        var frameStart = HeaderRoom - headerLength;
        FrameWriter.WriteHeader(buffer.AsSpan(frameStart, headerLength), fin: true, Opcode.Text, payloadLength);
        return new EncodedMessage(buffer, frameStart, end, pooled, compress);
    }

    /// <summary>Serializes <paramref name="message"/> as <c>{"type":…,"data":…}</c> (with <paramref name="id"/> when given).</summary>
    public static EncodedMessage Create<T>(T message, string? id = null) where T : IMessage<T>
    {
        // Both cached per thread: the writer holds no buffer between messages, and the output hands its buffer over.
        var output = t_output ??= new PooledBufferWriter(HeaderRoom);
        output.Start();
        var writer = t_writer ??= new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        writer.Reset(output);
        try
        {
            Envelope.Write(writer, message, id);
            writer.Flush();
        }
        catch
        {
            output.Release();
            writer.Reset(Stream.Null);
            throw;
        }
        writer.Reset(Stream.Null); // keep no reference to the buffer in the cached writer

        var buffer = output.Detach(out var end);
        var payloadLength = end - HeaderRoom;
        var headerLength = FrameHeader.GetLength(payloadLength, masked: false);
        var frameStart = HeaderRoom - headerLength;
        FrameWriter.WriteHeader(buffer.AsSpan(frameStart, headerLength), fin: true, Opcode.Text, payloadLength);
        return new EncodedMessage(buffer, frameStart, end, pooled: true, T.Compress);
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        if (!_pooled) return;
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
    }

    /// <summary>A growable buffer writer over pooled arrays, starting after a reserved prefix; reused for one message after another.</summary>
    private sealed class PooledBufferWriter(int start) : IBufferWriter<byte>
    {
        private byte[] _array = [];
        private int _position;

        /// <summary>Begins a message: a fresh pooled array, written after the prefix.</summary>
        public void Start()
        {
            _array = ArrayPool<byte>.Shared.Rent(256);
            _position = start;
        }

        public void Advance(int count) => _position += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _array.AsMemory(_position);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _array.AsSpan(_position);
        }

        public byte[] Detach(out int length)
        {
            length = _position;
            var array = _array;
            _array = [];
            return array;
        }

        public void Release()
        {
            if (_array.Length > 0) ArrayPool<byte>.Shared.Return(_array);
            _array = [];
        }

        private void Ensure(int sizeHint)
        {
            var needed = _position + Math.Max(sizeHint, 1);
            if (needed <= _array.Length) return;
            var next = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _array.Length * 2));
            _array.AsSpan(0, _position).CopyTo(next);
            ArrayPool<byte>.Shared.Return(_array);
            _array = next;
        }
    }
}
