using System.Buffers;
using System.Text;
using System.Text.Json;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Protocol.Framing;
using Switchboard.Server.Handshake;
using Switchboard.Server.WebSockets;

/// <summary>
/// The echo of the inspector page (the inspector directory), at <see cref="Path"/>. It opens with one JSON text message describing
/// the opening handshake ({"type":"handshake",...}); then for each message it sends a JSON text message with the
/// server's reading of every frame received since the previous one ({"type":"frames",...}, control frames included),
/// and right after it the echo itself, same opcode and bytes. A client tells the two apart by order: the message
/// after a "frames" message is always the echo.
/// </summary>
internal sealed class InspectorHandler : WebSocketHandler
{
    public const string Path = "/inspect";

    private const string RecorderKey = "inspector.frames";

    public override ValueTask OnConnectedAsync(WebSocketConnection connection)
    {
        var recorder = new FrameRecorder();
        connection.Items[RecorderKey] = recorder;
        connection.FrameObserver = recorder;
        string key = connection.GetHeader("Sec-WebSocket-Key") ?? "";
        return connection.SendTextAsync(HandshakeJson(AcceptComputation.Of(key), connection.GetHeader("Sec-WebSocket-Extensions")));
    }

    public override async ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message)
    {
        var recorder = (FrameRecorder)connection.Items[RecorderKey]!;
        await connection.SendTextAsync(FramesJson(message, recorder.TakeMessage()));
        await connection.SendAsync(message.Opcode, message.Payload);
    }

    private static string HandshakeJson(AcceptComputation handshake, string? extensions)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "handshake");
            json.WriteString("key", handshake.Key);
            json.WriteString("guid", AcceptComputation.KeyGuid);
            json.WriteString("keyWithGuid", handshake.KeyWithGuid);
            json.WriteString("sha1", handshake.Sha1Hex);
            json.WriteString("accept", handshake.Accept);
            json.WriteString("offeredExtensions", extensions);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string FramesJson(WebSocketMessage message, string[] frames)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "frames");
            json.WriteString("opcode", FrameRecorder.OpcodeName(message.Opcode));
            json.WriteNumber("length", message.Payload.Length);
            json.WriteStartArray("frames");
            foreach (string frame in frames)
            {
                json.WriteRawValue(frame, skipInputValidation: true);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

/// <summary>
/// Keeps each frame the connection reads, as JSON, until the handler takes the frames of the message it handles. It
/// runs on the receive loop, which may read the next message's frames while the handler still works, hence the lock.
/// </summary>
internal sealed class FrameRecorder : IFrameTraceObserver
{
    // Enough of each payload to see the masking at work.
    private const int FirstBytes = 16;

    private readonly Queue<(string Json, bool EndsMessage)> _frames = new();

    public void OnFrame(in FrameTrace frame)
    {
        FrameHeader header = frame.Header;
        Span<byte> masked = stackalloc byte[FirstBytes];
        Span<byte> unmasked = stackalloc byte[FirstBytes];
        int count = frame.CopyFirstBytes(masked, unmasked);
        Span<byte> key = stackalloc byte[4];
        for (int i = 0; i < key.Length; i++)
        {
            key[i] = (byte)(header.MaskKey >> (8 * i));
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("fin", header.Fin);
            json.WriteBoolean("rsv1", (header.Rsv & 4) != 0);
            json.WriteBoolean("rsv2", (header.Rsv & 2) != 0);
            json.WriteBoolean("rsv3", (header.Rsv & 1) != 0);
            json.WriteNumber("opcode", (int)header.Opcode);
            json.WriteString("opcodeName", OpcodeName(header.Opcode));
            json.WriteBoolean("masked", header.Masked);
            json.WriteNumber("lengthForm", frame.LengthForm);
            json.WriteNumber("payloadLength", header.PayloadLength);
            json.WriteNumber("headerLength", header.Length);
            json.WriteString("maskKey", header.Masked ? Convert.ToHexString(key) : "");
            json.WriteString("maskedHex", Convert.ToHexString(masked[..count]));
            json.WriteString("unmaskedHex", Convert.ToHexString(unmasked[..count]));
            json.WriteEndObject();
        }

        bool endsMessage = header.Fin && ((int)header.Opcode & 0x8) == 0; // a data frame with FIN
        lock (_frames)
        {
            _frames.Enqueue((Encoding.UTF8.GetString(buffer.WrittenSpan), endsMessage));
        }
    }

    /// <summary>The frames read up to the last frame of the next message, control frames between them included.</summary>
    public string[] TakeMessage()
    {
        var taken = new List<string>();
        lock (_frames)
        {
            while (_frames.TryDequeue(out var frame))
            {
                taken.Add(frame.Json);
                if (frame.EndsMessage)
                {
                    break;
                }
            }
        }

        return [.. taken];
    }

    public static string OpcodeName(Opcode opcode) => opcode switch
    {
        Opcode.Continuation => "continuation",
        Opcode.Text => "text",
        Opcode.Binary => "binary",
        Opcode.Close => "close",
        Opcode.Ping => "ping",
        Opcode.Pong => "pong",
        _ => "reserved",
    };
}
