namespace Switchboard.Generators;

/// <summary>Names of the pipeline steps, so that tests can check which steps ran and what they cached.</summary>
internal static class TrackingNames
{
    /// <summary>Each <c>[Message]</c> type parsed into a spec and diagnostics.</summary>
    public const string Parse = nameof(Parse);

    /// <summary>The specs of the messages that can be generated.</summary>
    public const string Messages = nameof(Messages);

    /// <summary>Every diagnostic of every message, deduplicated.</summary>
    public const string Diagnostics = nameof(Diagnostics);

    /// <summary>Every wire name in use, for the duplicate check.</summary>
    public const string WireNames = nameof(WireNames);

    /// <summary>The message hint names that differ from another only in case.</summary>
    public const string HintNameCollisions = nameof(HintNameCollisions);

    /// <summary>The namespace of the catalogue, from the assembly name, and a type that already has the catalogue's name.</summary>
    public const string AssemblyNamespace = nameof(AssemblyNamespace);

    /// <summary>The catalogue of the assembly.</summary>
    public const string Catalog = nameof(Catalog);

    /// <summary>The contract baseline files (<c>Switchboard.Contract.Shipped.txt</c>) among the additional files.</summary>
    public const string ContractBaseline = nameof(ContractBaseline);

    /// <summary>The contract entries of the assembly's messages.</summary>
    public const string Contract = nameof(Contract);

    /// <summary>Whether the build is rewriting the contract baseline (<c>SwitchboardUpdateContract</c>), so accepts every change.</summary>
    public const string ContractUpdate = nameof(ContractUpdate);
}
