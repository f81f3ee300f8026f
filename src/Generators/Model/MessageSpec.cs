namespace Switchboard.Generators.Model;

/// <summary>A type that contains the message type, outermost first.</summary>
/// <param name="Keyword">How it is declared: <c>class</c>, <c>struct</c>, <c>record</c>, <c>record struct</c> or <c>interface</c>.</param>
/// <param name="Name">Its name.</param>
internal sealed record ContainingTypeSpec(string Keyword, string Name);

/// <summary>Everything the emitter needs to write one message's source file.</summary>
/// <param name="WireName">The <c>[Message]</c> name.</param>
/// <param name="Namespace">The namespace, or null for the global namespace.</param>
/// <param name="ContainingTypes">The types the message is nested in, outermost first.</param>
/// <param name="Keyword">How the message type is declared: <c>class</c> or <c>record</c>.</param>
/// <param name="Name">The message type's name.</param>
/// <param name="Objects">The message's own object first, then every object reachable from it.</param>
/// <param name="Enums">Every enum reachable from the message.</param>
/// <param name="Request">What the message is for; a plain message when null.</param>
/// <param name="Compress">False when <c>[Message(..., Compress = false)]</c> declares it never compressed.</param>
/// <param name="HiddenMembers">The generated members that hide an inherited member of the same name, declared <c>new</c> (the compact <c>Write</c> overload as <c>Emitter.CompactWriteMember</c>).</param>
internal sealed record MessageSpec(
    string WireName,
    string? Namespace,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    string Keyword,
    string Name,
    EquatableArray<ObjectSpec> Objects,
    EquatableArray<EnumSpec> Enums,
    EquatableArray<string> HiddenMembers = default,
    RequestSpec? Request = null,
    bool Compress = true)
{
    public RequestSpec Role => Request ?? RequestSpec.Plain;

    public ObjectSpec Root => Objects[0];

    /// <summary>The stable hint name: <c>{Namespace}.{Containing}.{Name}.g.cs</c>.</summary>
    public string HintName
    {
        get
        {
            var parts = new System.Collections.Generic.List<string>();
            if (Namespace is not null)
            {
                parts.Add(Namespace);
            }

            foreach (var type in ContainingTypes)
            {
                parts.Add(type.Name);
            }

            parts.Add(Name);
            // Verbatim identifiers ('namespace @event;') keep their '@' in the namespace; hint names may not contain it.
            return string.Join(".", parts).Replace("@", string.Empty) + ".g.cs";
        }
    }
}

/// <summary>A message's wire name and where it is declared, for the duplicate check across a compilation.</summary>
internal sealed record WireNameUse(string WireName, string TypeDisplayName, LocationInfo? Location);

/// <summary>What parsing one <c>[Message]</c> type produced.</summary>
/// <param name="Message">The spec, or null when the type cannot be generated.</param>
/// <param name="WireName">The wire name in use, when it is valid.</param>
/// <param name="Diagnostics">Errors found.</param>
internal sealed record ParseResult(MessageSpec? Message, WireNameUse? WireName, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>Where the assembly's catalogue goes.</summary>
/// <param name="Namespace">The namespace of the <c>SwitchboardMessages</c> class, from the assembly name.</param>
/// <param name="Clash">SWB015 when a type of the assembly already has the catalogue's full name.</param>
internal sealed record CatalogTarget(string Namespace, DiagnosticInfo? Clash);

/// <summary>Everything the emitter needs to write the assembly's catalogue.</summary>
/// <param name="Namespace">The namespace of the <c>SwitchboardMessages</c> class, from the assembly name.</param>
/// <param name="Messages">The messages, ordered by wire name.</param>
/// <param name="Clash">SWB015 when a type of the assembly already has the catalogue's full name; nothing is generated then.</param>
internal sealed record CatalogSpec(string Namespace, EquatableArray<MessageSpec> Messages, DiagnosticInfo? Clash = null);
