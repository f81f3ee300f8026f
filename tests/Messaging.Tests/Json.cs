using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Messaging.Tests;

/// <summary>Our serializer next to System.Text.Json's, configured as the wire format says.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Stj = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    public static byte[] Write<T>(T value)
        where T : IMessage<T>
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            T.Write(writer, value);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static T Read<T>(string json)
        where T : IMessage<T> => Read<T>(Encoding.UTF8.GetBytes(json));

    public static T Read<T>(byte[] utf8)
        where T : IMessage<T>
    {
        var reader = new Utf8JsonReader(utf8);
        return T.Read(ref reader);
    }

    public static byte[] StjWrite<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Stj);

    public static string Text(byte[] utf8) => Encoding.UTF8.GetString(utf8);
}
