using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Switchboard.Generators.Helpers;
using Switchboard.Generators.Model;

namespace Switchboard.Generators;

public sealed partial class MessageGenerator
{
    internal static partial class Parser
    {
        /// <summary>
        /// Walks the types reachable from a message and describes each as <c>System.Text.Json</c> would
        /// see it: public instance properties with a public getter (derived type first, then its bases,
        /// each in declaration order), the constructor its reader would pick, and the JSON attributes.
        /// </summary>
        private sealed class ShapeParser(Compilation compilation, CancellationToken token)
        {
            private readonly Dictionary<ITypeSymbol, ObjectSpec> _objects = new(SymbolEqualityComparer.Default);
            private readonly Dictionary<ITypeSymbol, EnumSpec> _enums = new(SymbolEqualityComparer.Default);
            private readonly HashSet<ITypeSymbol> _inProgress = new(SymbolEqualityComparer.Default);
            private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
            private readonly List<ObjectSpec> _objectOrder = new();

            public List<DiagnosticInfo> Diagnostics { get; } = new();

            /// <summary>The message's own object first, then the others in the order they were first reached.</summary>
            public IEnumerable<ObjectSpec> Objects => _objectOrder;

            public IEnumerable<EnumSpec> Enums => _enums.Values.OrderBy(e => e.Id, StringComparer.Ordinal);

            /// <summary>Describes a record, class or struct, or returns null after reporting why it cannot be.</summary>
            public ObjectSpec? ParseObject(INamedTypeSymbol type, Location referenceLocation, string referenceName)
            {
                if (_objects.TryGetValue(type, out var known))
                {
                    return known;
                }

                if (!_inProgress.Add(type))
                {
                    Diagnostics.Add(Diagnostic(DiagnosticDescriptors.RecursiveType, referenceLocation, referenceName, type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(DisplayFormat)));
                    return null;
                }

                // Reserve the position so the message's own object stays first.
                int position = _objectOrder.Count;
                _objectOrder.Add(null!);
                string id = UniqueId(type.Name);
                var spec = ParseObjectCore(type, id, referenceLocation);
                _inProgress.Remove(type);
                if (spec is null)
                {
                    return null;
                }

                _objectOrder[position] = spec;
                _objects[type] = spec;
                return spec;
            }

