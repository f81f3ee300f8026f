using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.Text;
using Switchboard.Generators.Helpers;
using Switchboard.Generators.Model;

namespace Switchboard.Generators;

public sealed partial class MessageGenerator
{
    /// <summary>
    /// The contract baseline: the text form of an assembly's messages (<see cref="FileName"/>), reading it back, and
    /// the compatibility rules that compare the messages with it.
    /// </summary>
    internal static class Contract
    {
        /// <summary>The name of the baseline file; a compilation that has it as an additional file is checked against it.</summary>
        public const string FileName = "Switchboard.Contract.Shipped.txt";

        /// <summary>The build property, made visible to the compiler, that is true while the baseline is being rewritten.</summary>
        public const string UpdateProperty = "build_property.SwitchboardUpdateContract";

        /// <summary>The first line of the text the generator writes, a comment that readers skip.</summary>
        public const string Header = "# Switchboard contract baseline: one line per message and per field. See docs/protocol.md, Compatibility.";

        public static bool IsBaseline(string path) =>
            path.Replace('\\', '/').Split('/').Last().Equals(FileName, StringComparison.OrdinalIgnoreCase);

        /// <summary>The contract entry of a message: its kind, type, response, errors and every field with its path.</summary>
        public static ContractMessage Describe(MessageSpec message)
        {
            var fields = new List<ContractField>();
            AddFields(message, message.Root, string.Empty, fields);
            var role = message.Role;
            return new ContractMessage(
                message.WireName,
                role.Kind.ToLowerInvariant(),
                message.Root.DisplayName,
                role.IsRequest ? role.ResponseWireName : null,
                role.Errors.Select(e => e.WireName).ToEquatableArray(),
                fields.OrderBy(f => f.Path, StringComparer.Ordinal).ToEquatableArray());
        }

        /// <summary>The baseline text of the messages, ordered by wire name, each message line followed by its field lines.</summary>
        public static string Write(IEnumerable<ContractMessage> messages)
        {
            var text = new StringBuilder();
            text.Append(Header).Append('\n');
            foreach (var message in messages.OrderBy(m => m.WireName, StringComparer.Ordinal))
            {
                foreach (string line in Lines(message))
                {
                    text.Append(line).Append('\n');
                }
            }

            return text.ToString();
        }

        /// <summary>The baseline lines of one message: the message line, then one line per field.</summary>
        public static IEnumerable<string> Lines(ContractMessage message)
        {
            yield return MessageLine(message);
            foreach (var field in message.Fields)
            {
                yield return FieldLine(message.WireName, field);
            }
        }

        /// <summary>Compares the messages with the baseline files; returns every incompatibility, missing entry and malformed line.</summary>
        public static List<DiagnosticInfo> Check(
            IEnumerable<ContractBaselineFile> files,
            IReadOnlyList<ContractMessage> current,
            IEnumerable<WireNameUse> wireNames)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var baseline = new Dictionary<string, BaselineMessage>(StringComparer.Ordinal);
            string fileName = FileName;
            foreach (var file in files)
            {
                fileName = file.Path.Replace('\\', '/').Split('/').Last();
                Read(file, baseline, diagnostics);
            }

            var declared = new Dictionary<string, LocationInfo?>(StringComparer.Ordinal);
            foreach (var use in wireNames)
            {
                declared[use.WireName] = use.Location;
            }

            var byWireName = current.ToDictionary(m => m.WireName, StringComparer.Ordinal);
            foreach (var old in baseline.Values.OrderBy(m => m.Entry.WireName, StringComparer.Ordinal))
            {
                if (!byWireName.TryGetValue(old.Entry.WireName, out var now))
                {
                    // A message whose declaration has errors is still declared: its own diagnostics say what is wrong.
                    if (!declared.ContainsKey(old.Entry.WireName))
                    {
                        diagnostics.Add(Info(DiagnosticDescriptors.ContractMessageRemoved, old.Line.Location, old.Entry.WireName, old.Entry.TypeName, fileName));
                    }

                    continue;
                }

                var at = declared.TryGetValue(now.WireName, out var location) ? location : old.Line.Location;
                CompareMessage(old, now, at, diagnostics);
            }

            foreach (var message in current.Where(m => !baseline.ContainsKey(m.WireName)).OrderBy(m => m.WireName, StringComparer.Ordinal))
            {
                var at = declared.TryGetValue(message.WireName, out var location) ? location : null;
                foreach (string line in Lines(message))
                {
                    diagnostics.Add(Info(DiagnosticDescriptors.ContractEntryMissing, at, line, fileName, message.WireName));
                }
            }

