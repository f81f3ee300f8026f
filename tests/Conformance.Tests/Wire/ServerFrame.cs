using System.Buffers.Binary;
using System.Text;

namespace Switchboard.Conformance.Tests.Wire;

/// <summary>One frame as the server put it on the wire, with the header fields kept raw so they can be judged.</summary>
public sealed record ServerFrame(bool Fin, int Rsv, int Opcode, bool Masked, int LengthBytes, byte[] Payload)
{
    public bool IsControl => Opcode >= 8;

    /// <summary>The status code of a close frame, or null when its payload is empty.</summary>
    public int? CloseCode => Opcode == 8 && Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : null;

    public ReadOnlySpan<byte> CloseReason => Opcode == 8 && Payload.Length >= 2 ? Payload.AsSpan(2) : default;

    public override string ToString()
    {
        var name = Opcode switch { 0 => "continuation", 1 => "text", 2 => "binary", 8 => "close", 9 => "ping", 10 => "pong", _ => $"opcode {Opcode}" };
        var flags = (Fin ? "" : " fin=0") + (Rsv != 0 ? $" rsv={Rsv}" : "") + (Masked ? " MASKED" : "");
        if (Opcode == 8)
        {
            return CloseCode is { } code
                ? $"close {code}{flags}" + (CloseReason.IsEmpty ? "" : $" reason \"{Describe.Text(CloseReason)}\"")
                : $"close (no status){flags}" + (Payload.Length == 1 ? $" with 1 stray byte {Payload[0]:x2}" : "");
        }
        return $"{name}{flags} {Describe.Payload(Payload)}";
    }

    /// <summary>
    /// Every rule of RFC 6455 section 5 a server frame breaks. Only frames the client could not have asked for
    /// are checked here; whether the frame was expected at all is the case's business.
    /// </summary>
    public IEnumerable<string> Violations()
    {
        if (Masked) yield return "a server frame must not be masked (section 5.1)";
        if (Rsv != 0) yield return $"RSV bits {Rsv} set with no extension negotiated (section 5.2)";
        if (Opcode is (>= 3 and <= 7) or >= 11) yield return $"reserved opcode {Opcode} (section 5.2)";
        var minimal = Payload.Length switch { < 126 => 0, <= ushort.MaxValue => 2, _ => 8 };
        if (LengthBytes != minimal) yield return $"length of {Payload.Length} not in its minimal encoding (section 5.2)";
        if (IsControl && !Fin) yield return "fragmented control frame (section 5.5)";
        if (IsControl && Payload.Length > 125) yield return $"control frame payload of {Payload.Length} bytes (section 5.5)";
        if (Opcode == 8)
        {
            if (Payload.Length == 1) yield return "close payload of one byte (section 5.5.1)";
            if (CloseCode is { } code && code is < 1000 or 1004 or 1005 or 1006 or 1015 or (>= 1016 and < 3000) or >= 5000)
                yield return $"close code {code} may not be sent (section 7.4)";
            if (!Describe.IsUtf8(CloseReason)) yield return "close reason is not UTF-8 (section 5.5.1)";
        }
    }
}

/// <summary>Short, readable renderings of bytes for failure messages.</summary>
public static class Describe
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool IsUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    public static string Text(ReadOnlySpan<byte> bytes) => IsUtf8(bytes) ? Strict.GetString(bytes) : "0x" + Convert.ToHexString(bytes);

    /// <summary>Length plus the first bytes in hex (and as text when short and printable).</summary>
    public static string Payload(ReadOnlySpan<byte> bytes)
    {
        const int Shown = 24;
        var hex = Convert.ToHexString(bytes[..Math.Min(bytes.Length, Shown)]).ToLowerInvariant();
        var more = bytes.Length > Shown ? "…" : "";
        var text = bytes.Length <= 48 && IsUtf8(bytes) && !bytes.ContainsAnyInRange((byte)0, (byte)31) ? $" \"{Strict.GetString(bytes)}\"" : "";
        return $"[{bytes.Length} B] {hex}{more}{text}";
    }
}

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
