using System.Buffers;
using System.Text;
using Switchboard.Protocol.Http;

namespace Switchboard.Server.Http;

/// <summary>
/// Writes plain HTTP/1.1 responses (RFC 9112 section 4 and 6): the status line, the framing fields the writer
/// owns (Content-Type, Content-Length, Connection), the caller's other fields, and the body. The body is always
/// framed by Content-Length, so a persistent connection stays in step with its client.
/// </summary>
/// <remarks>
/// Stateless and thread-safe. Writers append to the output and never flush it. Field names and values are checked
/// before anything is written, so a value holding CR or LF can never inject a field or split the response.
/// </remarks>
internal static class HttpResponseWriter
{
    /// <summary>
    /// Writes a response head:
    /// <code>
    /// HTTP/1.1 {statusCode} {standard reason phrase}
    /// Content-Type: {contentType}                (when not null)
    /// Content-Length: {contentLength}            (not for 204 and 304)
    /// Connection: keep-alive | close
    /// {each of headers, in order}
    /// </code>
    /// then the blank line. The caller writes exactly <paramref name="contentLength"/> body bytes after it, or none
    /// when answering HEAD.
    /// </summary>
    /// <param name="output">Where the head is appended.</param>
    /// <param name="statusCode">A final status, 200 to 599.</param>
    /// <param name="contentType">The media type of the body, or null for none.</param>
    /// <param name="contentLength">The body length; must be 0 for 204 and 304, which carry no Content-Length.</param>
    /// <param name="keepAlive">Whether the connection stays open for another request after this response.</param>
    /// <param name="headers">More fields, such as Cache-Control or Allow; not the ones this writer owns.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="statusCode"/> is outside 200 to 599, or <paramref name="contentLength"/> is negative, or not 0
    /// for 204 and 304.
    /// </exception>
    /// <exception cref="ArgumentException">
    /// A field name is not a token, a value holds a control character or a char beyond Latin-1, or
    /// <paramref name="headers"/> names Content-Type, Content-Length, Transfer-Encoding or Connection.
    /// </exception>
    public static void WriteHead(
        IBufferWriter<byte> output,
        int statusCode,
        string? contentType,
        long contentLength,
        bool keepAlive,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        ArgumentOutOfRangeException.ThrowIfNegative(contentLength);
        bool bodiless = statusCode is 204 or 304;
        if (bodiless)
        {
            // RFC 9110 sections 8.6 and 15.3.5: a 204 never carries Content-Length, and neither does a 304 here,
            // since the length it would state is that of a body this writer never sees.
            ArgumentOutOfRangeException.ThrowIfNotEqual(contentLength, 0);
        }

        if (contentType is not null && !HttpSyntax.IsFieldValue(contentType.AsSpan()))
        {
            throw new ArgumentException("The content type must be a field value without control characters.", nameof(contentType));
        }

        if (headers is not null)
        {
            foreach (KeyValuePair<string, string> header in headers)
            {
                ValidateField(header.Key, header.Value, nameof(headers));
            }
        }

        HttpWriter.WriteStatusLine(output, statusCode);
        if (contentType is not null)
        {
            HttpWriter.WriteField(output, "Content-Type"u8, contentType);
        }

        if (!bodiless)
        {
            HttpWriter.Write(output, "Content-Length: "u8);
            HttpWriter.WriteDecimal(output, contentLength);
            HttpWriter.Write(output, HttpWriter.Crlf);
        }

        HttpWriter.Write(output, keepAlive ? "Connection: keep-alive\r\n"u8 : "Connection: close\r\n"u8);
        if (headers is not null)
        {
            foreach (KeyValuePair<string, string> header in headers)
            {
                HttpWriter.WriteLatin1(output, header.Key);
                HttpWriter.Write(output, ": "u8);
                HttpWriter.WriteLatin1(output, header.Value);
                HttpWriter.Write(output, HttpWriter.Crlf);
            }
        }

        HttpWriter.Write(output, HttpWriter.Crlf);
    }

