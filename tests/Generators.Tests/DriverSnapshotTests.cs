using System.Runtime.CompilerServices;
using Xunit;

namespace Switchboard.Generators.Tests;

/// <summary>What the generator writes for representative inputs; every output compiles without a warning.</summary>
public sealed class DriverSnapshotTests
{
    [Fact]
    public void Every_supported_member_kind() => VerifyGenerated(["""
        using System;
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using System.Text.Json.Serialization;
        using Switchboard;

        namespace Chat;

        public enum Color { Red, Green, [JsonStringEnumMemberName("dark-blue")] Blue }

        [Flags]
        public enum Rights : byte { None = 0, Read = 1, Write = 2 }

        public enum Offset : long { Minus = -1, Zero = 0 }

        public sealed record Author(string Name, int? Age);

        public sealed class Tag
        {
            public string Label { get; set; } = "";
        }

        public struct Position
        {
            public double Lat { get; set; }
            public double Lon { get; set; }
        }

        [Message("chat.everything")]
        public partial record Everything(
            bool Flag, char Letter, byte U8, sbyte I8, short I16, ushort U16, int I32, uint U32, long I64, ulong U64,
            float F32, double F64, decimal Money, string Text, string? MaybeText, Guid Id, DateTime At, DateTimeOffset AtOffset,
            TimeSpan Duration, Color Color, Rights Rights, Offset Offset, int? MaybeCount, Color? MaybeColor, byte[] Blob,
            int[] Numbers, List<string?> Names, IReadOnlyList<Author> Authors, ImmutableArray<Tag> Tags,
            Dictionary<string, Position> Places, Dictionary<string, List<int?>>? Nested, Author? Editor, Position? Where);
        """]);

    [Fact]
    public void Json_attributes_and_member_kinds_of_a_class() => VerifyGenerated(["""
        using System.Text.Json.Serialization;
        using Switchboard;

        namespace Chat;

        [Message("room.settings")]
        public partial class RoomSettings
        {
            [JsonConstructor]
            public RoomSettings(string room, int capacity = 10)
            {
                Room = room;
                Capacity = capacity;
            }

            public RoomSettings()
                : this("default")
            {
            }

            public string Room { get; }

            public int Capacity { get; }

            public required string Owner { get; init; }

            public string Topic { get; init; } = "none";

            public bool Locked { get; set; }

            [JsonPropertyName("max_users")]
            public int MaxUsers { get; set; }

            [JsonIgnore]
            public string Secret { get; set; } = "";

            [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
            public string? Motd { get; set; }

            [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
            public int Priority { get; set; }

            [JsonPropertyOrder(-1)]
            public long Version { get; set; }

            public string Summary => Room + "/" + Owner;

            public int @event { get; set; }
        }
        """]);

    [Fact]
    public void Message_in_the_global_namespace() => VerifyGenerated(["""
        using Switchboard;

        [Message("ping")]
        public partial record Ping(long Sent);
        """]);

    [Fact]
    public void Message_declared_never_compressed_says_so_in_the_catalogue() => VerifyGenerated(["""
        using Switchboard;

        namespace Auth;

        [Message("auth.token", Compress = false)]
        public partial record Token(string Value);

        [Message("auth.hello", Compress = true)]
        public partial record Hello(string Name);
        """]);

    [Fact]
    public void Messages_nested_in_classes_and_records() => VerifyGenerated(["""
        using Switchboard;

        namespace Chat.Protocol;

        public static partial class Rooms
        {
            [Message("room.join")]
            public partial record Join(string Room);

            internal partial record struct Envelope
            {
                [Message("room.leave")]
                internal sealed partial class Leave
                {
                    public string Room { get; set; } = "";
                }
            }
        }
        """]);

