using System.Buffers;

namespace Switchboard.Protocol.Http;

/// <summary>What <see cref="HttpLineReader.TryReadLine"/> found.</summary>
internal enum LineStatus : byte
{
    /// <summary>A complete line, without its CRLF.</summary>
    Line,

    /// <summary>No LF yet; more bytes may complete the line.</summary>
    Incomplete,

    /// <summary>No LF within the byte cap; more bytes can only make the head larger.</summary>
    TooLarge,

    /// <summary>An LF not preceded by CR. RFC 9112 section 2.2 lets a recipient accept it; a handshake does not.</summary>
    BareLineFeed,
}

/// <summary>
/// Cuts the head of an HTTP/1.1 message into CRLF-terminated lines over a possibly multi-segment
/// sequence, never looking past the byte cap. Lines that straddle segments are copied into one pooled
/// buffer, so a returned span is valid only until the next read.
/// </summary>
internal ref struct HttpLineReader
{
    private SequenceReader<byte> _reader;
    private readonly bool _capped;
    private byte[]? _scratch;

    public HttpLineReader(in ReadOnlySequence<byte> input, int maxBytes)
    {
        // Input at or beyond the cap is cut at it: a head whose blank line has not arrived within
        // maxBytes cannot end within it, whatever follows.
        _capped = input.Length >= maxBytes;
        _reader = new SequenceReader<byte>(_capped ? input.Slice(0, maxBytes) : input);
        _scratch = null;
    }

    /// <summary>Just past the last line read.</summary>
    public readonly SequencePosition Position => _reader.Position;

    /// <summary>The bytes after the last line read, such as the start of a line still arriving.</summary>
    public readonly ReadOnlySequence<byte> Unread => _reader.UnreadSequence;

    public LineStatus TryReadLine(out ReadOnlySpan<byte> line)
    {
        line = default;
        if (!_reader.TryReadTo(out ReadOnlySequence<byte> raw, (byte)'\n'))
        {
            return _capped ? LineStatus.TooLarge : LineStatus.Incomplete;
        }

        if (raw.IsEmpty || LastByte(raw) != (byte)'\r')
        {
            return LineStatus.BareLineFeed;
        }

        raw = raw.Slice(0, raw.Length - 1);
        if (raw.IsSingleSegment)
        {
            line = raw.FirstSpan;
            return LineStatus.Line;
        }

        int length = (int)raw.Length;
        if (_scratch is null || _scratch.Length < length)
        {
            if (_scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(_scratch);
            }

            _scratch = ArrayPool<byte>.Shared.Rent(length);
        }

        raw.CopyTo(_scratch);
        line = _scratch.AsSpan(0, length);
        return LineStatus.Line;
    }

    public void Dispose()
    {
        if (_scratch is not null)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = null;
        }
    }

    private static byte LastByte(in ReadOnlySequence<byte> sequence) =>
        sequence.IsSingleSegment ? sequence.FirstSpan[^1] : sequence.Slice(sequence.Length - 1).FirstSpan[0];
}
