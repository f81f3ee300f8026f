using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;

/// <summary>
/// Posts each frame an inspected connection's reader takes to its trace channel as a "frame" event, at once: a pong
/// or a close shows on the page when the server reads it, not with the next message. Runs on the receive loop, which
/// it never calls back into.
/// </summary>
internal sealed class FrameForwarder(InspectorTrace trace, long connection) : IFrameTraceObserver
{
    // Enough of each payload to see the masking at work.
    private const int FirstBytes = 16;

    // A control frame's whole payload (RFC 6455 section 5.5), for the close code and reason.
    private const int MaxControlPayload = 125;

    public void OnFrame(in FrameTrace frame)
    {
        FrameHeader header = frame.Header;
        Span<byte> masked = stackalloc byte[MaxControlPayload];
        Span<byte> unmasked = stackalloc byte[MaxControlPayload];
        int count = frame.CopyFirstBytes(masked, unmasked);
        int shown = Math.Min(count, FirstBytes);
        Span<byte> key = stackalloc byte[4];
        // In wire order: FrameHeader keeps the first key byte in the low byte.
        BinaryPrimitives.WriteUInt32LittleEndian(key, header.MaskKey);

        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "frame");
            json.WriteNumber("connection", connection);
            json.WriteStartObject("frame");
            json.WriteBoolean("fin", header.Fin);
            json.WriteBoolean("rsv1", (header.Rsv & 4) != 0);
            json.WriteBoolean("rsv2", (header.Rsv & 2) != 0);
            json.WriteBoolean("rsv3", (header.Rsv & 1) != 0);
            json.WriteNumber("opcode", (int)header.Opcode);
            json.WriteString("opcodeName", InspectorEvents.OpcodeName(header.Opcode));
            json.WriteBoolean("masked", header.Masked);
            json.WriteNumber("lengthForm", frame.LengthForm);
            json.WriteNumber("payloadLength", header.PayloadLength);
            json.WriteNumber("headerLength", header.Length);
            json.WriteString("maskKey", header.Masked ? Convert.ToHexString(key) : "");
            json.WriteString("maskedHex", Convert.ToHexString(masked[..shown]));
            json.WriteString("unmaskedHex", Convert.ToHexString(unmasked[..shown]));
            // Section 5.5.1: a close body starts with a 2-byte code in network order, then a UTF-8 reason.
            if (header.Opcode == Opcode.Close && count >= 2)
            {
                json.WriteNumber("closeCode", BinaryPrimitives.ReadUInt16BigEndian(unmasked));
                json.WriteString("closeReason", Encoding.UTF8.GetString(unmasked[2..count]));
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        trace.Post(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
