using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Switchboard.Generators.Model;

namespace Switchboard.Generators;

public sealed partial class MessageGenerator
{
    internal static partial class Parser
    {
        /// <summary>The names of the members the emitter adds to every message type.</summary>
        private static readonly string[] GeneratedMemberNames = ["MessageType", "Write", "Read", Emitter.SerializerClass];

        /// <summary>
        /// Finds the user's members that the generated ones would clash with (SWB014), and returns the
        /// generated members that hide an inherited one and so must be declared <c>new</c>.
        /// </summary>
        private static List<string> CheckGeneratedMembers(Compilation compilation, INamedTypeSymbol type, Location typeLocation, string displayName, List<DiagnosticInfo> diagnostics)
        {
            // A member may not have the name of its type.
            if (GeneratedMemberNames.Contains(type.Name))
            {
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.GeneratedMemberClash, typeLocation, displayName, GeneratedSignature(type.Name, type), displayName));
            }

            // Declared in the type itself: the same name (or, for methods, the same signature) does not compile.
            foreach (string name in GeneratedMemberNames)
            {
                foreach (var member in type.GetMembers(name))
                {
                    if (member.Locations.FirstOrDefault(l => l.IsInSource) is { } location && Clashes(member, name, type))
                    {
                        diagnostics.Add(Diagnostic(DiagnosticDescriptors.GeneratedMemberClash, location, member.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat), GeneratedSignature(name, type), displayName));
                    }
                }
            }

            // Inherited: a serialized property would be shadowed in the generated writer; anything else is hidden with 'new'.
            var hidden = new List<string>();
            for (var current = type.BaseType; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
            {
                // A base message of this compilation gets its public MessageType and Read from this generator, unseen here.
                if (current.DeclaringSyntaxReferences.Length > 0 && current.GetAttributes().Any(a => a.AttributeClass is { } c && MetadataName(c) == TypeNames.MessageAttribute))
                {
                    AddOnce(hidden, "MessageType");
                    AddOnce(hidden, "Read");
                }

                foreach (string name in GeneratedMemberNames)
                {
                    foreach (var member in current.GetMembers(name))
                    {
                        if (member.IsImplicitlyDeclared || !compilation.IsSymbolAccessibleWithin(member, type) || !Clashes(member, name, type))
                        {
                            continue;
                        }

                        if (member is IPropertySymbol property && IsSerialized(property))
                        {
                            var location = member.Locations.FirstOrDefault(l => l.IsInSource) ?? typeLocation;
                            diagnostics.Add(Diagnostic(DiagnosticDescriptors.GeneratedMemberClash, location, member.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat), GeneratedSignature(name, type), displayName));
                        }
                        else
                        {
                            AddOnce(hidden, name);

                            // Anything but a method named Write hides the compact overload too.
                            if (name == "Write" && member is not IMethodSymbol)
                            {
                                AddOnce(hidden, Emitter.CompactWriteMember);
                            }
                        }
                    }
                }
            }

            return hidden;
        }

        /// <summary>
        /// True when <paramref name="member"/>, named <paramref name="name"/>, cannot coexist with the generated member of that
        /// name: any member but a method, or a method with the generated parameter types (ref, in and out count as one).
        /// </summary>
        private static bool Clashes(ISymbol member, string name, INamedTypeSymbol type)
        {
            if (member is not IMethodSymbol method)
            {
                return true;
            }

            if (method.MethodKind != MethodKind.Ordinary || method.Arity != 0)
            {
                return false;
            }

            var parameters = method.Parameters;
            return name switch
            {
                "Write" => parameters.Length == 2 && parameters.All(p => p.RefKind == RefKind.None)
                    && MetadataName(parameters[0].Type) == TypeNames.Utf8JsonWriter && SymbolEqualityComparer.Default.Equals(parameters[1].Type, type),
                "Read" => parameters.Length == 1 && parameters[0].RefKind != RefKind.None && MetadataName(parameters[0].Type) == TypeNames.Utf8JsonReader,
                _ => true,
            };
        }

        private static void AddOnce(List<string> names, string name)
        {
            if (!names.Contains(name))
            {
                names.Add(name);
            }
        }

        private static bool IsSerialized(IPropertySymbol property) =>
            property is { IsStatic: false, IsIndexer: false, DeclaredAccessibility: Accessibility.Public, GetMethod.DeclaredAccessibility: Accessibility.Public }
            && IgnoreCondition(property.GetAttributes()) is not null;

        private static string GeneratedSignature(string name, INamedTypeSymbol type) => name switch
        {
            "Write" => $"static void Write(Utf8JsonWriter, {type.Name})",
            "Read" => $"static {type.Name} Read(ref Utf8JsonReader)",
            "MessageType" => "static string MessageType",
            _ => "class " + name,
        };
    }
}
