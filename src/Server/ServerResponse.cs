using System.Buffers;
using System.Text;
using Switchboard.Protocol.Http;
using Switchboard.Server.Http;

namespace Switchboard.Server;

/// <summary>
/// The response an <see cref="HttpHandler"/> fills: status, Content-Type, other fields, and a body that is buffered
/// until the handler returns, so the server can frame it with Content-Length. The server owns the framing fields
/// (Content-Length, Connection) and decides whether the connection stays open.
/// </summary>
/// <remarks>Not thread-safe: fill it from the handler's own flow.</remarks>
public sealed class ServerResponse
{
    private List<KeyValuePair<string, string>>? _headers;
    private ArrayBufferWriter<byte>? _buffer;
    private ReadOnlyMemory<byte> _content;

    internal ServerResponse()
    {
    }

    /// <summary>The status code, 200 to 599. Default 200.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 200 to 599.</exception>
    public int StatusCode
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 200);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 599);
            field = value;
        }
    } = 200;

    /// <summary>The media type of the body, such as <c>application/json</c>; null sends no Content-Type.</summary>
    /// <exception cref="ArgumentException">The value holds a control character or a char beyond Latin-1.</exception>
    public string? ContentType
    {
        get;
        set
        {
            if (value is not null && !HttpGrammar.IsFieldValue(value))
            {
                throw new ArgumentException("The content type must be a field value without control characters.", nameof(value));
            }

            field = value;
        }
    }

    /// <summary>
    /// Appends to the body. Writing after <see cref="SetBody"/> keeps what was set and appends after it.
    /// </summary>
    public IBufferWriter<byte> Body
    {
        get
        {
            if (_buffer is null)
            {
                DropBodyStream();
                _buffer = new ArrayBufferWriter<byte>(Math.Max(256, _content.Length));
                _buffer.Write(_content.Span);
                _content = default;
            }

            return _buffer;
        }
    }

    /// <summary>The fields set with <see cref="SetHeader"/>, in the order first set.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _headers ?? (IReadOnlyList<KeyValuePair<string, string>>)[];

    /// <summary>A file body set by the static file handler, streamed instead of buffered; the server disposes it.</summary>
    internal Stream? BodyStream { get; private set; }

    /// <summary>
    /// Sets a response field such as <c>Cache-Control</c>, <c>Allow</c> or <c>Location</c>, replacing any earlier
    /// value of the same name (compared case-insensitively).
    /// </summary>
    /// <param name="name">A field name (an HTTP token).</param>
    /// <param name="value">The value; Latin-1 text without control characters.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">
    /// The name is not a token or names Content-Type, Content-Length, Transfer-Encoding or Connection, which the server
    /// writes itself; or the value holds a control character.
    /// </exception>
    public void SetHeader(string name, string value)
    {
        HttpResponseWriter.ValidateField(name, value);
        _headers ??= [];
        for (var i = 0; i < _headers.Count; i++)
        {
            if (string.Equals(_headers[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                _headers[i] = new(name, value);
                return;
            }
        }

        _headers.Add(new(name, value));
    }

    /// <summary>Appends <paramref name="bytes"/> to the body.</summary>
    /// <param name="bytes">The bytes to append.</param>
    public void Write(ReadOnlySpan<byte> bytes) => Body.Write(bytes);

    /// <summary>
    /// Appends <paramref name="text"/> to the body, UTF-8 encoded, and sets <see cref="ContentType"/> to
    /// <c>text/plain; charset=utf-8</c> when none was set.
    /// </summary>
    /// <param name="text">The text to append.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public void WriteText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ContentType ??= "text/plain; charset=utf-8";
        Encoding.UTF8.GetBytes(text, Body);
    }

    /// <summary>
    /// Makes <paramref name="content"/> the whole body, replacing anything written so far. The memory is sent as is,
    /// without a copy, so it must not change until the response has been sent.
    /// </summary>
    /// <param name="content">The body.</param>
    public void SetBody(ReadOnlyMemory<byte> content)
    {
        DropBodyStream();
        _buffer = null;
        _content = content;
    }

    /// <summary>Replaces the body with a seekable stream (a file), sent in pieces; the server disposes it.</summary>
    internal void SetFileBody(Stream file)
    {
        SetBody(ReadOnlyMemory<byte>.Empty);
        BodyStream = file;
    }

    /// <summary>The buffered body.</summary>
    internal ReadOnlyMemory<byte> GetBufferedBody() => _buffer?.WrittenMemory ?? _content;

    /// <summary>Disposes a stream body that is being replaced, or that will not be sent.</summary>
    internal void DropBodyStream()
    {
        BodyStream?.Dispose();
        BodyStream = null;
    }
}
