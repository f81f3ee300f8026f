using System.Linq;
using Switchboard.Generators.Model;

namespace Switchboard.Generators;

public sealed partial class MessageGenerator
{
    internal static partial class Emitter
    {
        /// <summary>The generated helpers of a value.</summary>
        private enum Helper
        {
            /// <summary>Writes through a <c>Utf8JsonWriter</c>: any writer options.</summary>
            Write,

            /// <summary>Writes through the <c>CompactJsonWriter</c>: the fast path for compact writers with the default encoder.</summary>
            WriteCompact,

            /// <summary>Reads from a <c>Utf8JsonReader</c>.</summary>
            Read,
        }

        /// <summary>
        /// The compact writers: property names are UTF-8 literals with their punctuation (<c>{"sender":</c>,
        /// <c>,"text":</c>), so an object costs one copy per property besides its values.
        /// </summary>
        private sealed partial class SerializerWriter
        {
            // Names that are not plain ASCII are encoded once at run time, by the encoder the writer would use.
            private void WriteCompactNameFields()
            {
                foreach (var spec in _message.Objects)
                {
                    foreach (var property in spec.Properties.Where(p => !IsPlain(p.JsonName)))
                    {
                        _writer.WriteLine($"private static readonly byte[] {CompactNameField(spec, property)} = [(byte)',', (byte)'\"', .. {NameField(spec, property)}.EncodedUtf8Bytes, (byte)'\"', (byte)':'];");
                    }
                }
            }

            /// <summary>A statement writing <paramref name="expression"/> to the compact writer <c>json</c>.</summary>
            private string CompactWriteStatement(ValueSpec value, string expression) => value.Kind switch
            {
                ValueKind.Boolean => $"json.WriteBoolean({expression});",
                >= ValueKind.Byte and <= ValueKind.Decimal => $"json.WriteNumber({expression});",
                ValueKind.Char or ValueKind.String or ValueKind.Guid or ValueKind.DateTime or ValueKind.DateTimeOffset
                    or ValueKind.TimeSpan or ValueKind.DateOnly or ValueKind.TimeOnly => $"json.WriteString({expression});",
                ValueKind.Bytes => $"json.WriteBase64String({expression});",
                ValueKind.Enum => $"{value.TargetId}Codec.Write(ref json, unchecked((ulong){expression}));",
                _ => $"{Request(Helper.WriteCompact, value)}(ref json, {expression});",
            };

            private void WriteCompactWriter(ValueSpec value)
            {
                string parameter = value.IsReferenceType ? value.TypeName + "?" : value.TypeName;
                _writer.WriteLine($"public static void {Request(Helper.WriteCompact, value)}(ref {Compact} json, {parameter} value)");
                _writer.OpenBlock();
                if (value.IsReferenceType)
                {
                    _writer.WriteLine("""
                        if (value is null)
                        {
                            json.WriteNull();
                            return;
                        }

                        """);
                }

                switch (value.Kind)
                {
                    case ValueKind.Object:
                        WriteCompactObjectBody(_objects[value.TargetId!]);
                        break;
                    case ValueKind.Nullable:
                        _writer.WriteLine("if (value.HasValue)");
                        _writer.OpenBlock();
                        _writer.WriteLine(CompactWriteStatement(value.Element!, "value.GetValueOrDefault()"));
                        _writer.CloseBlock();
                        _writer.WriteLine("else");
                        _writer.OpenBlock();
                        _writer.WriteLine("json.WriteNull();");
                        _writer.CloseBlock();
                        break;
                    case ValueKind.Dictionary:
                        _writer.WriteLine("json.WriteRaw(\"{\"u8);");
                        _writer.WriteLine("int start = json.Position;");
                        _writer.WriteLine("foreach (var pair in value)");
                        _writer.OpenBlock();
                        _writer.WriteLine("json.WritePropertyName(pair.Key, start);");
                        _writer.WriteLine(CompactWriteStatement(value.Element!, "pair.Value"));
                        _writer.CloseBlock();
                        _writer.WriteLine("json.WriteRaw(\"}\"u8);");
                        break;
                    case ValueKind.ReadOnlyList:
                        // An interface: index it rather than box an enumerator.
                        _writer.WriteLine("json.WriteRaw(\"[\"u8);");
                        _writer.WriteLine("for (int index = 0; index < value.Count; index++)");
                        _writer.OpenBlock();
                        _writer.WriteLine("""
                            if (index > 0)
                            {
                                json.WriteRaw(","u8);
                            }

                            """);
                        _writer.WriteLine(CompactWriteStatement(value.Element!, "value[index]"));
                        _writer.CloseBlock();
                        _writer.WriteLine("json.WriteRaw(\"]\"u8);");
                        break;
                    default:
                        // Arrays, List<T> and ImmutableArray<T> have allocation-free enumerators; a default ImmutableArray<T> is written as [].
                        _writer.WriteLine("json.WriteRaw(\"[\"u8);");
                        _writer.WriteLine("int start = json.Position;");
                        _writer.WriteLine(value.Kind == ValueKind.ImmutableArray ? "foreach (var item in value.IsDefault ? [] : value)" : "foreach (var item in value)");
                        _writer.OpenBlock();
                        _writer.WriteLine("json.WriteSeparator(start);");
                        _writer.WriteLine(CompactWriteStatement(value.Element!, "item"));
                        _writer.CloseBlock();
                        _writer.WriteLine("json.WriteRaw(\"]\"u8);");
                        break;
                }

                _writer.CloseBlock();
            }

