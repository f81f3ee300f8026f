using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Switchboard.Messaging;
using Switchboard.Serialization;

namespace Switchboard.Server.Contract;

/// <summary>
/// An AsyncAPI 3.0 document of message catalogues: one channel per endpoint address, whose messages are the
/// catalogue's envelopes (<c>{"type", "data"}</c>) with JSON Schema payloads built from the catalogue's shapes, and
/// one <c>receive</c> (client to server) and one <c>send</c> (server to client) operation per channel, and per request a
/// <c>receive</c> operation whose <c>reply</c> lists its response, its errors and <c>switchboard.failure</c>.
/// </summary>
/// <remarks>
/// <para>
/// A channel added with its <see cref="MessageEndpoint"/> says which way each plain message (neither a request nor an
/// error) travels: the receive operation lists those the endpoint handles (<see cref="MessageEndpoint.On{T}"/>), the
/// send operation the others except requests' responses, which come as replies, plus those declared with
/// <see cref="MessageEndpoint.Sends{T}"/>; only the requests it handles get an operation. A catalogue alone says what each
/// message looks like, not which way it travels, so on a channel added with one both operations list every plain
/// message and every request has an operation.
/// </para>
/// <para>Build it, then <see cref="ToJson"/> or <see cref="WriteTo"/>; not thread-safe while channels are added.</para>
/// </remarks>
public sealed class AsyncApiDocument
{
    private readonly List<Channel> _channels = [];

    /// <summary>Creates a document with no channel.</summary>
    /// <param name="title">The application's title (<c>info.title</c>).</param>
    /// <param name="version">The version of its API (<c>info.version</c>).</param>
    /// <exception cref="ArgumentException">The title or the version is empty.</exception>
    public AsyncApiDocument(string title, string version)
    {
        ArgumentException.ThrowIfNullOrEmpty(title);
        ArgumentException.ThrowIfNullOrEmpty(version);
        Title = title;
        Version = version;
    }

    /// <summary>The application's title.</summary>
    public string Title { get; }

    /// <summary>The version of its API.</summary>
    public string Version { get; }

    /// <summary>
    /// Adds a channel: the endpoint mapped at <paramref name="address"/>, a route template such as <c>/ws/{username}</c>
    /// whose parameters become the channel's (a catch-all <c>{*rest}</c> becomes <c>{rest}</c>).
    /// </summary>
    /// <param name="address">The path the endpoint is mapped at; starts with '/'.</param>
    /// <param name="catalog">The endpoint's messages.</param>
    /// <returns>This document, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="address"/> does not start with '/' or is added twice.</exception>
    public AsyncApiDocument AddChannel(string address, MessageCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var plain = catalog.Messages.Where(m => m.Kind == MessageKind.Message).Select(m => m.Type).ToList();
        return Add(address, new Channel(address, catalog, Directed: false, plain, plain, [.. catalog.Messages.Where(m => m.Kind == MessageKind.Request)]));
    }

    /// <summary>
    /// Adds a channel for <paramref name="endpoint"/> mapped at <paramref name="address"/> (see
    /// <see cref="AddChannel(string, MessageCatalog)"/>), with the directions its handlers give: the receive operation lists
    /// the messages it handles, the send operation those it sends (see the remarks of <see cref="AsyncApiDocument"/>).
    /// Register the endpoint's handlers first: they are read now.
    /// </summary>
    /// <param name="address">The path the endpoint is mapped at; starts with '/'.</param>
    /// <param name="endpoint">The endpoint.</param>
    /// <returns>This document, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="address"/> does not start with '/' or is added twice.</exception>
    public AsyncApiDocument AddChannel(string address, MessageEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var catalog = endpoint.Catalog;
        var responses = new HashSet<string>(catalog.Messages.Select(m => m.Response).OfType<string>(), StringComparer.Ordinal);
        var plain = catalog.Messages.Where(m => m.Kind == MessageKind.Message).Select(m => m.Type).ToList();
        return Add(address, new Channel(
            address,
            catalog,
            Directed: true,
            [.. plain.Where(endpoint.Handles)],
            [.. plain.Where(t => endpoint.DeclaresSent(t) || (!endpoint.Handles(t) && !responses.Contains(t)))],
            [.. catalog.Messages.Where(m => m.Kind == MessageKind.Request && endpoint.Handles(m.Type))]));
    }

