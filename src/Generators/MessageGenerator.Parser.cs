using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Switchboard.Generators.Helpers;
using Switchboard.Generators.Model;

namespace Switchboard.Generators;

public sealed partial class MessageGenerator
{
    /// <summary>Turns a <c>[Message]</c> type into a <see cref="ParseResult"/>. Nothing from Roslyn leaves this class.</summary>
    internal static partial class Parser
    {
        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken token)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var declaration = (TypeDeclarationSyntax)context.TargetNode;
            var typeLocation = declaration.Identifier.GetLocation();
            string displayName = type.ToDisplayString(DisplayFormat);
            var diagnostics = new List<DiagnosticInfo>();

            // [Message] twice on the parts of a partial type is CS0579; generating it twice would only add noise.
            if (type.GetAttributes().Count(a => a.AttributeClass is { } c && MetadataName(c) == TypeNames.MessageAttribute) > 1)
            {
                return new ParseResult(null, null, EquatableArray<DiagnosticInfo>.Empty);
            }

            string? wireName = context.Attributes[0].ConstructorArguments is { Length: 1 } arguments ? arguments[0].Value as string : null;
            WireNameUse? wireNameUse = null;
            if (WireNames.IsValid(wireName))
            {
                wireNameUse = new WireNameUse(wireName!, displayName, LocationInfo.From(typeLocation));
            }
            else
            {
                var argument = (context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(token) as AttributeSyntax)?.ArgumentList?.Arguments.FirstOrDefault();
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.InvalidWireName, argument?.GetLocation() ?? typeLocation, wireName ?? "null"));
            }

            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.MessageNotPartial, typeLocation, displayName));
            }

            if (type.IsAbstract || type.IsStatic)
            {
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.AbstractMessage, typeLocation, displayName));
            }

            bool isGeneric = false;
            bool isInaccessible = false;
            bool isFileLocal = false;
            var containingTypes = new List<ContainingTypeSpec>();
            for (var current = type; current is not null; current = current.ContainingType)
            {
                isGeneric |= current.IsGenericType;
                isInaccessible |= current.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal;
                isFileLocal |= current.IsFileLocal;
                if (!SymbolEqualityComparer.Default.Equals(current, type))
                {
                    var containingDeclaration = current.DeclaringSyntaxReferences.Select(r => r.GetSyntax(token)).OfType<TypeDeclarationSyntax>().FirstOrDefault();
                    if (containingDeclaration is null || !containingDeclaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                    {
                        diagnostics.Add(Diagnostic(DiagnosticDescriptors.ContainingTypeNotPartial, containingDeclaration?.Identifier.GetLocation() ?? typeLocation, current.ToDisplayString(DisplayFormat), displayName));
                    }

                    containingTypes.Insert(0, new ContainingTypeSpec(Keyword(current), current.Name));
                }
            }

            if (isGeneric)
            {
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.GenericMessage, typeLocation, displayName));
            }

            if (isInaccessible)
            {
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.InaccessibleMessage, typeLocation, displayName));
            }

            // A file-local type is a different type in every other file, the generated ones included.
            if (isFileLocal)
            {
                diagnostics.Add(Diagnostic(DiagnosticDescriptors.FileLocalMessage, typeLocation, displayName));
            }

            var hiddenMembers = CheckGeneratedMembers(context.SemanticModel.Compilation, type, typeLocation, displayName, diagnostics);
            var request = ParseRequest(type, typeLocation, displayName, diagnostics, token);

            if (diagnostics.Count > 0)
            {
                return new ParseResult(null, wireNameUse, diagnostics.ToEquatableArray());
            }

            var shapes = new ShapeParser(context.SemanticModel.Compilation, token);
            shapes.ParseObject(type, typeLocation, displayName);
            diagnostics.AddRange(shapes.Diagnostics);
            if (diagnostics.Count > 0)
            {
                return new ParseResult(null, wireNameUse, diagnostics.ToEquatableArray());
            }

            var message = new MessageSpec(
                wireName!,
                type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
                containingTypes.ToEquatableArray(),
                type.IsRecord ? "record" : "class",
                type.Name,
                shapes.Objects.ToEquatableArray(),
                shapes.Enums.ToEquatableArray(),
                hiddenMembers.ToEquatableArray(),
                request,
                context.Attributes[0].NamedArguments.FirstOrDefault(a => a.Key == "Compress").Value.Value is not false);
            return new ParseResult(message, wireNameUse, EquatableArray<DiagnosticInfo>.Empty);
        }

        /// <summary>SWB002 for every message whose wire name another message of the compilation uses too.</summary>
        public static EquatableArray<DiagnosticInfo> FindDuplicateWireNames(EquatableArray<WireNameUse> uses) => uses
            .GroupBy(u => u.WireName, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .SelectMany(g =>
            {
                var ordered = g.OrderBy(u => u.TypeDisplayName, StringComparer.Ordinal).ToList();
                return ordered.Select(u => new DiagnosticInfo(
                    DiagnosticDescriptors.DuplicateWireName.Id,
                    u.Location,
                    new[] { u.WireName, u.TypeDisplayName, ordered.First(o => o != u).TypeDisplayName }.ToEquatableArray()));
            })
            .ToEquatableArray();

        /// <summary>The namespace of the generated <c>SwitchboardMessages</c> class: the assembly name, made a valid C# namespace.</summary>
        public static string NamespaceOf(string? assemblyName)
        {
            var segments = (assemblyName ?? "Assembly").Split('.').Select(segment =>
            {
                var identifier = new string(segment.Select(c => char.IsLetterOrDigit(c) || c == '_' ? c : '_').ToArray());
                if (identifier.Length == 0 || char.IsDigit(identifier[0]))
                {
                    identifier = "_" + identifier;
                }

                return SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None ? "@" + identifier : identifier;
            });
            return string.Join(".", segments);
        }

        /// <summary>The catalogue's namespace, and SWB015 when a type of the assembly is already called <c>{Namespace}.SwitchboardMessages</c>.</summary>
        public static CatalogTarget ParseCatalogTarget(Compilation compilation)
        {
            string @namespace = NamespaceOf(compilation.AssemblyName);
            string fullName = @namespace.Replace("@", string.Empty) + "." + Emitter.CatalogClass;
            var clash = compilation.Assembly.GetTypeByMetadataName(fullName) is { } type
                ? Diagnostic(DiagnosticDescriptors.CatalogClash, type.Locations.FirstOrDefault(l => l.IsInSource), type.ToDisplayString(DisplayFormat))
                : null;
            return new CatalogTarget(@namespace, clash);
        }

        public static CatalogSpec CreateCatalog(CatalogTarget target, System.Collections.Immutable.ImmutableArray<MessageSpec> messages) => new(
            target.Namespace,
            messages.OrderBy(m => m.WireName, StringComparer.Ordinal).ThenBy(m => m.Root.DisplayName, StringComparer.Ordinal).ToEquatableArray(),
            target.Clash);

        /// <summary>The hint names that equal another one but for case, which the compiler would reject as duplicates; ordinal order.</summary>
        public static EquatableArray<string> FindCaseCollisions(System.Collections.Immutable.ImmutableArray<string> hintNames) => hintNames
            .GroupBy(name => name, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Distinct(StringComparer.Ordinal).Count() > 1)
            .SelectMany(g => g.Distinct(StringComparer.Ordinal))
            .OrderBy(name => name, StringComparer.Ordinal)
            .ToEquatableArray();

        /// <summary>Names as people read them: <c>Chat.Outer.Item</c>, <c>List&lt;int&gt;</c>.</summary>
        private static readonly SymbolDisplayFormat DisplayFormat = new(
            typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
            genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
            miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        /// <summary>Names as generated code writes them: <c>global::Chat.Outer.Item</c>.</summary>
        private static readonly SymbolDisplayFormat CodeFormat = SymbolDisplayFormat.FullyQualifiedFormat;

        private static DiagnosticInfo Diagnostic(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
            new(descriptor.Id, LocationInfo.From(location), arguments.ToEquatableArray());

        private static string Keyword(INamedTypeSymbol type) => type switch
        {
            { IsRecord: true, IsValueType: true } => "record struct",
            { IsRecord: true } => "record",
            { TypeKind: TypeKind.Struct } => "struct",
            { TypeKind: TypeKind.Interface } => "interface",
            _ => "class",
        };
    }
}
