using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Switchboard.Generators.Tests;

/// <summary>
/// The contract baseline (Switchboard.Contract.Shipped.txt): the text the generator writes, and the compatibility
/// diagnostics SWB022 to SWB032 when messages change against it. Each test edits <see cref="Shipped"/> and snapshots
/// every diagnostic the generator reports.
/// </summary>
public sealed class ContractTests
{
    private const string Shipped = """
        using System;
        using System.Collections.Generic;
        using Switchboard;
        namespace Chat;
        public enum Mood { Calm, Happy }
        public sealed record Author(string Name, Mood Mood, string? Nick = null);
        [Message("chat.send")]
        public partial record SendChat(string Text, Author Author, List<string>? Tags = null, int Priority = 0);
        [Message("chat.history"), RequestErrors(typeof(HistoryDenied))]
        public partial record GetHistory(long? Before, int Limit) : IRequest<HistoryPage>;
        [Message("chat.history.page")]
        public partial record HistoryPage(IReadOnlyList<Author> Authors, bool More);
        [Message("chat.history.denied")]
        public partial record HistoryDenied(string Reason) : IRequestError;
        [Message("chat.ping")]
        public partial class Ping { public long Sent { get; set; } }
        """;

    [Fact]
    public void Baseline_text_lists_every_message_and_field()
    {
        string baseline = BaselineOf(Shipped);
        Snapshot.Verify(baseline);
    }

    [Fact]
    public void Unchanged_messages_report_nothing()
    {
        var (result, compilation) = GeneratorRunner.RunWithBaseline(BaselineOf(Shipped), Shipped);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(compilation);
    }

    [Fact]
    public void Compatible_changes_report_nothing() => VerifyContract(
        Shipped
            // A new optional field: nullable, or with a default value, at the top and nested.
            .Replace("int Priority = 0)", "int Priority = 0, string? Room = null, int Weight = 0)")
            .Replace("string? Nick = null)", "string? Nick = null, string? Avatar = null)")
            // A required field may become optional; renaming a CLR type or property keeps the wire as it was.
            .Replace("(long? Before, int Limit)", "(long? Before, [property: System.Text.Json.Serialization.JsonPropertyName(\"limit\")] int PageSize = 50)")
            .Replace("public partial class Ping", "public partial class Heartbeat")
            // A new collection type with the same wire form.
            .Replace("IReadOnlyList<Author> Authors", "Author[] Authors"));

    [Fact]
    public void SWB022_message_removed_or_wire_name_changed() => VerifyContract(
        Shipped
            .Replace("[Message(\"chat.ping\")]", "[Message(\"chat.heartbeat\")]")
            .Replace("[Message(\"chat.history.denied\")]\n", string.Empty)
            .Replace("[Message(\"chat.history\"), RequestErrors(typeof(HistoryDenied))]", "[Message(\"chat.history\")]")
            .Replace(" : IRequestError", string.Empty)
            .Replace("public partial record HistoryDenied", "public sealed record HistoryDenied"),
        "SWB022 SWB029 SWB031");

    [Fact]
    public void SWB023_kind_changed() => VerifyContract(
        Shipped.Replace("public partial class Ping", "public partial class Ping : IRequestError"),
        "SWB023");

    [Fact]
    public void SWB024_response_type_changed() => VerifyContract(
        Shipped.Replace("IRequest<HistoryPage>", "IRequest<Ping>"),
        "SWB024");

    [Fact]
    public void SWB025_field_removed_or_renamed() => VerifyContract(
        Shipped
            .Replace("(string Text, Author Author,", "(string Body, Author Author,")
            .Replace("Mood Mood, string? Nick = null)", "Mood Mood)")
            .Replace("public long Sent { get; set; }", "[System.Text.Json.Serialization.JsonPropertyName(\"sentAt\")] public long Sent { get; set; }"),
        "SWB025 SWB027");

    [Fact]
    public void SWB026_field_wire_type_changed() => VerifyContract(
        Shipped
            .Replace("(long? Before, int Limit)", "(string? Before, long Limit)")
            .Replace("public enum Mood { Calm, Happy }", "public enum Mood { Calm, Happy, Sad }")
            .Replace("List<string>? Tags = null", "Dictionary<string, string>? Tags = null")
            .Replace("bool More", "bool? More")
            .Replace("Author Author,", "string Author,"),
        "SWB026");

