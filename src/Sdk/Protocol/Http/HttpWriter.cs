using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Switchboard.Protocol.Http;

/// <summary>Appends pieces of an HTTP/1.1 head to an <see cref="IBufferWriter{T}"/>.</summary>
internal static class HttpWriter
{
    public static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    /// <summary>Writes text one byte per char; callers pass only text already checked to be ASCII or Latin-1.</summary>
    public static void WriteLatin1(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        int written = Encoding.Latin1.GetBytes(text, output.GetSpan(text.Length));
        output.Advance(written);
    }

    public static void WriteUtf8(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        int written = Encoding.UTF8.GetBytes(text, output.GetSpan(Encoding.UTF8.GetByteCount(text)));
        output.Advance(written);
    }

    public static void WriteDecimal(IBufferWriter<byte> output, long value)
    {
        Span<byte> destination = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, destination, out int written);
        output.Advance(written);
    }

    /// <summary><c>HTTP/1.1 SP status-code SP reason-phrase CRLF</c> (RFC 9112 section 4).</summary>
    public static void WriteStatusLine(IBufferWriter<byte> output, int statusCode)
    {
        Write(output, "HTTP/1.1 "u8);
        WriteDecimal(output, statusCode);
        Write(output, " "u8);
        WriteLatin1(output, GetReasonPhrase(statusCode));
        Write(output, Crlf);
    }

    /// <summary><c>name ": " value CRLF</c>.</summary>
    public static void WriteField(IBufferWriter<byte> output, ReadOnlySpan<byte> name, ReadOnlySpan<char> value)
    {
        Write(output, name);
        Write(output, ": "u8);
        WriteLatin1(output, value);
        Write(output, Crlf);
    }

    /// <summary>The reason phrase RFC 9110 section 15 registers for a status, or empty for an unregistered one.</summary>
    public static string GetReasonPhrase(int statusCode) => statusCode switch
    {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => string.Empty,
    };
}