            return diagnostics;
        }

        private static void CompareMessage(BaselineMessage old, ContractMessage now, LocationInfo? at, List<DiagnosticInfo> diagnostics)
        {
            string name = now.WireName;
            if (old.Entry.Kind != now.Kind)
            {
                diagnostics.Add(Info(DiagnosticDescriptors.ContractKindChanged, at, name, now.TypeName, old.Entry.Kind, now.Kind));
                return;
            }

            if (old.Entry.Response != now.Response)
            {
                diagnostics.Add(Info(DiagnosticDescriptors.ContractResponseChanged, at, name, now.TypeName, old.Entry.Response ?? "none", now.Response ?? "none"));
            }

            CompareErrors(old.Entry, now, at, diagnostics);

            var fields = now.Fields.ToDictionary(f => f.Path, StringComparer.Ordinal);
            var reported = new List<string>();
            foreach (var (field, _) in old.Fields.Values.OrderBy(f => f.Field.Path, StringComparer.Ordinal))
            {
                if (reported.Any(parent => IsBelow(field.Path, parent)))
                {
                    continue;
                }

                if (!fields.TryGetValue(field.Path, out var current))
                {
                    diagnostics.Add(Info(DiagnosticDescriptors.ContractFieldRemoved, at, field.Path, name, now.TypeName));
                    reported.Add(field.Path);
                }
                else if (current.WireType != field.WireType)
                {
                    diagnostics.Add(Info(DiagnosticDescriptors.ContractFieldTypeChanged, at, field.Path, name, now.TypeName, field.WireType, current.WireType));
                    reported.Add(field.Path);
                }
                else if (current.Required && !field.Required)
                {
                    diagnostics.Add(Info(DiagnosticDescriptors.ContractFieldBecameRequired, at, field.Path, name, now.TypeName));
                }
            }

            var added = new List<string>();
            foreach (var field in now.Fields.Where(f => !old.Fields.ContainsKey(f.Path)))
            {
                // Below a field that is itself new or changed, peers built against the baseline send nothing at all.
                if (reported.Any(parent => IsBelow(field.Path, parent)) || added.Any(parent => IsBelow(field.Path, parent)))
                {
                    continue;
                }

                added.Add(field.Path);
                if (field.Required)
                {
                    diagnostics.Add(Info(DiagnosticDescriptors.ContractNewRequiredField, at, field.Path, name, now.TypeName));
                }
            }
        }

        /// <summary>
        /// A request's errors are the replies its callers read as typed errors, in both directions of a deploy: one gone is
        /// still sent by peers built against the baseline, one new is unknown to callers built against it. Order is free.
        /// </summary>
        private static void CompareErrors(ContractMessage old, ContractMessage now, LocationInfo? at, List<DiagnosticInfo> diagnostics)
        {
            foreach (string error in old.Errors.Except(now.Errors, StringComparer.Ordinal).OrderBy(e => e, StringComparer.Ordinal))
            {
                diagnostics.Add(Info(DiagnosticDescriptors.ContractErrorRemoved, at, now.WireName, now.TypeName, error));
            }

            foreach (string error in now.Errors.Except(old.Errors, StringComparer.Ordinal).OrderBy(e => e, StringComparer.Ordinal))
            {
                diagnostics.Add(Info(DiagnosticDescriptors.ContractErrorAdded, at, now.WireName, now.TypeName, error));
            }
        }

        private static bool IsBelow(string path, string parent) =>
            path.Length > parent.Length && path.StartsWith(parent, StringComparison.Ordinal) && path[parent.Length] is '.' or '[' or '{';

