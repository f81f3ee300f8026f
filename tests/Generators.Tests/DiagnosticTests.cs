using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Switchboard.Generators.Tests;

/// <summary>Every diagnostic, one test each, named after its id; the snapshot holds the id, the location and the message.</summary>
public sealed class DiagnosticTests
{
    [Fact]
    public void SWB001_message_type_not_partial() => VerifyDiagnostics("SWB001", """
        using Switchboard;
        namespace Chat;
        [Message("chat.send")]
        public record SendChat(string Text);
        """);

    [Fact]
    public void SWB002_duplicate_wire_name() => VerifyDiagnostics("SWB002", """
        using Switchboard;
        namespace Chat;
        [Message("chat.send")]
        public partial record SendChat(string Text);
        [Message("chat.send")]
        public partial record SendChatAgain(string Text);
        """);

    [Fact]
    public void SWB003_empty_or_invalid_wire_name() => VerifyDiagnostics("SWB003", """
        using Switchboard;
        namespace Chat;
        [Message("")]
        public partial record Empty(string Text);
        [Message("Chat.Send")]
        public partial record Upper(string Text);
        [Message("chat..send")]
        public partial record DoubleDot(string Text);
        [Message("chat.send.")]
        public partial record TrailingDot(string Text);
        [Message("1chat")]
        public partial record LeadingDigit(string Text);
        [Message("chat send")]
        public partial record Space(string Text);
        [Message(null!)]
        public partial record Null(string Text);
        """);

    [Fact]
    public void SWB004_unsupported_member_type() => VerifyDiagnostics("SWB004", """
        using System;
        using System.Collections.Generic;
        using Switchboard;
        namespace Chat;
        public interface IShape { }
        public sealed record Box<T>(T Value);
        public sealed record Inner(object Payload);
        [Message("chat.send")]
        public partial record SendChat(
            string Text,
            object Anything,
            HashSet<string> Tags,
            Dictionary<int, string> ByNumber,
            List<dynamic> Dynamics,
            IShape Shape,
            Uri Link,
            nint Handle,
            Int128 Big,
            int[,] Grid,
            Box<int> Boxed,
            Inner Inner);
        """);

    [Fact]
    public void SWB005_generic_message_type() => VerifyDiagnostics("SWB005", """
        using Switchboard;
        namespace Chat;
        [Message("chat.generic")]
        public partial record Generic<T>(string Text);
        public partial class Outer<T>
        {
            [Message("chat.nested")]
            public partial record Nested(string Text);
        }
        """);

    [Fact]
    public void SWB006_containing_type_not_partial() => VerifyDiagnostics("SWB006", """
        using Switchboard;
        namespace Chat;
        public static class Messages
        {
            [Message("chat.send")]
            public partial record SendChat(string Text);
        }
        """);

    [Fact]
    public void SWB007_abstract_message_type() => VerifyDiagnostics("SWB007", """
        using Switchboard;
        namespace Chat;
        [Message("chat.base")]
        public abstract partial record ChatBase(string Text);
        [Message("chat.static")]
        public static partial class Statics { }
        """);

    [Fact]
    public void SWB008_no_usable_constructor() => VerifyDiagnostics("SWB008", """
        using System.Text.Json.Serialization;
        using Switchboard;
        namespace Chat;
        [Message("chat.two")]
        public partial class TwoConstructors
        {
            public TwoConstructors(string a) { A = a; }
            public TwoConstructors(int b) { A = ""; }
            public string A { get; }
        }
        [Message("chat.unbound")]
        public partial class Unbound
        {
            public Unbound(string missing) { }
            public string Text { get; set; } = "";
        }
        [Message("chat.private")]
        public partial class PrivateOnly
        {
            private PrivateOnly() { }
        }
        public sealed class Nested
        {
            public Nested(int x, int y) { }
            public Nested(int x) { }
        }
        [Message("chat.nested")]
        public partial record HasNested(Nested Nested);
        [Message("chat.ignored")]
        public partial record IgnoredParameter([property: JsonIgnore] string Text);
        """);

    [Fact]
    public void SWB009_type_contains_itself() => VerifyDiagnostics("SWB009", """
        using System.Collections.Generic;
        using Switchboard;
        namespace Chat;
        public sealed record Node(string Name, List<Node> Children);
        [Message("chat.tree")]
        public partial record Tree(Node Root);
        [Message("chat.self")]
        public partial record Self(string Name, Self? Parent);
        """);

    [Fact]
    public void SWB010_duplicate_json_name() => VerifyDiagnostics("SWB010", """
        using System.Text.Json.Serialization;
        using Switchboard;
        namespace Chat;
        [Message("chat.clash")]
        public partial class Clash
        {
            public string Name { get; set; } = "";
            [JsonPropertyName("name")]
            public string Other { get; set; } = "";
        }
        """);

    [Fact]
    public void SWB011_unsupported_serialization_attribute() => VerifyDiagnostics("SWB011", """
        using System.Collections.Generic;
        using System.Text.Json;
        using System.Text.Json.Serialization;
        using Switchboard;
        namespace Chat;
        [Message("chat.attributes")]
        public partial class Attributes
        {
            [JsonConverter(typeof(JsonStringEnumConverter))]
            public int Number { get; set; }
            [JsonExtensionData]
            public Dictionary<string, string>? Extra { get; set; }
            [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
            public int Count { get; set; }
        }
        """);

    [Fact]
    public void SWB012_inaccessible_message_type() => VerifyDiagnostics("SWB012", """
        using Switchboard;
        namespace Chat;
        public partial class Outer
        {
            [Message("chat.hidden")]
            private partial record Hidden(string Text);
            [Message("chat.protected")]
            protected partial record Guarded(string Text);
        }
        """);

