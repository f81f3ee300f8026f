using Switchboard.Generators.Model;
using Xunit;

namespace Switchboard.Generators.Tests;

/// <summary>The emitter alone, from hand-made specs: a pure function of its input.</summary>
public sealed class EmitterSnapshotTests
{
    private static readonly ValueSpec StringValue = new(ValueKind.String, "string", IsReferenceType: true, AllowsNull: false, null, null);
    private static readonly ValueSpec IntValue = new(ValueKind.Int32, "int", IsReferenceType: false, AllowsNull: false, null, null);

    [Fact]
    public void Message_with_every_read_mode_and_write_condition()
    {
        var tags = new ValueSpec(ValueKind.List, "global::System.Collections.Generic.List<string?>", true, true, StringValue with { AllowsNull = true }, null);
        var color = new ValueSpec(ValueKind.Enum, "global::Demo.Color", false, false, null, "Color");
        var root = new ObjectSpec("Note", "global::Demo.Note", "Demo.Note", IsValueType: false, A<PropertySpec>(
            new("Text", "text", StringValue, Required: true, ReadMode.Constructor, 0, null, "global::Demo.Note", WriteCondition.Always),
            new("Count", "count", IntValue, Required: false, ReadMode.Constructor, 1, "42", "global::Demo.Note", WriteCondition.WhenWritingDefault),
            new("Owner", "owner", StringValue, Required: true, ReadMode.Initializer, -1, null, "global::Demo.Note", WriteCondition.Always),
            new("Tags", "tags", tags, Required: false, ReadMode.Setter, -1, null, "global::Demo.Note", WriteCondition.WhenWritingNull),
            new("Color", "colour", color, Required: false, ReadMode.InitAccessor, -1, null, "global::Demo.Note", WriteCondition.Always),
            new("Length", "length", IntValue, Required: false, ReadMode.None, -1, null, "global::Demo.Note", WriteCondition.Always)),
            ConstructorParameterCount: 2);
        var message = new MessageSpec("demo.note", "Demo", A(new ContainingTypeSpec("class", "Outer")), "record", "Note",
            A(root), A(new EnumSpec("Color", "global::Demo.Color", "Demo.Color", ValueKind.Int32, IsFlags: false, A(new EnumMemberSpec("Red", 0), new EnumMemberSpec("dark-blue", 1)))));

        Assert.Equal("Demo.Outer.Note.g.cs", message.HintName);
        Snapshot.Verify(MessageGenerator.Emitter.EmitMessage(message));
    }

    [Fact]
    public void Struct_with_nullable_and_dictionary_values()
    {
        var nullableInt = new ValueSpec(ValueKind.Nullable, "int?", false, true, IntValue, null);
        var map = new ValueSpec(ValueKind.Dictionary, "global::System.Collections.Generic.Dictionary<string, int?>", true, false, nullableInt, null);
        var point = new ObjectSpec("Point", "global::Point", "Point", IsValueType: true,
            A(new PropertySpec("X", "x", IntValue, false, ReadMode.InitAccessor, -1, null, "global::Point", WriteCondition.Always)), 0);
        var pointValue = new ValueSpec(ValueKind.Object, "global::Point", false, false, null, "Point");
        var root = new ObjectSpec("Shape", "global::Shape", "Shape", false, A<PropertySpec>(
            new("Scores", "scores", map, true, ReadMode.Constructor, 0, null, "global::Shape", WriteCondition.Always),
            new("Origin", "origin", new ValueSpec(ValueKind.Nullable, "global::Point?", false, true, pointValue, null), false, ReadMode.Constructor, 1, null, "global::Shape", WriteCondition.Always),
            new("Points", "points", new ValueSpec(ValueKind.ImmutableArray, "global::System.Collections.Immutable.ImmutableArray<global::Point>", false, false, pointValue, null), true, ReadMode.Constructor, 2, null, "global::Shape", WriteCondition.Always)),
            3);
        var message = new MessageSpec("shape", null, default, "class", "Shape", A(root, point), default);

        Snapshot.Verify(MessageGenerator.Emitter.EmitMessage(message));
    }

    [Fact]
    public void Catalog_shares_nested_shapes_and_keeps_the_given_order()
    {
        var user = new ObjectSpec("User", "global::Demo.User", "Demo.User", false,
            A(new PropertySpec("Name", "name", StringValue, true, ReadMode.Constructor, 0, null, "global::Demo.User", WriteCondition.Always)), 1);
        var userValue = new ValueSpec(ValueKind.Object, "global::Demo.User", true, true, null, "User");
        MessageSpec Message(string wire, string name) => new(wire, "Demo", default, "record", name,
            A(
                new ObjectSpec(name, "global::Demo." + name, "Demo." + name, false,
                    A(new PropertySpec("User", "user", userValue, false, ReadMode.Constructor, 0, null, "global::Demo." + name, WriteCondition.Always)), 1),
                user),
            default);

        var catalog = new CatalogSpec("My_App", A(Message("user.joined", "Joined"), Message("user.left", "Left")));
        Snapshot.Verify(MessageGenerator.Emitter.EmitCatalog(catalog));
    }

    [Fact]
    public void Emitting_twice_gives_the_same_text()
    {
        var root = new ObjectSpec("Ping", "global::Ping", "Ping", false, default, 0);
        var message = new MessageSpec("ping", null, default, "record", "Ping", A(root), default);
        Assert.Equal(MessageGenerator.Emitter.EmitMessage(message), MessageGenerator.Emitter.EmitMessage(message with { }));
        Assert.Equal(message, message with { Objects = A(root with { }) });
    }

    private static EquatableArray<T> A<T>(params T[] items)
        where T : IEquatable<T> => new(items);
}
