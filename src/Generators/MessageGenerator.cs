using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Switchboard.Generators.Model;

namespace Switchboard.Generators;

/// <summary>
/// Generates, for every type marked <c>[Message("...")]</c>, an implementation of
/// <c>IMessage&lt;TSelf&gt;</c> (wire name, writer, reader), and one message catalogue per assembly.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class MessageGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // 1. Every [Message] class or record, parsed once into a value-equatable spec and its diagnostics.
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                TypeNames.MessageAttribute,
                predicate: static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax { ClassOrStructKeyword.RawKind: not (int)SyntaxKind.StructKeyword },
                transform: static (context, token) => Parser.Parse(context, token))
            .WithTrackingName(TrackingNames.Parse);

        // 2. Diagnostics of all messages, deduplicated (a nested type shared by several messages is reported once).
        var diagnostics = parsed
            .Select(static (result, _) => result.Diagnostics)
            .Collect()
            .Select(static (all, _) => all.SelectMany(d => d).Distinct().ToEquatableArray())
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (context, diagnostics) => Report(context, diagnostics));

        // 3. Wire names must be unique in the compilation.
        var wireNames = parsed
            .Select(static (result, _) => result.WireName)
            .Where(static use => use is not null)
            .Collect()
            .Select(static (uses, _) => uses.Select(u => u!).ToEquatableArray())
            .WithTrackingName(TrackingNames.WireNames);
        context.RegisterSourceOutput(wireNames, static (context, uses) => Report(context, Parser.FindDuplicateWireNames(uses)));

        // 4. One source file per message: the IMessage<TSelf> implementation. Hint names that differ only in case get a number.
        var messages = parsed
            .Select(static (result, _) => result.Message)
            .Where(static message => message is not null)
            .Select(static (message, _) => message!)
            .WithTrackingName(TrackingNames.Messages);
        var caseCollisions = messages
            .Select(static (message, _) => message.HintName)
            .Collect()
            .Select(static (names, _) => Parser.FindCaseCollisions(names))
            .WithTrackingName(TrackingNames.HintNameCollisions);
        context.RegisterSourceOutput(messages.Combine(caseCollisions), static (context, pair) =>
            context.AddSource(Emitter.HintName(pair.Left, pair.Right), Emitter.EmitMessage(pair.Left)));

        // 5. The assembly's catalogue, in a namespace named after the assembly, unless a type of the assembly has its name.
        var catalogTarget = context.CompilationProvider
            .Select(static (compilation, _) => Parser.ParseCatalogTarget(compilation))
            .WithTrackingName(TrackingNames.AssemblyNamespace);
        var catalog = messages
            .Collect()
            .Combine(catalogTarget)
            .Select(static (pair, _) => Parser.CreateCatalog(pair.Right, pair.Left))
            .WithTrackingName(TrackingNames.Catalog);
        context.RegisterSourceOutput(catalog, static (context, catalog) =>
        {
            if (catalog.Messages.Count == 0)
            {
                return;
            }

            if (catalog.Clash is { } clash)
            {
                Report(context, new[] { clash }.ToEquatableArray());
                return;
            }

            context.AddSource(Emitter.CatalogHintName, Emitter.EmitCatalog(catalog));
        });

        // 6. With a contract baseline among the additional files (Switchboard.Contract.Shipped.txt): the compatibility
        //    check, and the current contract as text for the SwitchboardUpdateContract build target to copy out.
        var baseline = context.AdditionalTextsProvider
            .Where(static file => Contract.IsBaseline(file.Path))
            .Select(static (file, token) => new ContractBaselineFile(file.Path, file.GetText(token)?.ToString() ?? string.Empty))
            .Collect()
            .Select(static (files, _) => files.GroupBy(f => f.Path.Replace('\\', '/')).Select(g => g.First()).ToEquatableArray())
            .WithTrackingName(TrackingNames.ContractBaseline);
        var updating = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue(Contract.UpdateProperty, out string? value)
                && string.Equals(value, "true", System.StringComparison.OrdinalIgnoreCase))
            .WithTrackingName(TrackingNames.ContractUpdate);
        var contract = messages
            .Select(static (message, _) => Contract.Describe(message))
            .Collect()
            .Select(static (all, _) => all.OrderBy(m => m.WireName, System.StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(TrackingNames.Contract);
        // While the baseline is being rewritten (SwitchboardUpdateContract), every change is accepted.
        context.RegisterSourceOutput(contract.Combine(wireNames).Combine(baseline).Combine(updating), static (context, input) =>
        {
            var (((current, uses), files), update) = input;
            if (files.Count == 0)
            {
                return;
            }

            if (!update)
            {
                Report(context, Contract.Check(files, current, uses).ToEquatableArray());
            }

            context.AddSource(Emitter.ContractHintName, Emitter.EmitContract(Contract.Write(current)));
        });
    }

    private static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.Get(diagnostic.Id),
                diagnostic.Location?.ToLocation(),
                diagnostic.Arguments.Cast<object>().ToArray()));
        }
    }
}