            /// <summary>
            /// The first property written carries the <c>{</c> when it is always written; until one that is always
            /// written, properties that may be left out place their comma by the position.
            /// </summary>
            private void WriteCompactObjectBody(ObjectSpec spec)
            {
                var properties = spec.Properties;
                if (properties.Count == 0)
                {
                    _writer.WriteLine("json.WriteRaw(\"{}\"u8);");
                    return;
                }

                bool staticCommas = WriteConditionOf(properties[0]) is null;
                if (!staticCommas)
                {
                    _writer.WriteLine("json.WriteRaw(\"{\"u8);");
                    _writer.WriteLine("int start = json.Position;");
                }

                for (int i = 0; i < properties.Count; i++)
                {
                    var property = properties[i];
                    string? condition = WriteConditionOf(property);
                    if (condition is not null)
                    {
                        _writer.WriteLine($"if ({condition})");
                        _writer.OpenBlock();
                    }

                    string name = IsPlain(property.JsonName)
                        ? Literal("," + Quoted(property.JsonName)) + "u8"
                        : CompactNameField(spec, property);
                    if (staticCommas && i == 0)
                    {
                        _writer.WriteLine(IsPlain(property.JsonName)
                            ? $"json.WriteRaw({Literal("{" + Quoted(property.JsonName))}u8);"
                            : $"json.WriteRaw(\"{{\"u8);\njson.WriteRaw({name}.AsSpan(1));");
                    }
                    else if (staticCommas)
                    {
                        _writer.WriteLine($"json.WriteRaw({name});");
                    }
                    else
                    {
                        _writer.WriteLine($"json.WriteName({name}, start);");
                    }

                    _writer.WriteLine(CompactWriteStatement(property.Value, "value." + Identifier(property.Name)));
                    if (condition is not null)
                    {
                        _writer.CloseBlock();
                        _writer.WriteLine();
                    }
                    else
                    {
                        // Every later property follows one that was written.
                        staticCommas = true;
                    }
                }

                _writer.WriteLine("json.WriteRaw(\"}\"u8);");
            }

            private static string CompactNameField(ObjectSpec spec, PropertySpec property) => NameField(spec, property) + "__Compact";

            private static string Quoted(string jsonName) => "\"" + jsonName + "\":";

            /// <summary>True when the default encoder leaves every character of the name as it is, so the name can be a literal.</summary>
            private static bool IsPlain(string jsonName) =>
                jsonName.All(c => c is >= ' ' and <= '~' and not ('"' or '\\' or '&' or '\'' or '+' or '<' or '>' or '`'));
        }
    }
}