    [Fact]
    public void Records_and_classes_sharing_nested_types_across_files() => VerifyGenerated(
        ["""
        using System.Collections.Generic;
        using Switchboard;

        namespace Chat;

        public sealed record User(string Name, Status Status);

        public enum Status { Online, Away }

        [Message("user.joined")]
        public sealed partial record UserJoined(User User, Status Previous);
        """,
        """
        using System.Collections.Generic;
        using Switchboard;

        namespace Chat;

        [Message("user.list")]
        public partial class UserList
        {
            public List<User> Users { get; set; } = new();
        }

        public record BaseEvent(string Source) { public long Sequence { get; init; } }

        [Message("audit.event")]
        public sealed partial record AuditEvent(string Source, string Action) : BaseEvent(Source);
        """]);

    [Fact]
    public void Code_declared_outside_a_nullable_context_compiles_without_warnings()
    {
        var (result, diagnostics) = GeneratorRunner.Run("""
            #nullable disable
            using System.Collections.Generic;
            using Switchboard;
            namespace Legacy;
            public sealed class Item { public string Name { get; set; } }
            [Message("legacy.message")]
            public partial class LegacyMessage
            {
                public string Text { get; set; }
                public List<string> Names { get; set; }
                public Dictionary<string, Item> Items { get; set; }
                public int[] Numbers { get; set; }
            }
            """);
        Assert.Empty(result.Diagnostics);
        Assert.True(diagnostics.IsEmpty, GeneratorRunner.Describe(diagnostics));
    }

    [Fact]
    public void Message_deriving_from_a_message_hides_the_inherited_members()
    {
        var (result, diagnostics) = GeneratorRunner.Run("""
            using System.Text.Json;
            using Switchboard;
            namespace Chat;
            [Message("chat.base")]
            public partial record BaseMessage(string Text);
            [Message("chat.derived")]
            public sealed partial record DerivedMessage(string Text, int Count) : BaseMessage(Text);
            public class Plain
            {
                public static string MessageType => "plain";
                public static void Read(ref Utf8JsonReader reader) { }
                public int Write;
            }
            [Message("chat.plain")]
            public partial class FromPlain : Plain { public int X { get; set; } }
            """);
        Assert.Empty(result.Diagnostics);
        Assert.True(diagnostics.IsEmpty, GeneratorRunner.Describe(diagnostics));
        string derived = result.Results[0].GeneratedSources.Single(s => s.HintName == "Chat.DerivedMessage.g.cs").SourceText.ToString();
        Assert.Contains("public static new string MessageType", derived, StringComparison.Ordinal);
        Assert.Contains("public static new global::Chat.DerivedMessage Read(", derived, StringComparison.Ordinal);
        Assert.Contains("public static void Write(", derived, StringComparison.Ordinal);
        string plain = result.Results[0].GeneratedSources.Single(s => s.HintName == "Chat.FromPlain.g.cs").SourceText.ToString();
        Assert.Contains("public static new void Write(", plain, StringComparison.Ordinal);
        Assert.Contains("public static new void Write(ref global::Switchboard.Serialization.CompactJsonWriter", plain, StringComparison.Ordinal);
        Assert.Contains("public static void Write(ref global::Switchboard.Serialization.CompactJsonWriter", derived, StringComparison.Ordinal);
    }

    [Fact]
    public void Members_named_like_generated_ones_with_other_signatures_compile()
    {
        var (result, diagnostics) = GeneratorRunner.Run("""
            using System.Text.Json;
            using Switchboard;
            namespace Chat;
            [Message("chat.overloads")]
            public partial record Overloads(string Type, int Value)
            {
                public void Write(int value) { }
                public static void Write(Utf8JsonWriter writer, in Overloads value) { }
                public static void Write<T>(Utf8JsonWriter writer, Overloads value) { }
                public static Overloads Read(Utf8JsonReader reader) => new("", 0);
                static string IMessage<Overloads>.MessageType => "chat.overloads";
            }
            """);
        Assert.Empty(result.Diagnostics);
        Assert.True(diagnostics.IsEmpty, GeneratorRunner.Describe(diagnostics));
    }