            private ObjectSpec? ParseObjectCore(INamedTypeSymbol type, string id, Location referenceLocation)
            {
                token.ThrowIfCancellationRequested();
                string displayName = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(DisplayFormat);
                int errors = Diagnostics.Count;

                // 1. The properties System.Text.Json serializes: most derived type first, then each base type.
                var properties = new List<(IPropertySymbol Symbol, string JsonName, int Order, ValueSpec? Value, WriteCondition Condition)>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var ignored = new HashSet<string>(StringComparer.Ordinal);
                for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
                {
                    foreach (var property in current.GetMembers().OfType<IPropertySymbol>())
                    {
                        if (property.IsStatic || property.IsIndexer || property.DeclaredAccessibility != Accessibility.Public
                            || property.GetMethod is not { DeclaredAccessibility: Accessibility.Public } || !seen.Add(property.Name))
                        {
                            continue;
                        }

                        var attributes = property.GetAttributes();
                        var location = property.Locations.FirstOrDefault(l => l.IsInSource) ?? referenceLocation;
                        string memberName = displayName + "." + property.Name;
                        var condition = IgnoreCondition(attributes);
                        if (condition is null)
                        {
                            ignored.Add(property.Name);
                            continue;
                        }

                        if (IsObsoleteError(attributes))
                        {
                            Diagnostics.Add(Diagnostic(DiagnosticDescriptors.ObsoleteErrorProperty, location, memberName));
                        }

                        foreach (var attribute in attributes)
                        {
                            if (UnsupportedAttributes.Contains(attribute.AttributeClass?.ToDisplayString() ?? string.Empty))
                            {
                                Diagnostics.Add(Diagnostic(DiagnosticDescriptors.UnsupportedAttribute, location, memberName, attribute.AttributeClass!.Name.Replace("Attribute", string.Empty)));
                            }
                        }

                        string jsonName = StringArgument(attributes, TypeNames.JsonPropertyNameAttribute) ?? JsonNaming.CamelCase(property.Name);
                        int order = Find(attributes, TypeNames.JsonPropertyOrderAttribute) is { ConstructorArguments.Length: 1 } orderAttribute && orderAttribute.ConstructorArguments[0].Value is int o ? o : 0;
                        var value = ParseValue(property.Type, property.NullableAnnotation, location, memberName);
                        properties.Add((property, jsonName, order, value, condition.Value));
                    }
                }

                // 2. JSON names must be unique, as System.Text.Json requires.
                var byJsonName = new Dictionary<string, IPropertySymbol>(StringComparer.Ordinal);
                foreach (var property in properties)
                {
                    if (byJsonName.TryGetValue(property.JsonName, out var other))
                    {
                        Diagnostics.Add(Diagnostic(DiagnosticDescriptors.DuplicateJsonName, property.Symbol.Locations.FirstOrDefault(l => l.IsInSource) ?? referenceLocation, other.Name, property.Symbol.Name, displayName, property.JsonName));
                    }
                    else
                    {
                        byJsonName.Add(property.JsonName, property.Symbol);
                    }
                }

                // 3. The constructor a reader calls, its parameters bound to properties by name, ignoring case.
                var constructor = ChooseConstructor(type, out string? constructorProblem);
                var parameterOf = new Dictionary<string, IParameterSymbol>(StringComparer.Ordinal);
                if (constructor is not null)
                {
                    foreach (var parameter in constructor.Parameters)
                    {
                        var match = properties.FirstOrDefault(p => string.Equals(p.Symbol.Name, parameter.Name, StringComparison.OrdinalIgnoreCase)
                            && SymbolEqualityComparer.Default.Equals(p.Symbol.Type.WithNullableAnnotation(NullableAnnotation.None), parameter.Type.WithNullableAnnotation(NullableAnnotation.None)));
                        if (match.Symbol is null)
                        {
                            constructorProblem ??= ignored.Contains(parameter.Name) || ignored.Any(i => string.Equals(i, parameter.Name, StringComparison.OrdinalIgnoreCase))
                                ? $"constructor parameter '{parameter.Name}' binds to a property marked [JsonIgnore]"
                                : $"constructor parameter '{parameter.Name}' does not match a public property of the same name and type";
                        }
                        else
                        {
                            parameterOf[match.Symbol.Name] = parameter;
                        }
                    }
                }

                // 4. Required members must be serialized properties, since readers set them in an initializer.
                for (var current = type; current is not null && constructorProblem is null; current = current.BaseType)
                {
                    foreach (var member in current.GetMembers())
                    {
                        bool isRequired = member is IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true };
                        if (isRequired && !properties.Any(p => p.Symbol.Name == member.Name && p.Value is not null) && !parameterOf.ContainsKey(member.Name))
                        {
                            constructorProblem = $"required member '{member.Name}' is not a serialized public property";
                            break;
                        }
                    }
                }

                if (constructorProblem is not null)
                {
                    Diagnostics.Add(Diagnostic(DiagnosticDescriptors.NoUsableConstructor, type.Locations.FirstOrDefault(l => l.IsInSource) ?? referenceLocation, displayName, constructorProblem));
                }

                if (Diagnostics.Count > errors)
                {
                    return null;
                }

                var specs = properties
                    .Select((p, index) => (p, index))
                    .OrderBy(x => x.p.Order)
                    .ThenBy(x => x.index)
                    .Select(x => CreateProperty(x.p.Symbol, x.p.JsonName, x.p.Value!, x.p.Condition, parameterOf))
                    .ToEquatableArray();
                return new ObjectSpec(id, type.ToDisplayString(CodeFormat), displayName, type.IsValueType, specs, constructor?.Parameters.Length ?? 0);
            }

