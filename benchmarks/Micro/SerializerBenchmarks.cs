using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using Chat;
using Switchboard.Messaging;

namespace Switchboard.Benchmarks.Micro;

/// <summary>
/// The chat's messages written and read by their generated serializers and by System.Text.Json source generation,
/// both into one reused buffer writer (a default <see cref="Utf8JsonWriter"/>, reset for every operation), and
/// <c>chat.message</c> in its envelope.
/// </summary>
[Config(typeof(MicroConfig))]
public class SerializerBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly ChatMessage _message = new("alice", "Hello there! How is everyone doing today? 👋", new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
    private readonly Roster _roster = new([.. Enumerable.Range(0, 20).Select(i => $"user{i}")]);
    // The envelope's names pre-encoded for System.Text.Json too, as a careful hand-written envelope would have them.
    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText DataName = JsonEncodedText.Encode("data");
    private static readonly JsonEncodedText MessageTypeName = JsonEncodedText.Encode(ChatMessage.MessageType);

    private Utf8JsonWriter _writer = null!;
    private byte[] _messageJson = [];

    [GlobalSetup]
    public void Setup()
    {
        _writer = new Utf8JsonWriter(_buffer);
        _messageJson = JsonSerializer.SerializeToUtf8Bytes(_message, ChatJsonContext.Default.ChatMessage);
    }

    [Benchmark(Baseline = true)]
    public int WriteMessage_SystemTextJson()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        JsonSerializer.Serialize(_writer, _message, ChatJsonContext.Default.ChatMessage);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int WriteMessage_Generated()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        ChatMessage.Write(_writer, _message);
        _writer.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int WriteRoster_SystemTextJson()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        JsonSerializer.Serialize(_writer, _roster, ChatJsonContext.Default.Roster);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int WriteRoster_Generated()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        Roster.Write(_writer, _roster);
        _writer.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int WriteEnvelope_SystemTextJson()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        _writer.WriteString(TypeName, MessageTypeName);
        _writer.WritePropertyName(DataName);
        JsonSerializer.Serialize(_writer, _message, ChatJsonContext.Default.ChatMessage);
        _writer.WriteEndObject();
        _writer.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int WriteEnvelope_Generated()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        Envelope.Write(_writer, _message);
        _writer.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public ChatMessage? ReadMessage_SystemTextJson() => JsonSerializer.Deserialize(_messageJson, ChatJsonContext.Default.ChatMessage);

    [Benchmark]
    public ChatMessage ReadMessage_Generated()
    {
        var reader = new Utf8JsonReader(_messageJson);
        return ChatMessage.Read(ref reader);
    }
}

/// <summary>System.Text.Json's source-generated serializers for the same types, with the same naming.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ChatMessage))]
[JsonSerializable(typeof(Roster))]
internal sealed partial class ChatJsonContext : JsonSerializerContext;
