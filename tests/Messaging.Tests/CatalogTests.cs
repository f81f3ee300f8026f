using System.Text.Json;
using Switchboard.Serialization;
using Xunit;

namespace Switchboard.Messaging.Tests;

/// <summary>The generated per-assembly catalogue: wire name to type, and the shape of each message.</summary>
public sealed class CatalogTests
{
    private static readonly MessageCatalog Catalog = SwitchboardMessages.Catalog;

    [Fact]
    public void Lists_every_message_of_the_assembly_ordered_by_wire_name()
    {
        Assert.Equal(
            ["test.address", "test.collections", "test.dates", "test.defaults", "test.derived", "test.empty", "test.global", "test.members", "test.nested-in-class", "test.nullables", "test.odd-names", "test.primitives", "test.required", "test.sparse"],
            Catalog.Messages.Select(m => m.Type));
        Assert.Same(Catalog, SwitchboardMessages.Catalog);
    }

    [Fact]
    public void Maps_wire_names_to_types_and_back()
    {
        Assert.True(Catalog.TryGet("test.nested-in-class", out var inner));
        Assert.Equal(typeof(Outer.Inner), inner.ClrType);
        Assert.Equal(Outer.Inner.MessageType, inner.Type);
        Assert.True(Catalog.TryGet(typeof(GlobalMessage), out var global));
        Assert.Equal("test.global", global.Type);
        Assert.False(Catalog.TryGet("test.unknown", out _));
        Assert.False(Catalog.Contains("TEST.ADDRESS"));
    }

    [Fact]
    public void Describes_fields_with_json_names_shapes_and_requiredness()
    {
        Assert.True(Catalog.TryGet("test.nullables", out var nullables));
        Assert.Equal(
            ["count: int32?", "name: string?", "id: guid?", "mood: Switchboard.Messaging.Tests.Mood?", "at: datetimeoffset?", "duration: timespan?",
             "letter: char?", "home: Switchboard.Messaging.Tests.Address?", "scores: array<int32?>?", "blob: base64?"],
            nullables.Fields.Select(f => f.ToString()));

        Assert.True(Catalog.TryGet("test.members", out var members));
        Assert.Equal(
            ["first: int32", "title: string (required)", "count: int32", "tag: string", "renamed_value: int64", "optional: string?", "computed: string", "where: Switchboard.Messaging.Tests.Point"],
            members.Fields.Select(f => f.ToString()));
        var where = members.Fields[^1].Shape;
        Assert.Equal(ShapeKind.Object, where.Kind);
        Assert.Equal(["x", "y"], where.Fields.Select(f => f.Name));

        Assert.True(Catalog.TryGet("test.primitives", out var primitives));
        var permissions = primitives.Fields.Single(f => f.Name == "permissions").Shape;
        Assert.Equal(ShapeKind.Enum, permissions.Kind);
        Assert.True(permissions.IsFlags);
        Assert.Equal(["None", "Read", "Write", "Admin"], permissions.EnumMembers);
        Assert.Equal(["Calm", "Happy", "so-so"], primitives.Fields.Single(f => f.Name == "mood").Shape.EnumMembers);
        Assert.All(primitives.Fields, f => Assert.True(f.Required));

        Assert.True(Catalog.TryGet("test.collections", out var collections));
        Assert.Equal("map<string, array<Switchboard.Messaging.Tests.Address?>>", collections.Fields.Single(f => f.Name == "nested").Shape.ToString());

        Assert.True(Catalog.TryGet("test.defaults", out var defaults));
        Assert.Equal(["name: string (required)", "count: int32", "mood: Switchboard.Messaging.Tests.Mood", "note: string"], defaults.Fields.Select(f => f.ToString()));
    }

    [Fact]
    public void Describes_the_protocol_as_json_and_markdown()
    {
        using var description = JsonDocument.Parse(Catalog.DescribeJson());
        var messages = description.RootElement.GetProperty("messages");
        Assert.Equal(Catalog.Messages.Count, messages.GetArrayLength());
        var address = messages[0];
        Assert.Equal("test.address", address.GetProperty("type").GetString());
        Assert.Equal("Switchboard.Messaging.Tests.Primitive", address.GetProperty("clrType").GetString());
        Assert.Equal("object", address.GetProperty("data").GetProperty("kind").GetString());
        var note = address.GetProperty("data").GetProperty("fields")[2];
        Assert.Equal("note", note.GetProperty("name").GetString());
        Assert.False(note.GetProperty("required").GetBoolean());
        Assert.Equal("nullable", note.GetProperty("shape").GetProperty("kind").GetString());
        Assert.Equal("string", note.GetProperty("shape").GetProperty("element").GetProperty("kind").GetString());

        string markdown = Catalog.ToMarkdown();
        Assert.Contains("| `test.address` | `Switchboard.Messaging.Tests.Primitive` |", markdown, StringComparison.Ordinal);
        Assert.Contains("| `street` | `string` | yes |", markdown, StringComparison.Ordinal);
        Assert.Contains("### `Switchboard.Messaging.Tests.Mood`", markdown, StringComparison.Ordinal);
        Assert.Contains("Flags enum, written as a comma-separated list of: `None`, `Read`, `Write`, `Admin`", markdown, StringComparison.Ordinal);
        Assert.Contains("## `test.empty`\n\nNo fields: `{}`.", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalogs_combine_and_reject_duplicate_wire_names()
    {
        var extra = new MessageCatalog([new MessageDescriptor("other.thing", typeof(string), ShapeDescriptor.Object("System.String", []))]);
        var combined = MessageCatalog.Combine(Catalog, extra);
        Assert.Equal(Catalog.Messages.Count + 1, combined.Messages.Count);
        Assert.True(combined.Contains("other.thing"));
        Assert.Throws<ArgumentException>(() => MessageCatalog.Combine(Catalog, Catalog));
        Assert.Empty(MessageCatalog.Empty.Messages);
    }

    [Fact]
    public void Get_returns_a_catalogued_message_and_names_a_missing_one()
    {
        Assert.Equal("test.empty", Catalog.Get<Empty>().Type);
        Assert.Same(Catalog.Messages.Single(m => m.Type == "test.address"), Catalog.Get<Primitive>());

        var missing = Assert.Throws<InvalidOperationException>(() => MessageCatalog.Empty.Get<Empty>());
        Assert.Contains("Switchboard.Messaging.Tests.Empty (wire name 'test.empty') is not in the message catalogue", missing.Message, StringComparison.Ordinal);

        // Another type under the same wire name is a different message: T is still missing, and the clash is named.
        var impostor = new MessageCatalog([new MessageDescriptor("test.empty", typeof(string), ShapeDescriptor.Object("System.String", []))]);
        var clash = Assert.Throws<InvalidOperationException>(() => impostor.Get<Empty>());
        Assert.Contains("its wire name belongs to System.String there", clash.Message, StringComparison.Ordinal);
    }
}