    [Fact]
    public void Obsolete_members_and_types_compile_without_warnings()
    {
        var (result, diagnostics) = GeneratorRunner.Run("""
            using System;
            using Switchboard;
            namespace Chat;
            [Obsolete("old")] public sealed record Inner(int X);
            [Obsolete("old")] public enum Mood { Calm }
            [Obsolete("old")]
            [Message("chat.old")]
            public partial class Old
            {
                [Obsolete("use New")] public Old() { }
                [Obsolete] public int Count { get; set; }
                [Obsolete("old")] public Inner? Inner { get; init; }
                [Obsolete("old")] public Mood Mood { get; set; }
            }
            """);
        Assert.Empty(result.Diagnostics);
        Assert.True(diagnostics.IsEmpty, GeneratorRunner.Describe(diagnostics));
    }

    [Fact]
    public void Hint_names_stay_valid_and_distinct()
    {
        var (result, diagnostics) = GeneratorRunner.Run("""
            using Switchboard;
            namespace @event.@class
            {
                [Message("keyword.namespace")]
                public partial record Ping(int X);
            }
            namespace Chat
            {
                [Message("chat.upper")]
                public partial record Ping(int X);
                [Message("chat.lower")]
                public partial record ping(int X);
            }
            namespace chat
            {
                [Message("chat.other")]
                public partial record Ping(int X);
            }
            """);
        Assert.Empty(result.Diagnostics);
        Assert.True(diagnostics.IsEmpty, GeneratorRunner.Describe(diagnostics));
        Assert.Equal(
            ["Chat.Ping.1.g.cs", "Chat.ping.2.g.cs", "SwitchboardMessages.g.cs", "chat.Ping.3.g.cs", "event.class.Ping.g.cs"],
            result.Results[0].GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Message_attribute_on_two_parts_leaves_only_the_compiler_error()
    {
        var (result, diagnostics) = GeneratorRunner.Run("""
            using Switchboard;
            namespace Chat;
            [Message("chat.one")]
            public partial record Twice(int X);
            [Message("chat.two")]
            public partial record Twice;
            """);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(["CS0579"], diagnostics.Select(d => d.Id));
    }

    [Fact]
    public void Output_does_not_depend_on_the_order_of_files()
    {
        string first = """
            using Switchboard;
            namespace Chat;
            [Message("b.second")]
            public partial record Second(int Value);
            """;
        string second = """
            using Switchboard;
            namespace Chat;
            [Message("a.first")]
            public partial record First(string Value);
            """;
        Assert.Equal(GeneratorRunner.Sources(GeneratorRunner.Run(first, second).Result), GeneratorRunner.Sources(GeneratorRunner.Run(second, first).Result));
    }

    [Fact]
    public void Request_with_its_response_and_errors() => VerifyGenerated(["""
        using Switchboard;

        namespace Chat;

        [Message("chat.history"), RequestErrors(typeof(HistoryDenied), typeof(HistoryGone))]
        public partial record HistoryRequest(long Before, int Limit) : IRequest<HistoryPage>;

        [Message("chat.ping")]
        public partial class Ping : IRequest<Pong>
        {
            public int Seq { get; set; }
        }

        [Message("chat.history.page")]
        public partial record HistoryPage(string[] Lines, long First);

        [Message("chat.pong")]
        public partial record Pong(int Seq);

        [Message("chat.history.denied")]
        public partial record HistoryDenied(string Reason) : IRequestError;

        [Message("chat.history.gone")]
        public partial record HistoryGone : IRequestError;
        """]);

    private static void VerifyGenerated(string[] sources, [CallerMemberName] string test = "")
    {
        var (result, compilationDiagnostics) = GeneratorRunner.Run(sources);
        Assert.Empty(result.Diagnostics);
        Assert.True(compilationDiagnostics.IsEmpty, GeneratorRunner.Describe(compilationDiagnostics));
        Snapshot.Verify(GeneratorRunner.Sources(result), test: test);
    }
}