    private AsyncApiDocument Add(string address, Channel channel)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.StartsWith('/')) throw new ArgumentException($"channel address '{address}' must start with '/'", nameof(address));
        if (_channels.Exists(c => c.Address == address)) throw new ArgumentException($"channel address '{address}' is added twice", nameof(address));
        _channels.Add(channel);
        return this;
    }

    /// <summary>The document as indented JSON, with only the characters JSON requires escaped (it is not meant for HTML).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes the document as JSON.</summary>
    /// <param name="writer">The writer.</param>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var channelIds = ChannelIds();
        var messages = new SortedDictionary<string, MessageDescriptor>(StringComparer.Ordinal);
        var schemas = new SortedDictionary<string, ShapeDescriptor>(StringComparer.Ordinal);
        foreach (var catalog in _channels.Select(c => c.Catalog))
        {
            foreach (var message in catalog.Messages)
            {
                var id = Id(message.Type);
                if (messages.TryGetValue(id, out var known) && known.Data.TypeName != message.Data.TypeName)
                {
                    throw new InvalidOperationException($"the wire name '{message.Type}' means {known.Data.TypeName} on one channel and {message.Data.TypeName} on another");
                }

                messages[id] = message;
                CollectSchemas(message.Data, schemas);
            }
        }

        var responses = new HashSet<string>(messages.Values.Select(m => m.Response).OfType<string>(), StringComparer.Ordinal);
        bool anyRequest = messages.Values.Any(m => m.Kind == MessageKind.Request);

        writer.WriteStartObject();
        writer.WriteString("asyncapi"u8, "3.0.0");
        writer.WriteStartObject("info"u8);
        writer.WriteString("title"u8, Title);
        writer.WriteString("version"u8, Version);
        writer.WriteString("description"u8,
            "Switchboard envelopes {\"type\", \"data\"} over WebSocket or HTTP long polling (docs/protocol.md). The receive operation " +
            "of a channel lists the messages its server accepts from clients, the send operation those it may send them; " +
            (_channels.Exists(c => c.Directed)
                ? "a channel described from its endpoint lists the messages it handles and those it sends, and has operations only for " +
                  "the requests it handles; one described from a message " +
                  "catalogue alone, which does not record which way a plain message travels, lists every plain message under both. "
                : "a message catalogue does not record which way a plain message travels, so both list every plain message of the " +
                  "channel's catalogue. ") +
            "Each request has its own receive operation whose reply is its response, its errors or switchboard.failure.");
        writer.WriteEndObject();
        writer.WriteString("defaultContentType"u8, "application/json");

        writer.WriteStartObject("channels"u8);
        for (int i = 0; i < _channels.Count; i++)
        {
            var (address, catalog) = (_channels[i].Address, _channels[i].Catalog);
            writer.WriteStartObject(channelIds[i]);
            writer.WriteString("address"u8, AsyncApiAddress(address, out var parameters));
            writer.WriteStartObject("messages"u8);
            foreach (var message in catalog.Messages)
            {
                writer.WriteStartObject(Id(message.Type));
                writer.WriteString("$ref"u8, "#/components/messages/" + Id(message.Type));
                writer.WriteEndObject();
            }

            if (HasRequests(catalog))
            {
                writer.WriteStartObject(FailureId);
                writer.WriteString("$ref"u8, "#/components/messages/" + FailureId);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            if (parameters.Count > 0)
            {
                writer.WriteStartObject("parameters"u8);
                foreach (var parameter in parameters)
                {
                    writer.WriteStartObject(parameter);
                    writer.WriteString("description"u8, $"The '{parameter}' segment of the path.");
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();

        writer.WriteStartObject("operations"u8);
        for (int i = 0; i < _channels.Count; i++)
        {
            WriteOperation(writer, channelIds[i], _channels[i].Received, "receive", "Messages the server accepts from a client on this channel.");
            WriteOperation(writer, channelIds[i], _channels[i].Sent, "send", "Messages the server may send to a client on this channel.");
            foreach (var request in _channels[i].Requests)
            {
                WriteRequestOperation(writer, channelIds[i], request);
            }
        }

        writer.WriteEndObject();

        writer.WriteStartObject("components"u8);
        writer.WriteStartObject("messages"u8);
        foreach (var (id, message) in messages)
        {
            WriteMessage(writer, id, message, message.Kind != MessageKind.Message, responses.Contains(message.Type));
        }

        if (anyRequest)
        {
            WriteFailure(writer);
        }

        writer.WriteEndObject();
        writer.WriteStartObject("schemas"u8);
        foreach (var (id, shape) in schemas)
        {
            writer.WritePropertyName(id);
            WriteNamedSchema(writer, shape);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteOperation(Utf8JsonWriter writer, string channelId, List<string> types, string action, string summary)
    {
        writer.WriteStartObject(channelId + "." + action);
        writer.WriteString("action"u8, action);
        writer.WriteStartObject("channel"u8);
        writer.WriteString("$ref"u8, "#/channels/" + channelId);
        writer.WriteEndObject();
        writer.WriteString("summary"u8, summary);
        writer.WriteStartArray("messages"u8);
        foreach (var type in types)
        {
            WriteMessageRef(writer, channelId, Id(type));
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>A request: the server receives it and replies on the same channel with its response, an error or the failure.</summary>
    private static void WriteRequestOperation(Utf8JsonWriter writer, string channelId, MessageDescriptor request)
    {
        writer.WriteStartObject(channelId + "." + Id(request.Type));
        writer.WriteString("action"u8, "receive");
        writer.WriteStartObject("channel"u8);
        writer.WriteString("$ref"u8, "#/channels/" + channelId);
        writer.WriteEndObject();
        writer.WriteString("summary"u8, $"The request {request.Type}: its reply carries the request's id.");
        writer.WriteStartArray("messages"u8);
        WriteMessageRef(writer, channelId, Id(request.Type));
        writer.WriteEndArray();
        writer.WriteStartObject("reply"u8);
        writer.WriteStartObject("channel"u8);
        writer.WriteString("$ref"u8, "#/channels/" + channelId);
        writer.WriteEndObject();
        writer.WriteStartArray("messages"u8);
        foreach (var reply in (request.Response is null ? Array.Empty<string>() : [request.Response]).Concat(request.Errors))
        {
            WriteMessageRef(writer, channelId, Id(reply));
        }

        WriteMessageRef(writer, channelId, FailureId);
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteMessageRef(Utf8JsonWriter writer, string channelId, string messageId)
    {
        writer.WriteStartObject();
        writer.WriteString("$ref"u8, $"#/channels/{channelId}/messages/{messageId}");
        writer.WriteEndObject();
    }

    private static bool HasRequests(MessageCatalog catalog) => catalog.Messages.Any(m => m.Kind == MessageKind.Request);

    private static string FailureId => Id(RequestFailure.Type);

    private static void WriteFailure(Utf8JsonWriter writer)
    {
        writer.WriteStartObject(FailureId);
        writer.WriteString("name"u8, RequestFailure.Type);
        writer.WriteString("title"u8, "The built-in failure of a request");
        writer.WriteString("contentType"u8, "application/json");
        writer.WriteStartObject("payload"u8);
        writer.WriteString("type"u8, "object");
        writer.WriteStartObject("properties"u8);
        writer.WriteStartObject("type"u8);
        writer.WriteString("const"u8, RequestFailure.Type);
        writer.WriteEndObject();
        WriteIdSchema(writer);
        writer.WriteStartObject("data"u8);
        writer.WriteString("type"u8, "object");
        writer.WriteStartObject("properties"u8);
        writer.WriteStartObject("code"u8);
        writer.WriteString("type"u8, "string");
        writer.WriteString("description"u8,
            $"{RequestFailure.HandlerFailed}, {RequestFailure.TooManyRequests}, {RequestFailure.NoHandler} or {RequestFailure.InvalidRequest}; a newer server may send others.");
        writer.WriteEndObject();
        writer.WriteStartObject("message"u8);
        writer.WriteString("type"u8, "string");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteStartArray("required"u8);
        writer.WriteStringValue("code"u8);
        writer.WriteStringValue("message"u8);
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteStartArray("required"u8);
        writer.WriteStringValue("type"u8);
        writer.WriteStringValue("id"u8);
        writer.WriteStringValue("data"u8);
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteIdSchema(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("id"u8);
        writer.WriteString("type"u8, "string");
        writer.WriteNumber("minLength"u8, 1);
        writer.WriteNumber("maxLength"u8, RequestFailure.MaxIdLength);
        writer.WriteString("description"u8, "The request's id, chosen by the client; a reply carries it back.");
        writer.WriteEndObject();
    }

    /// <summary>A message's envelope; requests and errors always carry an id, responses when they are replies.</summary>
    private static void WriteMessage(Utf8JsonWriter writer, string id, MessageDescriptor message, bool requiresId, bool mayCarryId)
    {
        writer.WriteStartObject(id);
        writer.WriteString("name"u8, message.Type);
        writer.WriteString("title"u8, message.Data.TypeName);
        writer.WriteString("contentType"u8, "application/json");
        writer.WriteStartObject("payload"u8);
        writer.WriteString("type"u8, "object");
        writer.WriteStartObject("properties"u8);
        writer.WriteStartObject("type"u8);
        writer.WriteString("const"u8, message.Type);
        writer.WriteEndObject();
        if (requiresId || mayCarryId)
        {
            WriteIdSchema(writer);
        }

        writer.WritePropertyName("data"u8);
        WriteSchema(writer, message.Data);
        writer.WriteEndObject();
        writer.WriteStartArray("required"u8);
        writer.WriteStringValue("type"u8);
        if (requiresId)
        {
            writer.WriteStringValue("id"u8);
        }

        writer.WriteStringValue("data"u8);
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteNamedSchema(Utf8JsonWriter writer, ShapeDescriptor shape)
    {
        writer.WriteStartObject();
        writer.WriteString("title"u8, shape.TypeName);
        if (shape.Kind == ShapeKind.Enum)
        {
            writer.WriteString("type"u8, "string");
            if (shape.IsFlags)
            {
                writer.WriteString("description"u8, "Flags: one member name, or several separated by \", \": " + string.Join(", ", shape.EnumMembers) + ".");
                writer.WriteString("pattern"u8, FlagsPattern(shape));
            }
            else
            {
                writer.WriteStartArray("enum"u8);
                foreach (var member in shape.EnumMembers)
                {
                    writer.WriteStringValue(member);
                }

                writer.WriteEndArray();
            }
        }
        else
        {
            writer.WriteString("type"u8, "object");
            writer.WriteStartObject("properties"u8);
            foreach (var field in shape.Fields)
            {
                writer.WritePropertyName(field.Name);
                WriteSchema(writer, field.Shape);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("required"u8);
            foreach (var field in shape.Fields)
            {
                if (field.Required)
                {
                    writer.WriteStringValue(field.Name);
                }
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteSchema(Utf8JsonWriter writer, ShapeDescriptor shape)
    {
        writer.WriteStartObject();
        switch (shape.Kind)
        {
            case ShapeKind.Object or ShapeKind.Enum:
                writer.WriteString("$ref"u8, "#/components/schemas/" + Id(shape.TypeName!));
                break;
            case ShapeKind.Nullable:
                writer.WriteStartArray("oneOf"u8);
                WriteSchema(writer, shape.Element!);
                writer.WriteStartObject();
                writer.WriteString("type"u8, "null");
                writer.WriteEndObject();
                writer.WriteEndArray();
                break;
            case ShapeKind.Array:
                writer.WriteString("type"u8, "array");
                writer.WritePropertyName("items"u8);
                WriteSchema(writer, shape.Element!);
                break;
            case ShapeKind.Dictionary:
                writer.WriteString("type"u8, "object");
                writer.WritePropertyName("additionalProperties"u8);
                WriteSchema(writer, shape.Element!);
                break;
            case ShapeKind.Boolean:
                writer.WriteString("type"u8, "boolean");
                break;
            case ShapeKind.Byte or ShapeKind.SByte or ShapeKind.Int16 or ShapeKind.UInt16 or ShapeKind.Int32 or ShapeKind.UInt32:
                var (minimum, maximum) = JsonShapeRules.IntegerRange(shape.Kind);
                writer.WriteString("type"u8, "integer");
                writer.WriteNumber("minimum"u8, minimum);
                writer.WriteNumber("maximum"u8, maximum);
                break;
            case ShapeKind.Int64:
                writer.WriteString("type"u8, "integer");
                writer.WriteString("format"u8, "int64");
                break;
            case ShapeKind.UInt64:
                writer.WriteString("type"u8, "integer");
                writer.WriteNumber("minimum"u8, 0);
                writer.WriteString("format"u8, "uint64");
                break;
            case ShapeKind.Single or ShapeKind.Double or ShapeKind.Decimal:
                writer.WriteString("type"u8, "number");
                writer.WriteString("format"u8, shape.Kind switch { ShapeKind.Single => "float", ShapeKind.Double => "double", _ => "decimal" });
                break;
            case ShapeKind.Char:
                writer.WriteString("type"u8, "string");
                writer.WriteNumber("minLength"u8, 1);
                writer.WriteNumber("maxLength"u8, 1);
                break;
            case ShapeKind.String:
                writer.WriteString("type"u8, "string");
                break;
            case ShapeKind.Guid:
                writer.WriteString("type"u8, "string");
                writer.WriteString("format"u8, "uuid");
                break;
            case ShapeKind.DateTimeOffset:
                writer.WriteString("type"u8, "string");
                writer.WriteString("format"u8, "date-time");
                break;
            case ShapeKind.DateTime:
                // A DateTime of unspecified kind is written without an offset, which RFC 3339's date-time does not allow.
                writer.WriteString("type"u8, "string");
                writer.WriteString("description"u8, "An ISO 8601 date and time, with an offset unless the value's kind is unspecified.");
                break;
            case ShapeKind.DateOnly:
                writer.WriteString("type"u8, "string");
                writer.WriteString("format"u8, "date");
                break;
            case ShapeKind.TimeOnly:
                writer.WriteString("type"u8, "string");
                writer.WriteString("pattern"u8, JsonShapeRules.TimeOnlyPattern);
                break;
            case ShapeKind.TimeSpan:
                writer.WriteString("type"u8, "string");
                writer.WriteString("pattern"u8, JsonShapeRules.TimeSpanPattern);
                break;
            case ShapeKind.Bytes:
                writer.WriteString("type"u8, "string");
                writer.WriteString("contentEncoding"u8, "base64");
                break;
        }

        writer.WriteEndObject();
    }

    private static string FlagsPattern(ShapeDescriptor shape)
    {
        var member = "(" + string.Join("|", shape.EnumMembers.Select(RegexEscape)) + ")";
        return $"^{member}(, {member})*$";
    }

    private static string RegexEscape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    private static void CollectSchemas(ShapeDescriptor shape, SortedDictionary<string, ShapeDescriptor> schemas)
    {
        while (shape.Element is { } element)
        {
            shape = element;
        }

        if (shape.Kind is not (ShapeKind.Object or ShapeKind.Enum))
        {
            return;
        }

        var id = Id(shape.TypeName!);
        if (schemas.TryGetValue(id, out var known))
        {
            if (known.TypeName != shape.TypeName)
            {
                throw new InvalidOperationException($"the types {known.TypeName} and {shape.TypeName} would share the schema name '{id}'");
            }

            return;
        }

        schemas[id] = shape;
        foreach (var field in shape.Fields)
        {
            CollectSchemas(field.Shape, schemas);
        }
    }

    /// <summary>The address with catch-alls as plain parameters, and the parameters' names.</summary>
    private static string AsyncApiAddress(string address, out List<string> parameters)
    {
        parameters = [];
        var segments = address.Split('/');
        for (int i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.Length > 2 && segment[0] == '{' && segment[^1] == '}')
            {
                var name = segment[1] == '*' ? segment[2..^1] : segment[1..^1];
                parameters.Add(name);
                segments[i] = "{" + name + "}";
            }
        }

        return string.Join('/', segments);
    }

    /// <summary>Channel keys from the addresses: <c>/ws/{username}</c> is <c>ws-username</c>, <c>/</c> is <c>root</c>.</summary>
    private List<string> ChannelIds()
    {
        var ids = new List<string>(_channels.Count);
        foreach (var address in _channels.Select(c => c.Address))
        {
            var id = Id(string.Join('-', address.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim('{', '}', '*'))));
            id = id.Length == 0 ? "root" : id;
            var unique = id;
            for (int n = 2; ids.Contains(unique); n++)
            {
                unique = id + "-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            ids.Add(unique);
        }

        return ids;
    }

    /// <summary>A component key (<c>^[\w\d.\-_]+$</c>): other characters become '_'.</summary>
    private static string Id(string name)
    {
        var id = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            id.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        return id.ToString();
    }

    /// <summary>
    /// A channel: its catalogue, whether an endpoint's handlers gave the directions (else the catalogue alone did), the
    /// plain messages its two operations list, and the requests that get an operation.
    /// </summary>
    private sealed record Channel(
        string Address, MessageCatalog Catalog, bool Directed, List<string> Received, List<string> Sent, List<MessageDescriptor> Requests);
}