        private static void Read(ContractBaselineFile file, Dictionary<string, BaselineMessage> baseline, List<DiagnosticInfo> diagnostics)
        {
            var text = SourceText.From(file.Text);
            string fileName = file.Path.Replace('\\', '/').Split('/').Last();
            var pendingFields = new List<(string WireName, ContractField Field, BaselineLine Line)>();
            foreach (var textLine in text.Lines)
            {
                string raw = textLine.ToString();
                string trimmed = raw.Trim();
                if (trimmed.Length == 0 || trimmed[0] == '#')
                {
                    continue;
                }

                int start = textLine.Start + raw.IndexOf(trimmed[0]);
                var span = new TextSpan(start, trimmed.Length);
                var lineSpan = text.Lines.GetLinePositionSpan(span);
                var line = new BaselineLine(trimmed, new LocationInfo(
                    file.Path, span.Start, span.Length, lineSpan.Start.Line, lineSpan.Start.Character, lineSpan.End.Line, lineSpan.End.Character));
                string lineNumber = (lineSpan.Start.Line + 1).ToString(CultureInfo.InvariantCulture);

                string? problem = ParseLine(trimmed, out var message, out var field);
                if (problem is not null)
                {
                    diagnostics.Add(Info(DiagnosticDescriptors.ContractMalformedLine, line.Location, lineNumber, fileName, problem));
                }
                else if (message is not null)
                {
                    if (baseline.ContainsKey(message.WireName))
                    {
                        diagnostics.Add(Info(DiagnosticDescriptors.ContractMalformedLine, line.Location, lineNumber, fileName, $"the message '{message.WireName}' is listed twice"));
                    }
                    else
                    {
                        baseline[message.WireName] = new BaselineMessage(message, line, new Dictionary<string, (ContractField, BaselineLine)>(StringComparer.Ordinal));
                    }
                }
                else
                {
                    pendingFields.Add((field!.Value.WireName, field.Value.Field, line));
                }
            }

            // Field lines may come before or after their message's line; each needs one.
            foreach (var (wireName, field, line) in pendingFields)
            {
                string lineNumber = (line.Location.StartLine + 1).ToString(CultureInfo.InvariantCulture);
                if (!baseline.TryGetValue(wireName, out var message))
                {
                    diagnostics.Add(Info(DiagnosticDescriptors.ContractMalformedLine, line.Location, lineNumber, fileName, $"no line declares the message '{wireName}' that this field belongs to"));
                }
                else if (message.Fields.ContainsKey(field.Path))
                {
                    diagnostics.Add(Info(DiagnosticDescriptors.ContractMalformedLine, line.Location, lineNumber, fileName, $"the field '{field.Path}' of '{wireName}' is listed twice"));
                }
                else
                {
                    message.Fields[field.Path] = (field, line);
                }
            }
        }

        /// <summary>Reads one line; returns what is wrong with it, or null.</summary>
        private static string? ParseLine(string line, out ContractMessage? message, out (string WireName, ContractField Field)? field)
        {
            message = null;
            field = null;
            var tokens = Tokenize(line);
            if (tokens is null)
            {
                return "a quoted name is not closed";
            }

            if (tokens.Count < 3)
            {
                return "expected '<wire name> <message|request|error> <type>' or '<wire name> field <path> <wire type> <required|optional>'";
            }

            if (!WireNames.IsValid(tokens[0]))
            {
                return $"'{tokens[0]}' is not a valid wire name";
            }

            switch (tokens[1])
            {
                case "field":
                    if (tokens.Count != 5 || tokens[4] is not ("required" or "optional"))
                    {
                        return "a field line is '<wire name> field <path> <wire type> <required|optional>'";
                    }

                    field = (tokens[0], new ContractField(tokens[2], tokens[3], tokens[4] == "required"));
                    return null;
                case "message" or "error":
                    if (tokens.Count != 3)
                    {
                        return $"a {tokens[1]} line is '<wire name> {tokens[1]} <type>'";
                    }

                    message = new ContractMessage(tokens[0], tokens[1], tokens[2], null, EquatableArray<string>.Empty, EquatableArray<ContractField>.Empty);
                    return null;
                case "request":
                    bool withErrors = tokens.Count == 7 && tokens[5] == "errors";
                    if (!(tokens.Count == 5 || withErrors) || tokens[3] != "response" || !WireNames.IsValid(tokens[4]))
                    {
                        return "a request line is '<wire name> request <type> response <wire name>', then optionally 'errors <wire name>,<wire name>...'";
                    }

                    var errors = withErrors ? tokens[6].Split(',') : Array.Empty<string>();
                    if (errors.FirstOrDefault(e => !WireNames.IsValid(e)) is { } invalid)
                    {
                        return $"'{invalid}' is not a valid wire name";
                    }

                    message = new ContractMessage(tokens[0], "request", tokens[2], tokens[4], errors.ToEquatableArray(), EquatableArray<ContractField>.Empty);
                    return null;
                default:
                    return $"'{tokens[1]}' is not one of message, request, error or field";
            }
        }

        private static string MessageLine(ContractMessage message)
        {
            string line = $"{message.WireName} {message.Kind} {Token(message.TypeName)}";
            if (message.Response is not null)
            {
                line += " response " + message.Response;
                if (message.Errors.Count > 0)
                {
                    line += " errors " + string.Join(",", message.Errors);
                }
            }

            return line;
        }

