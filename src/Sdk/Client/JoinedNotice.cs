using System.Buffers;
using System.Text.Json;

namespace Switchboard.Client;

/// <summary>
/// Reads the data of a <c>switchboard.joined</c> notice: <c>{"group":"room","epoch":"…","offset":17,"recovered":true}</c>
/// (docs/protocol.md, "History and recovery"). Unknown properties are ignored, as in every envelope.
/// </summary>
internal static class JoinedNotice
{
    /// <summary>The notice's wire type.</summary>
    public const string Type = "switchboard.joined";

    /// <summary>The prefix of every notice the server sends of its own accord.</summary>
    public const string Prefix = "switchboard.";

    /// <summary>Reads <paramref name="data"/>; on failure <paramref name="error"/> names what is wrong.</summary>
    public static bool TryRead(ReadOnlySequence<byte> data, out GroupJoinedEventArgs? notice, out string? error)
    {
        notice = null;
        try
        {
            error = Read(data, out notice);
        }
        catch (JsonException e)
        {
            error = e.Message;
        }
        catch (InvalidOperationException e)
        {
            error = e.Message;
        }
        return error is null;
    }

    private static string? Read(ReadOnlySequence<byte> data, out GroupJoinedEventArgs? notice)
    {
        notice = null;
        var reader = new Utf8JsonReader(data);
        reader.Read(); // the envelope reader has checked that data is an object
        string? group = null;
        string? epoch = null;
        long? offset = null;
        bool? recovered = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("group"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String) return "\"group\" is not a string";
                group = reader.GetString();
            }
            else if (reader.ValueTextEquals("epoch"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String) return "\"epoch\" is not a string";
                epoch = reader.GetString();
                if (!PositionBook.IsValidEpoch(epoch)) return "\"epoch\" is not 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'";
            }
            else if (reader.ValueTextEquals("offset"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value) || value < 0)
                    return "\"offset\" is not an integer of 0 or more";
                offset = value;
            }
            else if (reader.ValueTextEquals("recovered"u8))
            {
                reader.Read();
                recovered = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    JsonTokenType.Null => null,
                    _ => throw new JsonException("\"recovered\" is not a boolean"),
                };
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (group is null) return "\"group\" is missing";
        if (epoch is null) return "\"epoch\" is missing";
        if (offset is null) return "\"offset\" is missing";
        notice = new GroupJoinedEventArgs(group, epoch, offset.Value, recovered);
        return null;
    }
}
