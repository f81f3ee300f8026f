using System.Buffers;
using System.Text;
using System.Text.Json;
using Switchboard;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Server.Handshake;

/// <summary>
/// The JSON text of each event a trace channel carries, one object with a "type" and, but for "trace" and "error",
/// the inspected connection's id: "trace" (the channel's id), "handshake", "frame" (<see cref="FrameForwarder"/>),
/// "message", "ping", "ended" and "error".
/// </summary>
internal static class InspectorEvents
{
    public static string Trace(string id) => Write(json =>
    {
        json.WriteString("type", "trace");
        json.WriteString("id", id);
    });

    /// <summary>The opening handshake as the server computed it; <paramref name="client"/> is "browser" or "dotnet".</summary>
    public static string Handshake(long connection, string client, AcceptComputation handshake, string? offeredExtensions) => Write(json =>
    {
        json.WriteString("type", "handshake");
        json.WriteNumber("connection", connection);
        json.WriteString("client", client);
        json.WriteString("key", handshake.Key);
        json.WriteString("guid", AcceptComputation.KeyGuid);
        json.WriteString("keyWithGuid", handshake.KeyWithGuid);
        json.WriteString("sha1", handshake.Sha1Hex);
        json.WriteString("accept", handshake.Accept);
        json.WriteString("offeredExtensions", offeredExtensions);
    });

    /// <summary>A complete message, after the frames it came in: its opcode and its length once unfragmented and inflated.</summary>
    public static string Message(long connection, in WebSocketMessage message)
    {
        string opcode = OpcodeName(message.Opcode);
        long length = message.Payload.Length;
        return Write(json =>
        {
            json.WriteString("type", "message");
            json.WriteNumber("connection", connection);
            json.WriteString("opcode", opcode);
            json.WriteNumber("length", length);
        });
    }

    public static string Ping(long connection, string payload) => Write(json =>
    {
        json.WriteString("type", "ping");
        json.WriteNumber("connection", connection);
        json.WriteString("payload", payload);
    });

    /// <summary>The connection is gone; <paramref name="status"/> is the close code its peer sent, if any.</summary>
    public static string Ended(long connection, CloseCode? status) => Write(json =>
    {
        json.WriteString("type", "ended");
        json.WriteNumber("connection", connection);
        if (status is { } code) json.WriteNumber("status", (int)code);
        else json.WriteNull("status");
    });

    public static string Error(string message) => Write(json =>
    {
        json.WriteString("type", "error");
        json.WriteString("message", message);
    });

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

    /// <summary>One JSON object: <paramref name="body"/> writes its members.</summary>
    public static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