            private static PropertySpec CreateProperty(IPropertySymbol property, string jsonName, ValueSpec value, WriteCondition condition, Dictionary<string, IParameterSymbol> parameterOf)
            {
                string declaringType = property.ContainingType.ToDisplayString(CodeFormat);
                if (parameterOf.TryGetValue(property.Name, out var parameter))
                {
                    bool required = !parameter.HasExplicitDefaultValue && !parameter.IsOptional && !AllowsNull(parameter.Type, parameter.NullableAnnotation);
                    return new PropertySpec(property.Name, jsonName, value, required, ReadMode.Constructor, parameter.Ordinal,
                        parameter.HasExplicitDefaultValue ? Literal(parameter.Type, parameter.ExplicitDefaultValue) : null, declaringType, condition);
                }

                var mode = property switch
                {
                    { IsRequired: true } => ReadMode.Initializer,
                    { SetMethod: { DeclaredAccessibility: Accessibility.Public, IsInitOnly: false } } => ReadMode.Setter,
                    { SetMethod: { DeclaredAccessibility: Accessibility.Public, IsInitOnly: true } } => ReadMode.InitAccessor,
                    _ => ReadMode.None,
                };
                return new PropertySpec(property.Name, jsonName, value, property.IsRequired, mode, -1, null, declaringType, condition);
            }

            /// <summary>[JsonConstructor], else the public parameterless constructor, else the only public constructor.</summary>
            private IMethodSymbol? ChooseConstructor(INamedTypeSymbol type, out string? problem)
            {
                problem = null;
                var constructors = type.InstanceConstructors;
                var marked = constructors.Where(c => Find(c.GetAttributes(), TypeNames.JsonConstructorAttribute) is not null).ToList();
                if (marked.Count > 1)
                {
                    problem = "more than one constructor is marked [JsonConstructor]";
                    return null;
                }

                if (marked.Count == 1)
                {
                    bool sameAssembly = SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, compilation.Assembly);
                    if (marked[0].DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal)
                        || (marked[0].DeclaredAccessibility != Accessibility.Public && !sameAssembly))
                    {
                        problem = "the constructor marked [JsonConstructor] is not accessible";
                        return null;
                    }

                    return marked[0];
                }

                var candidates = constructors.Where(c => c.DeclaredAccessibility == Accessibility.Public).ToList();
                var parameterless = candidates.FirstOrDefault(c => c.Parameters.Length == 0);
                if (parameterless is not null)
                {
                    return parameterless;
                }

                if (candidates.Count == 1)
                {
                    return candidates[0];
                }

