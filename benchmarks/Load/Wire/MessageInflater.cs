using System.IO.Compression;

namespace Switchboard.Benchmarks.Load.Wire;

/// <summary>
/// Inflates the messages a server compressed with permessage-deflate (RFC 7692 section 7.2.2): a message's frames are
/// collected, the <c>00 00 ff ff</c> tail the server removed is put back, and the whole is inflated at once. One deflate
/// stream serves every message of the connection: each message ends on a sync flush, and without server context
/// takeover it refers to nothing before it, so a window that still holds the previous messages reads it the same.
/// Nothing is allocated per message once the buffers have grown to the largest message.
/// </summary>
internal sealed class MessageInflater : IDisposable
{
    private static readonly byte[] Tail = [0x00, 0x00, 0xff, 0xff];

    // The compressed bytes of the message being read, from the start; reading to their end is "no more for now".
    private readonly MemoryStream _input = new(4096);
    private DeflateStream _stream;
    private byte[] _inflated = new byte[4096];

    public MessageInflater() => _stream = new DeflateStream(_input, CompressionMode.Decompress, leaveOpen: true);

    /// <summary>Adds one frame's compressed payload to the message.</summary>
    public void Append(ReadOnlySpan<byte> payload) => _input.Write(payload);

    /// <summary>Inflates the message appended so far and starts the next; the span is valid until the next call.</summary>
    /// <exception cref="InvalidDataException">The message is not a deflate stream.</exception>
    public ReadOnlySpan<byte> Inflate()
    {
        _input.Write(Tail);
        _input.Position = 0;
        var length = ReadAll();
        if (length == 0)
        {
            // The last message ended the stream with a BFINAL block (section 7.2.3.3 allows it), so this one got nothing
            // out of it: it starts a stream of its own.
            _stream.Dispose();
            _stream = new DeflateStream(_input, CompressionMode.Decompress, leaveOpen: true);
            _input.Position = 0;
            length = ReadAll();
        }
        _input.SetLength(0);
        return _inflated.AsSpan(0, length);
    }

    private int ReadAll()
    {
        var length = 0;
        while (true)
        {
            if (length == _inflated.Length) Array.Resize(ref _inflated, _inflated.Length * 2);
            var read = _stream.Read(_inflated.AsSpan(length));
            if (read == 0) return length;
            length += read;
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        _input.Dispose();
    }
}
