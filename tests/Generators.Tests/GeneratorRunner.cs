using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Switchboard.Generators.Tests;

/// <summary>Runs <see cref="MessageGenerator"/> over source text, as the compiler would.</summary>
internal static class GeneratorRunner
{
    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Preview);

    private static readonly ImmutableArray<MetadataReference> References = CreateReferences();

    public static CSharpCompilation Compile(params string[] sources) => CSharpCompilation.Create(
        "Tests.Messages",
        sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Input{i}.cs")),
        References,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(params AdditionalText[] additionalTexts) => CreateDriver(additionalTexts, new Dictionary<string, string>());

    /// <summary>A driver with additional files and build properties (as <c>build_property.Name</c> keys).</summary>
    public static GeneratorDriver CreateDriver(AdditionalText[] additionalTexts, Dictionary<string, string> buildProperties) => CSharpGeneratorDriver.Create(
        [new MessageGenerator().AsSourceGenerator()],
        additionalTexts,
        ParseOptions,
        new OptionsProvider(buildProperties),
        new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator with <paramref name="baseline"/> as the project's contract baseline file.</summary>
    public static (GeneratorDriverRunResult Result, ImmutableArray<Diagnostic> CompilationDiagnostics) RunWithBaseline(string baseline, params string[] sources) =>
        RunWithBaseline(baseline, new Dictionary<string, string>(), sources);

    /// <summary>Runs the generator with <paramref name="baseline"/> as the project's contract baseline file and the given build properties.</summary>
    public static (GeneratorDriverRunResult Result, ImmutableArray<Diagnostic> CompilationDiagnostics) RunWithBaseline(
        string baseline, Dictionary<string, string> buildProperties, params string[] sources)
    {
        var driver = CreateDriver([new TextFile("/project/Switchboard.Contract.Shipped.txt", baseline)], buildProperties)
            .RunGeneratorsAndUpdateCompilation(Compile(sources), out var output, out _);
        var diagnostics = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();
        return (driver.GetRunResult(), diagnostics);
    }

    /// <summary>Runs the generator; returns its result and the diagnostics of the compilation with the generated code.</summary>
    public static (GeneratorDriverRunResult Result, ImmutableArray<Diagnostic> CompilationDiagnostics) Run(params string[] sources)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(Compile(sources), out var output, out _);
        var diagnostics = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();
        return (driver.GetRunResult(), diagnostics);
    }

    /// <summary>The generated files, in hint-name order, as one text for a snapshot.</summary>
    public static string Sources(GeneratorDriverRunResult result)
    {
        var text = new StringBuilder();
        foreach (var source in result.Results.SelectMany(r => r.GeneratedSources).OrderBy(s => s.HintName, StringComparer.Ordinal))
        {
            text.Append("// ---------- ").Append(source.HintName).Append(" ----------\n");
            text.Append(source.SourceText.ToString().ReplaceLineEndings("\n"));
            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Diagnostics as <c>SWB001 (3,22)-(3,27): message</c> followed by the text they point at.</summary>
    public static string Describe(IEnumerable<Diagnostic> diagnostics)
    {
        var text = new StringBuilder();
        foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal))
        {
            var span = diagnostic.Location.GetLineSpan();
            text.Append($"{diagnostic.Id} {diagnostic.Severity} {span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})-({span.EndLinePosition.Line + 1},{span.EndLinePosition.Character + 1}): ");
            text.Append(diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            if (diagnostic.Location.IsInSource)
            {
                text.Append("    at: ").Append(diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan).ReplaceLineEndings(" ")).Append('\n');
            }
        }

        return text.ToString();
    }

    private static ImmutableArray<MetadataReference> CreateReferences()
    {
        string platform = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        return
        [
            .. platform.Split(Path.PathSeparator).Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
                .Select(p => MetadataReference.CreateFromFile(p)),
            MetadataReference.CreateFromFile(typeof(MessageAttribute).Assembly.Location),
        ];
    }
}

/// <summary>An additional file given to the compilation, as a project's AdditionalFiles item would be.</summary>
internal sealed class TextFile(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public override Microsoft.CodeAnalysis.Text.SourceText GetText(CancellationToken cancellationToken = default) =>
        Microsoft.CodeAnalysis.Text.SourceText.From(text);
}

/// <summary>Build properties as the compiler shows them to generators; nothing per file.</summary>
internal sealed class OptionsProvider(Dictionary<string, string> buildProperties) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptionsProvider
{
    private static readonly Options None = new(new Dictionary<string, string>());

    public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GlobalOptions { get; } =
        new Options(buildProperties.ToDictionary(p => "build_property." + p.Key, p => p.Value));

    public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(SyntaxTree tree) => None;

    public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(AdditionalText textFile) => None;

    private sealed class Options(Dictionary<string, string> values) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}
