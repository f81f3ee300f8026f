using System.Buffers;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using Switchboard.Serialization;

namespace Switchboard;

/// <summary>
/// The messages a program knows: wire name to CLR type, and the shape of each message's data. The
/// generator emits one per assembly as <c>{AssemblyName}.SwitchboardMessages.Catalog</c>; combine
/// several with <see cref="Combine(MessageCatalog[])"/>.
/// </summary>
/// <remarks>
/// A runtime dispatches an envelope by its <c>type</c> with <see cref="TryGet(string, out MessageDescriptor)"/>,
/// rejects unknown types, and describes the protocol with <see cref="WriteDescription(Utf8JsonWriter)"/>
/// or <see cref="ToMarkdown"/>. Immutable and thread-safe.
/// </remarks>
public sealed class MessageCatalog
{
    private readonly FrozenDictionary<string, MessageDescriptor> _byType;
    private readonly FrozenDictionary<Type, MessageDescriptor> _byClrType;

    /// <summary>Creates a catalogue.</summary>
    /// <param name="messages">The messages; wire names and CLR types must be unique.</param>
    /// <exception cref="ArgumentException">Two messages share a wire name or a CLR type.</exception>
    public MessageCatalog(IEnumerable<MessageDescriptor> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var byType = new Dictionary<string, MessageDescriptor>(StringComparer.Ordinal);
        var byClrType = new Dictionary<Type, MessageDescriptor>();
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            if (!byType.TryAdd(message.Type, message))
            {
                throw new ArgumentException($"The wire name '{message.Type}' is used by both {byType[message.Type].ClrType} and {message.ClrType}.", nameof(messages));
            }

            if (!byClrType.TryAdd(message.ClrType, message))
            {
                throw new ArgumentException($"The type {message.ClrType} is declared twice.", nameof(messages));
            }
        }