    /// <summary>Writes a complete response: <see cref="WriteHead"/> for <paramref name="body"/>, then the body.</summary>
    /// <param name="output">Where the response is appended.</param>
    /// <param name="statusCode">A final status, 200 to 599.</param>
    /// <param name="contentType">The media type of the body, or null for none.</param>
    /// <param name="body">The body.</param>
    /// <param name="keepAlive">Whether the connection stays open for another request after this response.</param>
    /// <param name="omitBody">
    /// True when answering HEAD: the head is the one GET would get, Content-Length included, and no body follows
    /// (RFC 9110 section 9.3.2).
    /// </param>
    /// <param name="headers">More fields, such as Cache-Control or Allow; not the ones this writer owns.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">See <see cref="WriteHead"/>.</exception>
    /// <exception cref="ArgumentException">See <see cref="WriteHead"/>.</exception>
    public static void Write(
        IBufferWriter<byte> output,
        int statusCode,
        string? contentType,
        ReadOnlySpan<byte> body,
        bool keepAlive,
        bool omitBody = false,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        WriteHead(output, statusCode, contentType, body.Length, keepAlive, headers);
        if (!omitBody)
        {
            HttpWriter.Write(output, body);
        }
    }

    /// <summary>
    /// Writes a complete response whose body is <paramref name="text"/> and a newline, UTF-8 encoded, as
    /// <c>text/plain; charset=utf-8</c>.
    /// </summary>
    /// <param name="output">Where the response is appended.</param>
    /// <param name="statusCode">A final status, 200 to 599.</param>
    /// <param name="text">The body text, for people reading it.</param>
    /// <param name="keepAlive">Whether the connection stays open for another request after this response.</param>
    /// <param name="omitBody">True when answering HEAD.</param>
    /// <param name="headers">More fields, such as Allow; not the ones this writer owns.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> or <paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">See <see cref="WriteHead"/>.</exception>
    /// <exception cref="ArgumentException">See <see cref="WriteHead"/>.</exception>
    public static void WriteText(
        IBufferWriter<byte> output,
        int statusCode,
        string text,
        bool keepAlive,
        bool omitBody = false,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteHead(output, statusCode, "text/plain; charset=utf-8", Encoding.UTF8.GetByteCount(text) + 1, keepAlive, headers);
        if (!omitBody)
        {
            HttpWriter.WriteUtf8(output, text);
            HttpWriter.Write(output, "\n"u8);
        }
    }

    /// <summary>
    /// Writes the response refusing a request head: <see cref="HttpErrorExtensions.ToStatusCode"/> with
    /// <see cref="HttpErrorExtensions.Describe"/> as a text body and <c>Connection: close</c>, after which the server
    /// closes the connection.
    /// </summary>
    /// <param name="output">Where the response is appended.</param>
    /// <param name="error">What <see cref="HttpRequestParser.TryParse"/> reported; not <see cref="HttpError.None"/>.</param>
    /// <param name="headers">More fields, such as the CORS fields of the endpoint the request was meant for.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public static void WriteError(IBufferWriter<byte> output, HttpError error, IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        WriteText(output, error.ToStatusCode(), error.Describe(), keepAlive: false, headers: headers);

    /// <summary>
    /// Writes <c>HTTP/1.1 100 Continue</c> and the blank line: the interim response telling a client that sent
    /// <c>Expect: 100-continue</c> to send its body (RFC 9110 section 15.2.1).
    /// </summary>
    /// <param name="output">Where the interim response is appended.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public static void WriteContinue(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        HttpWriter.Write(output, "HTTP/1.1 100 Continue\r\n\r\n"u8);
    }

    /// <summary>
    /// Checks a field before it is passed to <see cref="WriteHead"/>: a token name that is not one of the framing
    /// fields this writer owns (Content-Type, Content-Length, Transfer-Encoding, Connection), and a value that cannot
    /// end its line.
    /// </summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The field value.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The field cannot be sent.</exception>
    public static void ValidateField(string name, string value) => ValidateField(name, value, nameof(name));

    private static void ValidateField(string name, string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (!HttpSyntax.IsToken(name.AsSpan()))
        {
            throw new ArgumentException($"'{name}' is not a valid header field name.", paramName);
        }

        if (IsOwnedField(name))
        {
            throw new ArgumentException($"The {name} field is written by the response writer itself.", paramName);
        }

        if (!HttpSyntax.IsFieldValue(value.AsSpan()))
        {
            throw new ArgumentException($"The value of {name} holds a control character or a char beyond Latin-1.", paramName);
        }
    }

    private static bool IsOwnedField(string name) =>
        name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) ||
        name.Equals("Connection", StringComparison.OrdinalIgnoreCase);
}
