using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;

namespace Switchboard.Client;

/// <summary>
/// The server's reason for refusing an opening request, as docs/protocol.md ("Reconnecting") says it is written: the
/// plain-text body of a refused WebSocket upgrade, the <c>error</c> member of a refused long-polling open.
/// </summary>
internal static class RefusalReason
{
    /// <summary>The most of a refusal's head and body read; a reason is one line.</summary>
    private const int MaxResponseBytes = 16 * 1024;

    /// <summary>The most characters of a reason kept.</summary>
    private const int MaxReasonLength = 512;

    /// <summary>
    /// Reads the rest of a refused upgrade's response from <paramref name="input"/>, whose unread bytes start at its status
    /// line: the body when it is <c>text/plain</c>, up to its Content-Length or the end of the connection; null for any
    /// other body, none, or one that does not arrive in full before <paramref name="cancellationToken"/>.
    /// </summary>
    public static async ValueTask<string?> ReadAsync(PipeReader input, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (TryParse(buffer.Length > MaxResponseBytes ? buffer.Slice(0, MaxResponseBytes) : buffer,
                        result.IsCompleted || buffer.Length >= MaxResponseBytes, out var reason))
                {
                    input.AdvanceTo(buffer.End);
                    return reason;
                }
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or System.Net.Sockets.SocketException)
        {
            return null; // the status alone is the answer
        }
    }

    /// <summary>The <c>error</c> member of a JSON refusal body; null when there is none.</summary>
    public static string? FromJson(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isError = reader.ValueTextEquals("error"u8);
                if (!reader.Read()) return null;
                if (isError && reader.TokenType == JsonTokenType.String) return Clean(reader.GetString());
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not the server's JSON: no reason.
        }
        return null;
    }

    /// <summary>Whether <paramref name="response"/> holds the whole head and body (or all there will be, when <paramref name="complete"/>).</summary>
    private static bool TryParse(ReadOnlySequence<byte> response, bool complete, out string? reason)
    {
        reason = null;
        var text = Encoding.Latin1.GetString(response.ToArray());
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0) return complete;
        var head = text.AsSpan(0, end);
        long? length = null;
        var plain = false;
        foreach (var range in head.Split('\n'))
        {
            var line = head[range].TrimEnd('\r');
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && long.TryParse(value, out var parsed)) length = parsed;
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) plain = value.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase);
        }
        var bodyStart = Encoding.Latin1.GetByteCount(text.AsSpan(0, end + 4));
        var available = response.Length - bodyStart;
        if (length is { } expected && available < expected && !complete) return false;
        if (length is null && !complete) return false;
        if (!plain) return true;
        var body = response.Slice(bodyStart, Math.Min(available, length ?? available));
        try
        {
            reason = Clean(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body));
        }
        catch (DecoderFallbackException)
        {
            reason = null;
        }
        return true;
    }

    /// <summary>The reason as one trimmed line of printable text, at most <see cref="MaxReasonLength"/> characters; null when empty.</summary>
    private static string? Clean(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) return null;
        var builder = new StringBuilder(Math.Min(reason.Length, MaxReasonLength));
        foreach (var c in reason.AsSpan().Trim())
        {
            if (builder.Length == MaxReasonLength) break;
            builder.Append(char.IsControl(c) ? ' ' : c);
        }
        return builder.ToString();
    }
}