    [Fact]
    public void SWB013_file_local_message_type() => VerifyDiagnostics("SWB013", """
        using Switchboard;
        namespace Chat;
        [Message("chat.local")]
        file partial record Local(int X);
        file partial class Holder
        {
            [Message("chat.nested")]
            public partial record Nested(int X);
        }
        """);

    [Fact]
    public void SWB014_member_clashes_with_a_generated_member() => VerifyDiagnostics("SWB014", """
        using System.Text.Json;
        using Switchboard;
        namespace Chat;
        [Message("chat.positional")]
        public partial record Positional(string MessageType, int Write, int Read);
        [Message("chat.methods")]
        public partial class Methods
        {
            public static void Write(Utf8JsonWriter writer, Methods value) { }
            public Methods Read(in Utf8JsonReader reader) => this;
            public static string MessageType() => "";
            private sealed class __SwitchboardSerializer { }
            // Overloads with other parameters are fine.
            public void Write(int value) { }
            public static Methods Read(Utf8JsonReader reader) => new();
        }
        public class Base
        {
            public string MessageType { get; set; } = "";
        }
        [Message("chat.derived")]
        public partial class Derived : Base { }
        [Message("chat.write")]
        public partial record Write(int X);
        """);

    [Fact]
    public void SWB015_type_named_like_the_catalogue() => VerifyDiagnostics("SWB015", """
        using Switchboard;
        namespace Tests.Messages;
        [Message("chat.send")]
        public partial record SendChat(string Text);
        public static class SwitchboardMessages { }
        """);

    [Fact]
    public void SWB016_serialized_property_obsolete_as_an_error() => VerifyDiagnostics("SWB016", """
        using System;
        using System.Text.Json.Serialization;
        using Switchboard;
        namespace Chat;
        public sealed class Inner
        {
            [Obsolete("gone", true)]
            public int Old { get; set; }
        }
        [Message("chat.obsolete")]
        public partial class Obsolete
        {
            [Obsolete("use Name", error: true)]
            public string Title { get; set; } = "";
            [Obsolete("ignored, so fine", true)]
            [JsonIgnore]
            public string Hidden { get; set; } = "";
            [Obsolete("a warning is fine")]
            public string Warned { get; set; } = "";
            public Inner? Inner { get; set; }
        }
        """);

    [Fact]
    public void SWB017_response_type_not_a_message() => VerifyDiagnostics("SWB017", """
        using Switchboard;
        namespace Chat;
        public sealed record NotAMessage(int Count);
        [Message("chat.count")]
        public partial record Count : IRequest<NotAMessage>;
        [Message("chat.number")]
        public partial record Number : IRequest<int>;
        """);

    [Fact]
    public void SWB018_response_type_is_a_request_or_an_error() => VerifyDiagnostics("SWB018", """
        using Switchboard;
        namespace Chat;
        [Message("chat.result")]
        public partial record Result : IRequestError;
        [Message("chat.ask")]
        public partial record Ask : IRequest<Result>;
        [Message("chat.relay")]
        public partial record Relay : IRequest<Ask>;
        """);

    [Fact]
    public void SWB019_listed_error_not_a_declared_error() => VerifyDiagnostics("SWB019", """
        using Switchboard;
        namespace Chat;
        [Message("chat.reply")]
        public partial record Reply;
        [Message("chat.plain")]
        public partial record Plain;
        public sealed record Unmarked(string Reason) : IRequestError;
        [Message("chat.ask"), RequestErrors(typeof(Plain), typeof(Unmarked))]
        public partial record Ask : IRequest<Reply>;
        """);

    [Fact]
    public void SWB020_errors_listed_on_a_message_that_is_not_a_request() => VerifyDiagnostics("SWB020", """
        using Switchboard;
        namespace Chat;
        [Message("chat.denied")]
        public partial record Denied : IRequestError;
        [Message("chat.send"), RequestErrors(typeof(Denied))]
        public partial record Send(string Text);
        """);

    [Fact]
    public void SWB021_message_both_request_and_error() => VerifyDiagnostics("SWB021", """
        using Switchboard;
        namespace Chat;
        [Message("chat.reply")]
        public partial record Reply;
        [Message("chat.odd")]
        public partial record Odd : IRequest<Reply>, IRequestError;
        """);

    [Fact]
    public void Every_descriptor_has_a_test_and_a_release_entry()
    {
        var ids = typeof(DiagnosticTests).GetMethods().Select(m => m.Name).Where(n => n.StartsWith("SWB", StringComparison.Ordinal)).Select(n => n[..6]).ToHashSet();
        string releases = File.ReadAllText(Path.Combine(ProjectDirectory(), "..", "..", "src", "Generators", "AnalyzerReleases.Unshipped.md"));
        for (int i = 1; i <= 21; i++)
        {
            string id = $"SWB{i:000}";
            Assert.Contains(id, ids);
            Assert.Contains(id + " | Switchboard.Messages | Error", releases, StringComparison.Ordinal);
            Assert.Equal(id, DiagnosticDescriptors.Get(id).Id);
        }
    }

    private static string ProjectDirectory() =>
        Path.GetDirectoryName(typeof(DiagnosticTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "SnapshotDirectory").Value!)!;

    private static void VerifyDiagnostics(string id, string source, [CallerMemberName] string test = "")
    {
        var (result, _) = GeneratorRunner.Run(source);
        Assert.NotEmpty(result.Diagnostics);
        Assert.All(result.Diagnostics, d => Assert.Equal(id, d.Id));
        Assert.All(result.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Snapshot.Verify(GeneratorRunner.Describe(result.Diagnostics), test: test);
    }
}
