using System.Buffers;
using System.Text;

namespace Switchboard.Protocol;

/// <summary>
/// Materializes a head that <see cref="HttpHeadScanner"/> accepted into an <see cref="HttpRequestHead"/>. Runs once
/// per request, after the allocation-free scan has passed, so a head arriving in many pieces costs no garbage until
/// it is complete.
/// </summary>
internal static class HttpHeadBuilder
{
    /// <summary>Builds the head from exactly its bytes, blank line included, holding <paramref name="headerCount"/> fields.</summary>
    public static HttpRequestHead Build(in ReadOnlySequence<byte> head, int headerCount)
    {
        var lines = new HttpLineReader(head, int.MaxValue);
        try
        {
            lines.TryReadLine(out ReadOnlySpan<byte> line);
            _ = RequestLine.TryParse(line, out RequestLine requestLine);
            string method = GetMethod(line[requestLine.Method]);
            ReadOnlySpan<byte> targetBytes = line[requestLine.Target];
            // The root, which a catch-all endpoint is often opened at, is a shared string.
            string target = targetBytes.SequenceEqual("/"u8) ? "/" : Encoding.ASCII.GetString(targetBytes);
            RequestLine.TargetParts parts = requestLine.Parts;
            string path = parts.PathStart == parts.PathEnd ? "/"
                : parts.PathStart == 0 && parts.PathEnd == target.Length ? target
                : target[parts.PathStart..parts.PathEnd];
            string query = parts.QueryStart < 0 ? string.Empty : target[parts.QueryStart..];
            string? host = parts.AuthorityStart == parts.AuthorityEnd ? null : target[parts.AuthorityStart..parts.AuthorityEnd];
            bool http10 = line[requestLine.Version].SequenceEqual("HTTP/1.0"u8);

            var headers = new KeyValuePair<string, string>[headerCount];
            long? contentLength = null;
            bool close = false;
            bool keepAlive = false;
            bool expectsContinue = false;
            for (int i = 0; i < headers.Length; i++)
            {
                lines.TryReadLine(out line);
                _ = HttpSyntax.TryParseField(line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> valueBytes);
                KnownHeader known = KnownHeaders.Identify(name);
                string value = GetValue(known, valueBytes);
                headers[i] = new(KnownHeaders.GetName(known, name), value);
                switch (known)
                {
                    case KnownHeader.Host:
                        host ??= value;
                        break;
                    case KnownHeader.ContentLength when contentLength is null && HttpSyntax.TryParseContentLength(valueBytes, out long length):
                        contentLength = length;
                        break;
                    case KnownHeader.Connection:
                        close |= HttpSyntax.ContainsToken(valueBytes, "close"u8);
                        keepAlive |= HttpSyntax.ContainsToken(valueBytes, "keep-alive"u8);
                        break;
                    case KnownHeader.Expect:
                        expectsContinue |= HttpSyntax.ContainsToken(valueBytes, "100-continue"u8);
                        break;
                }
            }

            return new HttpRequestHead(
                method,
                target,
                path,
                query,
                host ?? string.Empty,
                http10,
                headers,
                contentLength,
                keepAlive: !close && (!http10 || keepAlive),
                expectsContinue);
        }
        finally
        {
            lines.Dispose();
        }
    }

    /// <summary>
    /// A shared string for the values every upgrade request carries, so a WebSocket connection, which keeps its request
    /// for as long as it is open, holds no copy of its own of them.
    /// </summary>
    private static string GetValue(KnownHeader header, ReadOnlySpan<byte> value) => header switch
    {
        KnownHeader.Upgrade when value.SequenceEqual("websocket"u8) => "websocket",
        KnownHeader.Connection when value.SequenceEqual("Upgrade"u8) => "Upgrade",
        KnownHeader.Connection when value.SequenceEqual("keep-alive, Upgrade"u8) => "keep-alive, Upgrade",
        KnownHeader.Connection when value.SequenceEqual("keep-alive"u8) => "keep-alive",
        KnownHeader.Connection when value.SequenceEqual("close"u8) => "close",
        KnownHeader.SecWebSocketVersion when value.SequenceEqual("13"u8) => "13",
        KnownHeader.SecWebSocketExtensions when value.SequenceEqual("permessage-deflate; client_max_window_bits"u8)
            => "permessage-deflate; client_max_window_bits",
        _ => Encoding.Latin1.GetString(value),
    };

    /// <summary>A shared string for the methods of RFC 9110 section 9, so routing compares interned literals.</summary>
    private static string GetMethod(ReadOnlySpan<byte> method) => method switch
    {
        _ when method.SequenceEqual("GET"u8) => "GET",
        _ when method.SequenceEqual("HEAD"u8) => "HEAD",
        _ when method.SequenceEqual("POST"u8) => "POST",
        _ when method.SequenceEqual("PUT"u8) => "PUT",
        _ when method.SequenceEqual("DELETE"u8) => "DELETE",
        _ when method.SequenceEqual("OPTIONS"u8) => "OPTIONS",
        _ when method.SequenceEqual("PATCH"u8) => "PATCH",
        _ => Encoding.ASCII.GetString(method),
    };
}