        private static string FieldLine(string wireName, ContractField field) =>
            $"{wireName} field {Token(field.Path)} {Token(field.WireType)} {(field.Required ? "required" : "optional")}";

        private static void AddFields(MessageSpec message, ObjectSpec spec, string prefix, List<ContractField> fields)
        {
            foreach (var property in spec.Properties)
            {
                string path = prefix.Length == 0 ? property.JsonName : prefix + "." + property.JsonName;
                fields.Add(new ContractField(path, WireType(message, property.Value), property.Required));
                AddNested(message, property.Value, path, fields);
            }
        }

        private static void AddNested(MessageSpec message, ValueSpec value, string path, List<ContractField> fields)
        {
            switch (value.Kind)
            {
                case ValueKind.Nullable:
                    AddNested(message, value.Element!, path, fields);
                    break;
                case ValueKind.Array or ValueKind.List or ValueKind.ReadOnlyList or ValueKind.ImmutableArray:
                    AddNested(message, value.Element!, path + "[]", fields);
                    break;
                case ValueKind.Dictionary:
                    AddNested(message, value.Element!, path + "{}", fields);
                    break;
                case ValueKind.Object:
                    AddFields(message, message.Objects.First(o => o.Id == value.TargetId), path, fields);
                    break;
            }
        }

        /// <summary>What a value is on the wire; collections that read and write alike have one name.</summary>
        private static string WireType(MessageSpec message, ValueSpec value)
        {
            string type = value.Kind switch
            {
                ValueKind.Nullable => WireType(message, value.Element!) + "?",
                ValueKind.Array or ValueKind.List or ValueKind.ReadOnlyList or ValueKind.ImmutableArray => $"array<{WireType(message, value.Element!)}>",
                ValueKind.Dictionary => $"map<{WireType(message, value.Element!)}>",
                ValueKind.Object => "object",
                ValueKind.Enum => EnumType(message.Enums.First(e => e.Id == value.TargetId)),
                _ => value.Kind.ToString().ToLowerInvariant(),
            };
            return value.IsReferenceType && value.AllowsNull ? type + "?" : type;
        }

        private static string EnumType(EnumSpec spec) =>
            $"{(spec.IsFlags ? "flags" : "enum")}({string.Join("|", spec.Members.Select(m => m.JsonName))})";

        /// <summary>
        /// A name as one token: as is when it is plain, else a JSON string. Quoting keeps spaces, quotes and the
        /// characters that would end the generated comment or mean something to MSBuild out of the bare text.
        /// </summary>
        private static string Token(string value)
        {
            if (value.Length > 0 && value[0] != '#' && value.All(c => c > ' ' && c < 0x7F && c is not ('"' or '\\' or '*' or '/' or ';' or '%' or '$' or '@' or '\'')))
            {
                return value;
            }

            var text = new StringBuilder("\"");
            foreach (char c in value)
            {
                if (c is '"' or '\\')
                {
                    text.Append('\\').Append(c);
                }
                else if (c is >= ' ' and < (char)0x7F and not ('*' or '/' or ';' or '%' or '$' or '@' or '\''))
                {
                    text.Append(c);
                }
                else
                {
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                }
            }

            return text.Append('"').ToString();
        }

        /// <summary>Splits a line at spaces; a token starting with a quote runs to the closing quote. Null when a quote is not closed.</summary>
        private static List<string>? Tokenize(string line)
        {
            var tokens = new List<string>();
            int i = 0;
            while (i < line.Length)
            {
                if (char.IsWhiteSpace(line[i]))
                {
                    i++;
                    continue;
                }

                if (line[i] != '"')
                {
                    int start = i;
                    while (i < line.Length && !char.IsWhiteSpace(line[i]))
                    {
                        i++;
                    }

                    tokens.Add(line.Substring(start, i - start));
                    continue;
                }

                var token = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        return null;
                    }

                    char c = line[i++];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\' && i < line.Length)
                    {
                        char escaped = line[i++];
                        if (escaped == 'u' && i + 4 <= line.Length && int.TryParse(line.Substring(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code))
                        {
                            token.Append((char)code);
                            i += 4;
                        }
                        else
                        {
                            token.Append(escaped);
                        }

                        continue;
                    }

                    token.Append(c);
                }

                tokens.Add(token.ToString());
            }

            return tokens;
        }

        private static DiagnosticInfo Info(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
            new(descriptor.Id, location, arguments.ToEquatableArray());

        private sealed record BaselineMessage(ContractMessage Entry, BaselineLine Line, Dictionary<string, (ContractField Field, BaselineLine Line)> Fields);
    }
}
