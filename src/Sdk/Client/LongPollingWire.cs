using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Switchboard.Connections;

namespace Switchboard.Client;

/// <summary>The JSON bodies of long polling (docs/protocol.md, "Long polling"), read and written without I/O.</summary>
/// <remarks>Readers accept properties in any order, skip unknown ones and never throw: false means the body is invalid.</remarks>
internal static class LongPollingWire
{
    /// <summary>The hold time a server that does not say uses.</summary>
    public static readonly TimeSpan DefaultHold = TimeSpan.FromSeconds(25);

    private static ReadOnlySpan<byte> SessionProperty => "session"u8;
    private static ReadOnlySpan<byte> HoldProperty => "holdMs"u8;
    private static ReadOnlySpan<byte> SeqProperty => "seq"u8;
    private static ReadOnlySpan<byte> MessagesProperty => "messages"u8;
    private static ReadOnlySpan<byte> CloseProperty => "close"u8;
    private static ReadOnlySpan<byte> CodeProperty => "code"u8;
    private static ReadOnlySpan<byte> ReasonProperty => "reason"u8;

    /// <summary>Reads the open answer <c>{"session":"…","holdMs":25000}</c>; a missing <c>holdMs</c> is <see cref="DefaultHold"/>.</summary>
    public static bool TryReadOpen(ReadOnlySpan<byte> body, [NotNullWhen(true)] out string? session, out TimeSpan hold)
    {
        session = null;
        hold = DefaultHold;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(SessionProperty))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String) return false;
                    session = reader.GetString();
                }
                else if (reader.ValueTextEquals(HoldProperty))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var milliseconds) || milliseconds < 0) return false;
                    hold = TimeSpan.FromMilliseconds(milliseconds);
                }
                else if (!reader.TrySkip()) return false;
            }
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read() && !string.IsNullOrEmpty(session);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) // GetString on invalid UTF-8
        {
            session = null;
            return false;
        }
    }

    /// <summary>
    /// Reads a poll answer <c>{"seq":N,"messages":[…],"close":{"code":…,"reason":…}}</c>: <paramref name="messages"/> gets
    /// the offset and length of each envelope in <paramref name="body"/>, numbered from <paramref name="seq"/>.
    /// <paramref name="closed"/> says whether the session ended; <paramref name="closeCode"/> is its code, if it had one.
    /// </summary>
    public static bool TryReadPoll(ReadOnlySpan<byte> body, List<(int Offset, int Length)> messages, out long seq, out bool closed,
        out CloseCode? closeCode, out string? closeReason)
    {
        messages.Clear();
        seq = 0;
        closed = false;
        closeCode = null;
        closeReason = null;
        var hasSeq = false;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(SeqProperty))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out seq) || seq < 1) return false;
                    hasSeq = true;
                }
                else if (reader.ValueTextEquals(MessagesProperty))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) return false;
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    {
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        messages.Add((start, (int)reader.BytesConsumed - start));
                    }
                    if (reader.TokenType != JsonTokenType.EndArray) return false;
                }
                else if (reader.ValueTextEquals(CloseProperty))
                {
                    if (!reader.Read()) return false;
                    if (reader.TokenType == JsonTokenType.Null) continue;
                    if (reader.TokenType != JsonTokenType.StartObject || !TryReadClose(ref reader, out closeCode, out closeReason)) return false;
                    closed = true;
                }
                else if (!reader.TrySkip()) return false;
            }
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read() && (hasSeq || messages.Count == 0);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            messages.Clear();
            return false;
        }
    }

    /// <summary>Writes a send body: the envelopes as one JSON array, <c>[{…},{…}]</c>.</summary>
    public static void WriteBatch(IBufferWriter<byte> output, IEnumerable<EncodedMessage> batch)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write("["u8);
        var first = true;
        foreach (var message in batch)
        {
            if (!first) output.Write(","u8);
            output.Write(message.Payload.Span);
            first = false;
        }
        output.Write("]"u8);
    }

    private static bool TryReadClose(ref Utf8JsonReader reader, out CloseCode? code, out string? reason)
    {
        code = null;
        reason = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(CodeProperty))
            {
                if (!reader.Read()) return false;
                if (reader.TokenType == JsonTokenType.Null) continue;
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt16(out var value)) return false;
                code = (CloseCode)value;
            }
            else if (reader.ValueTextEquals(ReasonProperty))
            {
                if (!reader.Read()) return false;
                if (reader.TokenType == JsonTokenType.String) reason = reader.GetString();
                else if (reader.TokenType != JsonTokenType.Null) return false;
            }
            else if (!reader.TrySkip()) return false;
        }
        return reader.TokenType == JsonTokenType.EndObject;
    }
}
