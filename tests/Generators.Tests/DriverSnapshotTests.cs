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

    private static void VerifyGenerated(string[] sources, [CallerMemberName] string test = "")
    {
        var (result, compilationDiagnostics) = GeneratorRunner.Run(sources);
        Assert.Empty(result.Diagnostics);
        Assert.True(compilationDiagnostics.IsEmpty, GeneratorRunner.Describe(compilationDiagnostics));
        Snapshot.Verify(GeneratorRunner.Sources(result), test: test);
    }
}