                problem = candidates.Count == 0
                    ? "it has no public constructor; add one or mark one with [JsonConstructor]"
                    : "it has several public constructors and none without parameters; mark one with [JsonConstructor]";
                return null;
            }

            private ValueSpec? ParseValue(ITypeSymbol type, NullableAnnotation annotation, Location location, string memberName)
            {
                bool allowsNull = type.IsReferenceType && annotation != NullableAnnotation.NotAnnotated;
                int errors = Diagnostics.Count;
                var spec = ParseValueCore(type, allowsNull, location, memberName);

                // A nested type that failed has reported why; anything else is a type messages do not support.
                if (spec is null && Diagnostics.Count == errors)
                {
                    Diagnostics.Add(Diagnostic(DiagnosticDescriptors.UnsupportedMemberType, location, memberName, type.ToDisplayString(DisplayFormat)));
                }

                return spec;
            }

            private ValueSpec? ParseValueCore(ITypeSymbol type, bool allowsNull, Location location, string memberName)
            {
                var primitive = type.SpecialType switch
                {
                    SpecialType.System_Boolean => ValueKind.Boolean,
                    SpecialType.System_Char => ValueKind.Char,
                    SpecialType.System_Byte => ValueKind.Byte,
                    SpecialType.System_SByte => ValueKind.SByte,
                    SpecialType.System_Int16 => ValueKind.Int16,
                    SpecialType.System_UInt16 => ValueKind.UInt16,
                    SpecialType.System_Int32 => ValueKind.Int32,
                    SpecialType.System_UInt32 => ValueKind.UInt32,
                    SpecialType.System_Int64 => ValueKind.Int64,
                    SpecialType.System_UInt64 => ValueKind.UInt64,
                    SpecialType.System_Single => ValueKind.Single,
                    SpecialType.System_Double => ValueKind.Double,
                    SpecialType.System_Decimal => ValueKind.Decimal,
                    SpecialType.System_String => ValueKind.String,
                    SpecialType.System_DateTime => ValueKind.DateTime,
                    _ => (ValueKind?)null,
                };
                primitive ??= MetadataName(type) switch
                {
                    TypeNames.Guid => ValueKind.Guid,
                    TypeNames.DateTimeOffset => ValueKind.DateTimeOffset,
                    TypeNames.TimeSpan => ValueKind.TimeSpan,
                    TypeNames.DateOnly => ValueKind.DateOnly,
                    TypeNames.TimeOnly => ValueKind.TimeOnly,
                    _ => null,
                };
                if (primitive is { } kind)
                {
                    return new ValueSpec(kind, type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(CodeFormat), type.IsReferenceType, allowsNull, null, null);
                }

                if (type is IArrayTypeSymbol { Rank: 1 } array)
                {
                    if (array.ElementType.SpecialType == SpecialType.System_Byte)
                    {
                        return new ValueSpec(ValueKind.Bytes, "byte[]", true, allowsNull, null, null);
                    }

                    var element = ParseElement(array.ElementType, array.ElementNullableAnnotation, location, memberName);
                    return element is null ? null : new ValueSpec(ValueKind.Array, element.VariableType + "[]", true, allowsNull, element, null);
                }

                if (type is not INamedTypeSymbol named)
                {
                    return null;
                }

                if (named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
                {
                    var element = ParseElement(named.TypeArguments[0], NullableAnnotation.NotAnnotated, location, memberName);
                    return element is null ? null : new ValueSpec(ValueKind.Nullable, element.TypeName + "?", false, true, element, null);
                }

                if (named.IsGenericType)
                {
                    var collection = MetadataName(named.OriginalDefinition) switch
                    {
                        TypeNames.List => ValueKind.List,
                        TypeNames.ReadOnlyList => ValueKind.ReadOnlyList,
                        TypeNames.ImmutableArray => ValueKind.ImmutableArray,
                        TypeNames.Dictionary when named.TypeArguments[0].SpecialType == SpecialType.System_String => ValueKind.Dictionary,
                        _ => (ValueKind?)null,
                    };
                    if (collection is not { } collectionKind)
                    {
                        return null;
                    }

                    int last = named.TypeArguments.Length - 1;
                    var element = ParseElement(named.TypeArguments[last], named.TypeArgumentNullableAnnotations[last], location, memberName);
                    if (element is null)
                    {
                        return null;
                    }

                    string typeName = collectionKind switch
                    {
                        ValueKind.List => $"global::System.Collections.Generic.List<{element.VariableType}>",
                        ValueKind.ReadOnlyList => $"global::System.Collections.Generic.IReadOnlyList<{element.VariableType}>",
                        ValueKind.ImmutableArray => $"global::System.Collections.Immutable.ImmutableArray<{element.VariableType}>",
                        _ => $"global::System.Collections.Generic.Dictionary<string, {element.VariableType}>",
                    };
                    return new ValueSpec(collectionKind, typeName, named.IsReferenceType, allowsNull, element, null);
                }

                if (named.TypeKind == TypeKind.Enum)
                {
                    var spec = ParseEnum(named);
                    return spec is null ? null : new ValueSpec(ValueKind.Enum, spec.TypeName, false, false, null, spec.Id);
                }

                if (named.TypeKind is TypeKind.Class or TypeKind.Struct && !named.IsAbstract && !named.IsStatic && !named.IsRefLikeType
                    && named.SpecialType == SpecialType.None && !IsFrameworkType(named) && !IsInGenericType(named))
                {
                    var spec = ParseObject(named, location, memberName);
                    return spec is null ? null : new ValueSpec(ValueKind.Object, spec.TypeName, named.IsReferenceType, allowsNull, null, spec.Id);
                }

                return null;
            }

            /// <summary>Collection elements and dictionary values: reported as the member that holds them.</summary>
            private ValueSpec? ParseElement(ITypeSymbol type, NullableAnnotation annotation, Location location, string memberName) =>
                ParseValueCore(type, type.IsReferenceType && annotation != NullableAnnotation.NotAnnotated, location, memberName);

            private EnumSpec? ParseEnum(INamedTypeSymbol type)
            {
                if (_enums.TryGetValue(type, out var known))
                {
                    return known;
                }

                var underlying = type.EnumUnderlyingType!.SpecialType switch
                {
                    SpecialType.System_Byte => ValueKind.Byte,
                    SpecialType.System_SByte => ValueKind.SByte,
                    SpecialType.System_Int16 => ValueKind.Int16,
                    SpecialType.System_UInt16 => ValueKind.UInt16,
                    SpecialType.System_Int32 => ValueKind.Int32,
                    SpecialType.System_UInt32 => ValueKind.UInt32,
                    SpecialType.System_Int64 => ValueKind.Int64,
                    _ => ValueKind.UInt64,
                };
                bool signed = underlying is ValueKind.SByte or ValueKind.Int16 or ValueKind.Int32 or ValueKind.Int64;
                var members = type.GetMembers().OfType<IFieldSymbol>()
                    .Where(f => f.HasConstantValue)
                    .Select(f => new EnumMemberSpec(
                        StringArgument(f.GetAttributes(), TypeNames.JsonStringEnumMemberNameAttribute) ?? f.Name,
                        signed ? unchecked((ulong)Convert.ToInt64(f.ConstantValue, CultureInfo.InvariantCulture)) : Convert.ToUInt64(f.ConstantValue, CultureInfo.InvariantCulture)))
                    .ToEquatableArray();
                bool isFlags = type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == TypeNames.FlagsAttribute);
                var spec = new EnumSpec(UniqueId(type.Name), type.ToDisplayString(CodeFormat), type.ToDisplayString(DisplayFormat), underlying, isFlags, members);
                _enums[type] = spec;
                return spec;
            }

            private string UniqueId(string name)
            {
                string id = name;
                for (int i = 2; !_ids.Add(id); i++)
                {
                    id = name + i.ToString(CultureInfo.InvariantCulture);
                }

                return id;
            }

            private static bool IsFrameworkType(INamedTypeSymbol type)
            {
                var root = type.ContainingNamespace;
                while (root is { ContainingNamespace.IsGlobalNamespace: false })
                {
                    root = root.ContainingNamespace;
                }

                return root?.Name is "System" or "Microsoft";
            }

            private static bool IsInGenericType(INamedTypeSymbol type)
            {
                for (var current = type; current is not null; current = current.ContainingType)
                {
                    if (current.IsGenericType)
                    {
                        return true;
                    }
                }

                return false;
            }
        }

        private static readonly HashSet<string> UnsupportedAttributes = new(StringComparer.Ordinal)
        {
            TypeNames.JsonConverterAttribute,
            TypeNames.JsonExtensionDataAttribute,
            TypeNames.JsonNumberHandlingAttribute,
            TypeNames.JsonObjectCreationHandlingAttribute,
            TypeNames.JsonPolymorphicAttribute,
        };

        private static bool AllowsNull(ITypeSymbol type, NullableAnnotation annotation) =>
            type.IsReferenceType ? annotation != NullableAnnotation.NotAnnotated : type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;

        /// <summary>Null when the property is always ignored; otherwise when it is left out of the JSON.</summary>
        private static WriteCondition? IgnoreCondition(System.Collections.Immutable.ImmutableArray<AttributeData> attributes)
        {
            var ignore = Find(attributes, TypeNames.JsonIgnoreAttribute);
            if (ignore is null)
            {
                return WriteCondition.Always;
            }

            // JsonIgnoreCondition: Never = 0, Always = 1, WhenWritingDefault = 2, WhenWritingNull = 3.
            int condition = ignore.NamedArguments.FirstOrDefault(a => a.Key == "Condition").Value.Value is int c ? c : 1;
            return condition switch
            {
                1 => null,
                2 => WriteCondition.WhenWritingDefault,
                3 => WriteCondition.WhenWritingNull,
                _ => WriteCondition.Always,
            };
        }

        /// <summary>True for <c>[Obsolete(message, error: true)]</c>, which makes every use of the member an error.</summary>
        private static bool IsObsoleteError(System.Collections.Immutable.ImmutableArray<AttributeData> attributes) =>
            Find(attributes, TypeNames.ObsoleteAttribute) is { ConstructorArguments.Length: 2 } obsolete && obsolete.ConstructorArguments[1].Value is true;

        private static AttributeData? Find(System.Collections.Immutable.ImmutableArray<AttributeData> attributes, string metadataName) =>
            attributes.FirstOrDefault(a => a.AttributeClass is { } c && MetadataName(c) == metadataName);

        private static string? StringArgument(System.Collections.Immutable.ImmutableArray<AttributeData> attributes, string metadataName) =>
            Find(attributes, metadataName) is { ConstructorArguments.Length: 1 } attribute && attribute.ConstructorArguments[0].Value is string value ? value : null;

        private static string MetadataName(ITypeSymbol type) =>
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + type.MetadataName : type.MetadataName;

        /// <summary>A constructor parameter's default value as a C# expression.</summary>
        private static string Literal(ITypeSymbol type, object? value)
        {
            if (value is null)
            {
                return "default!";
            }

            if (type.TypeKind == TypeKind.Enum || (type is INamedTypeSymbol { EnumUnderlyingType: not null }))
            {
                return $"({type.ToDisplayString(CodeFormat)})({Convert.ToString(value, CultureInfo.InvariantCulture)})";
            }

            return value switch
            {
                string s => SymbolDisplay.FormatLiteral(s, quote: true),
                char c => SymbolDisplay.FormatLiteral(c, quote: true),
                bool b => b ? "true" : "false",
                float f => float.IsNaN(f) ? "float.NaN" : float.IsPositiveInfinity(f) ? "float.PositiveInfinity" : float.IsNegativeInfinity(f) ? "float.NegativeInfinity" : f.ToString("R", CultureInfo.InvariantCulture) + "F",
                double d => double.IsNaN(d) ? "double.NaN" : double.IsPositiveInfinity(d) ? "double.PositiveInfinity" : double.IsNegativeInfinity(d) ? "double.NegativeInfinity" : d.ToString("R", CultureInfo.InvariantCulture) + "D",
                decimal m => m.ToString(CultureInfo.InvariantCulture) + "M",
                long l => l.ToString(CultureInfo.InvariantCulture) + "L",
                ulong u => u.ToString(CultureInfo.InvariantCulture) + "UL",
                uint u => u.ToString(CultureInfo.InvariantCulture) + "U",
                _ => $"({type.ToDisplayString(CodeFormat)})({Convert.ToString(value, CultureInfo.InvariantCulture)})",
            };
        }
    }
}
