using System.Collections.Generic;
using System.Linq;
using Switchboard.Generators.Helpers;
using Switchboard.Generators.Model;

namespace Switchboard.Generators;

public sealed partial class MessageGenerator
{
    internal static partial class Emitter
    {
        public const string CatalogHintName = CatalogClass + ".g.cs";

        /// <summary>The name of the generated catalogue class, in the namespace named after the assembly.</summary>
        public const string CatalogClass = "SwitchboardMessages";

        private const string Shape = "global::Switchboard.Serialization.ShapeDescriptor";

        /// <summary>The assembly's <c>SwitchboardMessages</c> class with its <c>Catalog</c>.</summary>
        public static string EmitCatalog(CatalogSpec catalog)
        {
            var writer = new SourceWriter();
            WriteFileHeader(writer);
            writer.WriteLine($$"""
                namespace {{catalog.Namespace}};

                /// <summary>The Switchboard messages declared in this assembly.</summary>
                {{GeneratedCode}}
                public static class {{CatalogClass}}
                {
                    /// <summary>Every message of this assembly: its wire name, its type and the shape of its data.</summary>
                    public static global::Switchboard.MessageCatalog Catalog { get; } = CreateCatalog();

                    private static global::Switchboard.MessageCatalog CreateCatalog()
                    {
                """);
            writer.Indent();
            writer.Indent();

            // Each object and enum once, dependencies first, shared by every message that uses it.
            var locals = new Dictionary<string, string>(System.StringComparer.Ordinal);
            foreach (var message in catalog.Messages)
            {
                DeclareObject(writer, message, message.Root, locals);
            }

            writer.WriteLine($"return new global::Switchboard.MessageCatalog(new global::Switchboard.Serialization.MessageDescriptor[]");
            writer.OpenBlock();
            foreach (var message in catalog.Messages)
            {
                writer.WriteLine($"new({Literal(message.WireName)}, typeof({message.Root.TypeName}), {locals[message.Root.TypeName]}{KindArguments(message.Role)}){(message.Compress ? string.Empty : " { Compress = false }")},");
            }

            writer.CloseBlock(");");
            writer.CloseBlock();
            writer.CloseBlock();
            return writer.ToString();
        }

        /// <summary>The kind, response and errors of a request or an error; nothing for a plain message.</summary>
        private static string KindArguments(RequestSpec request)
        {
            const string Kind = "global::Switchboard.Serialization.MessageKind.";
            if (request.IsRequest)
            {
                string errors = request.Errors.Count == 0
                    ? "global::System.Array.Empty<string>()"
                    : $"new string[] {{ {string.Join(", ", request.Errors.Select(e => Literal(e.WireName)))} }}";
                return $", {Kind}Request, {Literal(request.ResponseWireName!)}, {errors}";
            }

            return request.Kind == "Error" ? $", {Kind}Error, null, null" : string.Empty;
        }

        private static void DeclareObject(SourceWriter writer, MessageSpec message, ObjectSpec spec, Dictionary<string, string> locals)
        {
            if (locals.ContainsKey(spec.TypeName))
            {
                return;
            }

            var fields = new List<string>();
            foreach (var property in spec.Properties)
            {
                DeclareDependencies(writer, message, property.Value, locals);
                fields.Add($"new({Literal(property.JsonName)}, {Literal(property.Name)}, {ShapeExpression(property.Value, locals)}, required: {(property.Required ? "true" : "false")}),");
            }

            string local = "shape" + locals.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            writer.WriteLine($"var {local} = {Shape}.Object({Literal(spec.DisplayName)}, new global::Switchboard.Serialization.FieldDescriptor[]");
            writer.OpenBlock();
            foreach (var field in fields)
            {
                writer.WriteLine(field);
            }

            writer.CloseBlock(");");
            locals[spec.TypeName] = local;
        }

        private static void DeclareDependencies(SourceWriter writer, MessageSpec message, ValueSpec value, Dictionary<string, string> locals)
        {
            if (value.Element is not null)
            {
                DeclareDependencies(writer, message, value.Element, locals);
            }
            else if (value.Kind == ValueKind.Object)
            {
                DeclareObject(writer, message, message.Objects.First(o => o.Id == value.TargetId), locals);
            }
            else if (value.Kind == ValueKind.Enum && !locals.ContainsKey(value.TypeName))
            {
                var spec = message.Enums.First(e => e.Id == value.TargetId);
                string local = "shape" + locals.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                string members = string.Join(", ", spec.Members.Select(m => Literal(m.JsonName)));
                writer.WriteLine($"var {local} = {Shape}.Enum({Literal(spec.DisplayName)}, new string[] {{ {members} }}, isFlags: {(spec.IsFlags ? "true" : "false")});");
                locals[value.TypeName] = local;
            }
        }

        private static string ShapeExpression(ValueSpec value, Dictionary<string, string> locals)
        {
            string shape = value.Kind switch
            {
                ValueKind.Object or ValueKind.Enum => locals[value.TypeName],
                ValueKind.Nullable => $"{Shape}.Nullable({ShapeExpression(value.Element!, locals)})",
                ValueKind.Array or ValueKind.List or ValueKind.ReadOnlyList or ValueKind.ImmutableArray => $"{Shape}.Array({ShapeExpression(value.Element!, locals)})",
                ValueKind.Dictionary => $"{Shape}.Dictionary({ShapeExpression(value.Element!, locals)})",
                _ => $"{Shape}.Primitive(global::Switchboard.Serialization.ShapeKind.{value.Kind})",
            };
            return value.IsReferenceType && value.AllowsNull ? $"{Shape}.Nullable({shape})" : shape;
        }
    }
}
