using System.Buffers;
using System.Text;
using Switchboard.Protocol.Http;

namespace Switchboard.Server.Http;

/// <summary>
/// Turns a head that <see cref="HttpHeadScanner"/> accepted into an <see cref="HttpRequestHead"/>. Runs once per request,
/// after the allocation-free scan has passed, so a head arriving in many pieces costs no garbage until it is complete;
/// and then it makes only the copy of the bytes and the path, leaving the other strings to
/// <see cref="Materialize"/>, on first use.
/// </summary>
internal static class HttpHeadBuilder
{
    /// <summary>Builds the head from exactly its bytes, blank line included.</summary>
    public static HttpRequestHead Build(in ReadOnlySequence<byte> head)
    {
        byte[] bytes = head.ToArray();
        ReadOnlySpan<byte> line = bytes.AsSpan(0, bytes.AsSpan().IndexOf("\r\n"u8));
        _ = RequestLine.TryParse(line, out RequestLine requestLine);
        ReadOnlySpan<byte> target = line[requestLine.Target];
        RequestLine.TargetParts parts = requestLine.Parts;
        ReadOnlySpan<byte> pathBytes = target[parts.PathStart..parts.PathEnd];
        // The root, which a catch-all endpoint is often opened at, is a shared string.
        string path = pathBytes.IsEmpty || pathBytes.SequenceEqual("/"u8) ? "/" : Encoding.ASCII.GetString(pathBytes);
        bool http10 = line[requestLine.Version].SequenceEqual("HTTP/1.0"u8);

        long contentLength = -1;
        bool close = false;
        bool keepAlive = false;
        bool expectsContinue = false;
        foreach (HttpField field in new HttpFieldEnumerator(bytes.AsSpan(line.Length + 2)))
        {
            switch (KnownHeaders.Identify(field.Name))
            {
                case KnownHeader.ContentLength when contentLength < 0 && HttpSyntax.TryParseContentLength(field.Value, out long length):
                    contentLength = length;
                    break;
                case KnownHeader.Connection:
                    close |= HttpSyntax.ContainsToken(field.Value, "close"u8);
                    keepAlive |= HttpSyntax.ContainsToken(field.Value, "keep-alive"u8);
                    break;
                case KnownHeader.Expect:
                    expectsContinue |= HttpSyntax.ContainsToken(field.Value, "100-continue"u8);
                    break;
            }
        }

        HeadFlags flags = (http10 ? HeadFlags.Http10 : HeadFlags.None)
            | (!close && (!http10 || keepAlive) ? HeadFlags.KeepAlive : HeadFlags.None)
            | (expectsContinue ? HeadFlags.ExpectsContinue : HeadFlags.None);
        return new HttpRequestHead(bytes, GetMethod(line[requestLine.Method]), path, contentLength, flags);
    }

    /// <summary>The strings of a head built by <see cref="Build"/>: every field, the target and its parts.</summary>
    public static HttpRequestHead.Parts Materialize(HttpRequestHead head)
    {
        ReadOnlySpan<byte> line = head.RequestLine;
        string path = head.Path;
        _ = RequestLine.TryParse(line, out RequestLine requestLine);
        ReadOnlySpan<byte> methodBytes = line[requestLine.Method];
        string method = GetMethod(methodBytes) == KnownMethod.Other ? Encoding.ASCII.GetString(methodBytes) : string.Empty;
        ReadOnlySpan<byte> targetBytes = line[requestLine.Target];
        RequestLine.TargetParts parts = requestLine.Parts;
        // An origin-form target without a query is its path: one string for both.
        string target = targetBytes.Length == path.Length && parts.AuthorityStart == parts.AuthorityEnd ? path : Encoding.ASCII.GetString(targetBytes);
        string query = parts.QueryStart < 0 ? string.Empty : Encoding.ASCII.GetString(targetBytes[parts.QueryStart..]);

        int count = 0;
        foreach (HttpField _ in head.RawFields)
        {
            count++;
        }

        var headers = new KeyValuePair<string, string>[count];
        string? host = parts.AuthorityStart == parts.AuthorityEnd ? null : Encoding.ASCII.GetString(targetBytes[parts.AuthorityStart..parts.AuthorityEnd]);
        int i = 0;
        foreach (HttpField field in head.RawFields)
        {
            KnownHeader known = KnownHeaders.Identify(field.Name);
            string value = GetValue(known, field.Value);
            headers[i++] = new(KnownHeaders.GetName(known, field.Name), value);
            if (known == KnownHeader.Host)
            {
                host ??= value;
            }
        }

        return new HttpRequestHead.Parts(method, target, query, host ?? string.Empty, headers);
    }

    /// <summary>The <see cref="HttpRequestHead.Host"/> of a head built by <see cref="Build"/>, made without the other strings.</summary>
    public static string ReadHost(HttpRequestHead head)
    {
        ReadOnlySpan<byte> line = head.RequestLine;
        _ = RequestLine.TryParse(line, out RequestLine requestLine);
        ReadOnlySpan<byte> targetBytes = line[requestLine.Target];
        RequestLine.TargetParts parts = requestLine.Parts;
        if (parts.AuthorityStart != parts.AuthorityEnd)
        {
            return Encoding.ASCII.GetString(targetBytes[parts.AuthorityStart..parts.AuthorityEnd]);
        }

        foreach (HttpField field in head.RawFields)
        {
            if (KnownHeaders.Identify(field.Name) == KnownHeader.Host)
            {
                return GetValue(KnownHeader.Host, field.Value);
            }
        }

        return string.Empty;
    }

    /// <summary>
    /// A field value as a string: a shared one for the values every upgrade request carries, so the strings made from a
    /// head repeat no copies of them.
    /// </summary>
    public static string GetValue(KnownHeader header, ReadOnlySpan<byte> value) => header switch
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

    /// <summary>The method as one of RFC 9110 section 9, which the head names without a string of its own.</summary>
    private static KnownMethod GetMethod(ReadOnlySpan<byte> method) => method switch
    {
        _ when method.SequenceEqual("GET"u8) => KnownMethod.Get,
        _ when method.SequenceEqual("HEAD"u8) => KnownMethod.Head,
        _ when method.SequenceEqual("POST"u8) => KnownMethod.Post,
        _ when method.SequenceEqual("PUT"u8) => KnownMethod.Put,
        _ when method.SequenceEqual("DELETE"u8) => KnownMethod.Delete,
        _ when method.SequenceEqual("OPTIONS"u8) => KnownMethod.Options,
        _ when method.SequenceEqual("PATCH"u8) => KnownMethod.Patch,
        _ => KnownMethod.Other,
    };
}