        _byType = byType.ToFrozenDictionary(StringComparer.Ordinal);
        _byClrType = byClrType.ToFrozenDictionary();
        Messages = [.. byType.Values.OrderBy(m => m.Type, StringComparer.Ordinal)];
    }

    /// <summary>A catalogue with no message.</summary>
    public static MessageCatalog Empty { get; } = new([]);

    /// <summary>Every message, ordered by wire name (ordinal).</summary>
    public IReadOnlyList<MessageDescriptor> Messages { get; }

    /// <summary>Merges catalogues, e.g. those of several assemblies.</summary>
    /// <param name="catalogs">The catalogues.</param>
    /// <returns>A catalogue with every message of every catalogue.</returns>
    /// <exception cref="ArgumentException">Two messages share a wire name.</exception>
    public static MessageCatalog Combine(params MessageCatalog[] catalogs)
    {
        ArgumentNullException.ThrowIfNull(catalogs);
        return new MessageCatalog(catalogs.SelectMany(c => c.Messages));
    }

    /// <summary>Looks a message up by wire name (ordinal, case-sensitive).</summary>
    /// <param name="type">The envelope's <c>type</c>.</param>
    /// <param name="message">The message, when known.</param>
    /// <returns>True when the catalogue has a message named <paramref name="type"/>.</returns>
    public bool TryGet(string type, [MaybeNullWhen(false)] out MessageDescriptor message)
    {
        ArgumentNullException.ThrowIfNull(type);
        return _byType.TryGetValue(type, out message);
    }

    /// <summary>Looks a message up by CLR type.</summary>
    /// <param name="clrType">The message type.</param>
    /// <param name="message">The message, when known.</param>
    /// <returns>True when the catalogue has <paramref name="clrType"/>.</returns>
    public bool TryGet(Type clrType, [MaybeNullWhen(false)] out MessageDescriptor message)
    {
        ArgumentNullException.ThrowIfNull(clrType);
        return _byClrType.TryGetValue(clrType, out message);
    }

    /// <summary>
    /// The message <typeparamref name="T"/>, for a runtime that only accepts messages of its protocol: a typed endpoint
    /// or client calls it when a handler is registered.
    /// </summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <returns>Its description.</returns>
    /// <exception cref="InvalidOperationException">The catalogue does not declare <typeparamref name="T"/>; the message names it and its wire name.</exception>
    public MessageDescriptor Get<T>() where T : IMessage<T>
    {
        if (_byClrType.TryGetValue(typeof(T), out var message))
        {
            return message;
        }

        var clash = _byType.TryGetValue(T.MessageType, out var other) ? $" (its wire name belongs to {other.ClrType} there)" : "";
        throw new InvalidOperationException(
            $"{typeof(T)} (wire name '{T.MessageType}') is not in the message catalogue{clash}. Use the catalogue of the assembly that " +
            "declares it ({AssemblyName}.SwitchboardMessages.Catalog), or MessageCatalog.Combine the catalogues of several assemblies.");
    }

    /// <summary>True when the catalogue has a message named <paramref name="type"/>.</summary>
    /// <param name="type">The envelope's <c>type</c>.</param>
    /// <returns>True when known.</returns>
    public bool Contains(string type) => TryGet(type, out _);

    /// <summary>
    /// Writes the protocol as JSON: <c>{"messages":[{"type":"chat.send","clrType":"Chat.SendChat","kind":"message","data":{"kind":"object",...}}]}</c>.
    /// <c>kind</c> is <c>message</c>, <c>request</c> or <c>error</c>; a request adds <c>response</c> (a wire name) and
    /// <c>errors</c> (an array of wire names).
    /// Each shape is <c>{"kind":...}</c> with <c>element</c> (nullable, array, map), <c>name</c> and
    /// <c>fields</c> (object: <c>name</c>, <c>shape</c>, <c>required</c>), or <c>name</c>, <c>members</c>
    /// and <c>flags</c> (enum).
    /// </summary>
    /// <param name="writer">The writer.</param>
    public void WriteDescription(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteStartArray("messages"u8);
        foreach (var message in Messages)
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, message.Type);
            writer.WriteString("clrType"u8, message.Data.TypeName);
            writer.WriteString("kind"u8, KindName(message.Kind));
            if (message.Kind == MessageKind.Request)
            {
                writer.WriteString("response"u8, message.Response);
                writer.WriteStartArray("errors"u8);
                foreach (var error in message.Errors)
                {
                    writer.WriteStringValue(error);
                }

                writer.WriteEndArray();
            }

            writer.WritePropertyName("data"u8);
            WriteShape(writer, message.Data);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The JSON of <see cref="WriteDescription(Utf8JsonWriter)"/>, indented.</summary>
    /// <returns>The description.</returns>
    public string DescribeJson()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            WriteDescription(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The protocol as Markdown: one table per message, then one per object and enum they use.</summary>
    /// <returns>The description.</returns>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append("# Messages\n\n| type | CLR type |\n|---|---|\n");
        foreach (var message in Messages)
        {
            text.Append($"| `{message.Type}` | `{message.Data.TypeName}` |\n");
        }

        var types = new List<ShapeDescriptor>();
        foreach (var message in Messages)
        {
            text.Append($"\n## `{message.Type}`\n\n");
            if (message.Kind == MessageKind.Request)
            {
                text.Append($"Request: answered by `{message.Response}`");
                text.Append(message.Errors.Count == 0 ? ".\n\n" : $", or fails with {string.Join(", ", message.Errors.Select(e => $"`{e}`"))}.\n\n");
            }
            else if (message.Kind == MessageKind.Error)
            {
                text.Append("Error reply of a request.\n\n");
            }

            AppendFields(text, message.Data, types);
        }

        for (int i = 0; i < types.Count; i++)
        {
            var shape = types[i];
            text.Append($"\n### `{shape.TypeName}`\n\n");
            if (shape.Kind == ShapeKind.Enum)
            {
                text.Append(shape.IsFlags ? "Flags enum, written as a comma-separated list of: " : "Enum, one of: ");
                text.AppendJoin(", ", shape.EnumMembers.Select(m => $"`{m}`"));
                text.Append('\n');
            }
            else
            {
                AppendFields(text, shape, types);
            }
        }

        return text.ToString();
    }

    private static string KindName(MessageKind kind) => kind switch
    {
        MessageKind.Request => "request",
        MessageKind.Error => "error",
        _ => "message",
    };

    private static void AppendFields(StringBuilder text, ShapeDescriptor shape, List<ShapeDescriptor> types)
    {
        if (shape.Fields.Count == 0)
        {
            text.Append("No fields: `{}`.\n");
            return;
        }

        text.Append("| field | shape | required |\n|---|---|---|\n");
        foreach (var field in shape.Fields)
        {
            text.Append($"| `{field.Name}` | `{field.Shape}` | {(field.Required ? "yes" : "no")} |\n");
            CollectTypes(field.Shape, types);
        }
    }

    private static void CollectTypes(ShapeDescriptor shape, List<ShapeDescriptor> types)
    {
        while (shape.Element is { } element)
        {
            shape = element;
        }

        if (shape.Kind is ShapeKind.Object or ShapeKind.Enum && !types.Exists(t => t.TypeName == shape.TypeName))
        {
            types.Add(shape);
        }
    }

    private static void WriteShape(Utf8JsonWriter writer, ShapeDescriptor shape)
    {
        writer.WriteStartObject();
        writer.WriteString("kind"u8, ShapeDescriptor.KindName(shape.Kind));
        switch (shape.Kind)
        {
            case ShapeKind.Nullable or ShapeKind.Array or ShapeKind.Dictionary:
                writer.WritePropertyName("element"u8);
                WriteShape(writer, shape.Element!);
                break;
            case ShapeKind.Enum:
                writer.WriteString("name"u8, shape.TypeName);
                writer.WriteBoolean("flags"u8, shape.IsFlags);
                writer.WriteStartArray("members"u8);
                foreach (var member in shape.EnumMembers)
                {
                    writer.WriteStringValue(member);
                }

                writer.WriteEndArray();
                break;
            case ShapeKind.Object:
                writer.WriteString("name"u8, shape.TypeName);
                writer.WriteStartArray("fields"u8);
                foreach (var field in shape.Fields)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name"u8, field.Name);
                    writer.WriteBoolean("required"u8, field.Required);
                    writer.WritePropertyName("shape"u8);
                    WriteShape(writer, field.Shape);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                break;
        }

        writer.WriteEndObject();
    }
}
