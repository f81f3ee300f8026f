using System.Buffers.Binary;

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