    [Fact]
    public void SWB027_new_required_field() => VerifyContract(
        Shipped
            .Replace("int Priority = 0)", "int Priority = 0, string Room = \"lobby\")")
            .Replace("(long? Before, int Limit)", "(long? Before, int Limit, string Room)")
            .Replace("Mood Mood, string? Nick = null)", "Mood Mood, string Id, string? Nick = null)")
            .Replace("public long Sent { get; set; }", "public long Sent { get; set; } public required string Origin { get; init; }"),
        "SWB027");

    [Fact]
    public void SWB028_optional_field_became_required() => VerifyContract(
        Shipped
            .Replace("List<string>? Tags = null, int Priority = 0)", "List<string>? Tags, int Priority)")
            .Replace("long? Before", "long Before"),
        "SWB026 SWB028");

    [Fact]
    public void SWB029_new_message_missing_from_the_baseline() => VerifyContract(
        Shipped + """

            [Message("chat.typing")]
            public partial record Typing(string User, bool? Active = null);
            """,
        "SWB029");

    [Fact]
    public void SWB030_malformed_baseline_line()
    {
        string baseline = BaselineOf(Shipped) + """
            # a comment is skipped, and so is an empty line

            chat.send field text string
            Chat.Send message Chat.SendChat
            chat.typing message
            chat.other widget Chat.Other
            chat.orphan field user string required
            chat.history request Chat.GetHistory answer chat.history.page
            chat.ping message Chat.Ping
            chat.send field "text string required
            chat.send field text string required
            """;
        var (result, _) = GeneratorRunner.RunWithBaseline(baseline, Shipped);
        Assert.All(result.Diagnostics, d => Assert.Equal("SWB030", d.Id));
        Assert.All(result.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Snapshot.Verify(GeneratorRunner.Describe(result.Diagnostics));
    }

    [Fact]
    public void SWB031_request_error_removed() => VerifyContract(
        Shipped.Replace("[Message(\"chat.history\"), RequestErrors(typeof(HistoryDenied))]", "[Message(\"chat.history\")]"),
        "SWB031");

    [Fact]
    public void SWB032_request_error_added() => VerifyContract(
        Shipped.Replace("RequestErrors(typeof(HistoryDenied))", "RequestErrors(typeof(HistoryDenied), typeof(HistoryBusy))") + """

            [Message("chat.history.busy")]
            public partial record HistoryBusy(int RetryAfterSeconds) : IRequestError;
            """,
        "SWB029 SWB032");

    [Fact]
    public void Request_errors_listed_in_another_order_report_nothing()
    {
        string twoErrors = Shipped.Replace("RequestErrors(typeof(HistoryDenied))", "RequestErrors(typeof(HistoryDenied), typeof(HistoryBusy))") + """

            [Message("chat.history.busy")]
            public partial record HistoryBusy(int RetryAfterSeconds) : IRequestError;
            """;
        string reordered = twoErrors.Replace("RequestErrors(typeof(HistoryDenied), typeof(HistoryBusy))", "RequestErrors(typeof(HistoryBusy), typeof(HistoryDenied))");

        var (result, compilation) = GeneratorRunner.RunWithBaseline(BaselineOf(twoErrors), reordered);

        Assert.Contains("errors chat.history.denied,chat.history.busy", BaselineOf(twoErrors), StringComparison.Ordinal);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(compilation);
    }

    [Fact]
    public void While_the_baseline_is_rewritten_every_change_is_accepted()
    {
        string changed = Shipped.Replace("string Text", "int Body").Replace("[Message(\"chat.ping\")]", "[Message(\"chat.heartbeat\")]");
        var (result, _) = GeneratorRunner.RunWithBaseline(BaselineOf(Shipped), new Dictionary<string, string> { ["SwitchboardUpdateContract"] = "true" }, changed);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(BaselineOf(changed), ContractText(result));
    }

    [Fact]
    public void A_baseline_listed_twice_is_read_once()
    {
        var compilation = GeneratorRunner.Compile(Shipped);
        var baseline = BaselineOf(Shipped);
        var driver = GeneratorRunner.CreateDriver(
            new TextFile("/project/Switchboard.Contract.Shipped.txt", baseline),
            new TextFile("/project/Switchboard.Contract.Shipped.txt", baseline),
            new TextFile("/project/Other.txt", "not a contract"));
        Assert.Empty(driver.RunGenerators(compilation).GetRunResult().Diagnostics);
    }

    [Fact]
    public void Names_with_spaces_or_comment_characters_are_quoted_and_read_back()
    {
        const string Source = """
            using System.Text.Json.Serialization;
            using Switchboard;
            namespace Chat;
            [Message("chat.odd")]
            public partial record Odd([property: JsonPropertyName("sent at")] long SentAt, [property: JsonPropertyName("a*/b;c")] string Path);
            """;
        string baseline = BaselineOf(Source);
        Assert.Contains("chat.odd field \"sent at\" int64 required", baseline, StringComparison.Ordinal);
        Assert.Contains("chat.odd field \"a\\u002a\\u002fb\\u003bc\" string required", baseline, StringComparison.Ordinal);
        var (result, _) = GeneratorRunner.RunWithBaseline(baseline, Source);
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void Contract_source_holds_the_text_in_a_comment()
    {
        var (result, compilation) = GeneratorRunner.RunWithBaseline(string.Empty, Shipped);
        Assert.Empty(compilation);
        Snapshot.Verify(result.Results.SelectMany(r => r.GeneratedSources).Single(s => s.HintName == "Switchboard.Contract.g.cs").SourceText.ToString());
    }

    [Fact]
    public void Unrelated_edit_leaves_the_check_cached()
    {
        var compilation = GeneratorRunner.Compile(Shipped, "namespace Chat; public static class Util { public static int Twice(int x) => 2 * x; }");
        var driver = GeneratorRunner.CreateDriver(new TextFile("/project/Switchboard.Contract.Shipped.txt", BaselineOf(Shipped))).RunGenerators(compilation);
        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Last(),
            Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("namespace Chat; public static class Util { public static int Thrice(int x) => 3 * x; }", GeneratorRunner.ParseOptions, path: "Input1.cs"));
        var second = driver.RunGenerators(edited).GetRunResult();

        var steps = second.Results[0].TrackedSteps;
        foreach (string name in new[] { TrackingNames.ContractBaseline, TrackingNames.Contract, TrackingNames.ContractUpdate })
        {
            Assert.All(steps[name].SelectMany(step => step.Outputs), output => Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step {name} was {output.Reason}"));
        }

        Assert.All(second.Results[0].TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(step => step.Outputs), output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void Without_a_baseline_nothing_is_checked_nor_written()
    {
        var (result, _) = GeneratorRunner.Run(Shipped.Replace("string Text", "string Body"));
        Assert.Empty(result.Diagnostics);
        Assert.DoesNotContain(result.Results.SelectMany(r => r.GeneratedSources), s => s.HintName == "Switchboard.Contract.g.cs");
    }

    /// <summary>The baseline of <paramref name="source"/>, as the generator writes it between the markers of its contract file.</summary>
    private static string BaselineOf(string source) => ContractText(GeneratorRunner.RunWithBaseline(string.Empty, source).Result);

    private static string ContractText(GeneratorDriverRunResult result)
    {
        string text = result.Results.SelectMany(r => r.GeneratedSources).Single(s => s.HintName == "Switchboard.Contract.g.cs").SourceText.ToString();
        int start = text.IndexOf("<<switchboard-contract\n", StringComparison.Ordinal) + "<<switchboard-contract\n".Length;
        int end = text.IndexOf("switchboard-contract>>", StringComparison.Ordinal);
        return text[start..end];
    }

    /// <summary>Checks <paramref name="source"/> against the baseline of <see cref="Shipped"/>; <paramref name="ids"/> are the diagnostics expected, space-separated.</summary>
    private static void VerifyContract(string source, string ids = "", [CallerMemberName] string test = "")
    {
        var (result, compilation) = GeneratorRunner.RunWithBaseline(BaselineOf(Shipped), source);
        Assert.Empty(compilation.Where(d => !d.Id.StartsWith("SWB", StringComparison.Ordinal)));
        Assert.Equal(ids.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal), result.Diagnostics.Select(d => d.Id).Distinct().Order(StringComparer.Ordinal));
        Assert.All(result.Diagnostics, d => Assert.Equal(d.Id == "SWB029" ? DiagnosticSeverity.Info : DiagnosticSeverity.Error, d.Severity));
        Snapshot.Verify(GeneratorRunner.Describe(result.Diagnostics), test: test);
    }
}
