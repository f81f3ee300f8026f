using System.Buffers;
using System.Text.Json;
using Switchboard.Connections;

namespace Switchboard.Messaging;

/// <summary>
/// The built-in failure reply of a request, <c>{"type":"switchboard.failure","id":"r7","data":{"code":"...","message":"..."}}</c>,
/// its codes, and the rules for a request's <c>id</c> (docs/protocol.md, "Request/response").
/// </summary>
/// <remarks>All members are pure and thread-safe.</remarks>
public static class RequestFailure
{
    /// <summary>The wire name of the built-in failure reply.</summary>
    public const string Type = "switchboard.failure";

    /// <summary>The most characters a request's <c>id</c> may have.</summary>
    public const int MaxIdLength = 64;

    /// <summary>The handler threw an exception it did not mean as a typed error; the message never contains the exception's text.</summary>
    public const string HandlerFailed = "handler_failed";

    /// <summary>The connection already had as many requests in flight as the endpoint allows.</summary>
    public const string TooManyRequests = "too_many_requests";

    /// <summary>The request's type has no handler on the endpoint.</summary>
    public const string NoHandler = "no_handler";

    /// <summary>The request's data does not match its type; the message names the property.</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>
    /// Never on the wire: the .NET client fails a request with it when the connection carrying it was lost, or when it
    /// is not connected, before a reply came.
    /// </summary>
    public const string ConnectionLost = "connection_lost";

    /// <summary>
    /// Never on the wire: the .NET client fails a request with it when the reply's type is neither the response nor one
    /// of the request's errors, or its data does not match its type.
    /// </summary>
    public const string InvalidReply = "invalid_reply";

    /// <summary>Whether <paramref name="id"/> is a valid request id: 1 to <see cref="MaxIdLength"/> characters.</summary>
    /// <param name="id">The envelope's <c>id</c>.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidId(string? id) => id is { Length: > 0 and <= MaxIdLength };

    /// <summary>The failure reply as a frame ready to send.</summary>
    internal static EncodedMessage Encode(string id, string code, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, Type);
            writer.WriteString("id"u8, id);
            writer.WriteStartObject("data"u8);
            writer.WriteString("code"u8, code);
            writer.WriteString("message"u8, message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return EncodedMessage.FromPayload(buffer.WrittenSpan);
    }

    /// <summary>Reads the <c>data</c> of a failure reply; false when it is not <c>{"code":string,"message":string}</c>.</summary>
    internal static bool TryRead(ReadOnlySequence<byte> data, out string code, out string message)
    {
        code = "";
        message = "";
        string? foundCode = null;
        string? foundMessage = null;
        try
        {
            var reader = new Utf8JsonReader(data);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isCode = reader.ValueTextEquals("code"u8);
                bool isMessage = reader.ValueTextEquals("message"u8);
                reader.Read();
                if (isCode && reader.TokenType == JsonTokenType.String) foundCode = reader.GetString();
                else if (isMessage && reader.TokenType == JsonTokenType.String) foundMessage = reader.GetString();
                else reader.Skip();
            }
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        if (foundCode is null || foundMessage is null) return false;
        code = foundCode;
        message = foundMessage;
        return true;
    }
}
