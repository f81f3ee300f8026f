using System.Buffers.Binary;

namespace Switchboard.Conformance.Tests.Wire;

/// <summary>
/// Cuts the server's byte stream into frames. Incremental: <see cref="TryRead"/> returns false until a whole frame
/// is buffered. Received bytes go straight into its buffer (<see cref="GetWriteMemory"/>) so a 16 MiB message
/// is copied once.
/// </summary>
public sealed class ServerFrameParser
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>Set once the stream cannot be framed any further (a length with its top bit set).</summary>
    public string? Broken { get; private set; }

    public int Buffered => _end - _start;

    public Memory<byte> GetWriteMemory()
    {
        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        return _buffer.AsMemory(_end);
    }

    public void Advance(int count) => _end += count;

    public bool TryRead(out ServerFrame? frame)
    {
        frame = null;
        if (Broken is not null) return false;
        var data = _buffer.AsSpan(_start, _end - _start);
        if (data.Length < 2) return false;

        var masked = (data[1] & 0x80) != 0;
        var length7 = data[1] & 0x7f;
        var lengthBytes = length7 switch { 126 => 2, 127 => 8, _ => 0 };
        var header = 2 + lengthBytes + (masked ? 4 : 0);
        if (data.Length < header) return false;

        ulong length = lengthBytes switch
        {
            2 => BinaryPrimitives.ReadUInt16BigEndian(data[2..]),
            8 => BinaryPrimitives.ReadUInt64BigEndian(data[2..]),
            _ => (ulong)length7,
        };
        if (length > int.MaxValue / 2)
        {
            Broken = $"frame header declares {length} bytes (top bit set or absurd): the stream cannot be framed";
            return false;
        }
        if ((ulong)data.Length < (ulong)header + length)
        {
            EnsureCapacity(header + (int)length);
            return false;
        }

        var payload = data.Slice(header, (int)length).ToArray();
        if (masked) ClientFrame.ApplyMask(payload, data.Slice(header - 4, 4));
        frame = new ServerFrame((data[0] & 0x80) != 0, (data[0] >> 4) & 7, data[0] & 0x0f, masked, lengthBytes, payload);
        _start += header + (int)length;
        if (_start == _end) _start = _end = 0;
        return true;
    }

    private void EnsureCapacity(int frameSize)
    {
        if (_buffer.Length - _start >= frameSize) return;
        var bigger = new byte[Math.Max(frameSize, _buffer.Length * 2)];
        _buffer.AsSpan(_start, _end - _start).CopyTo(bigger);
        _end -= _start;
        _start = 0;
        _buffer = bigger;
    }
}
