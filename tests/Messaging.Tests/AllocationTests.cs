using System.Buffers;
using System.Collections.Immutable;
using System.Text.Json;
using Xunit;

namespace Switchboard.Messaging.Tests;

/// <summary>
/// Writing a message allocates nothing: no boxing, no strings, no enumerators. (A property whose getter
/// allocates, like <see cref="Members.Computed"/>, is the application's own cost.)
/// </summary>
public sealed class AllocationTests
{
    [Fact]
    public void Writing_messages_allocates_nothing()
    {
        var primitives = new Primitives(
            true, 'x', 7, -7, 300, 600, 70000, 70000, 1L << 40, 1UL << 63, 0.5f, 1.5, 2.25m, "text \"quoted\" <b>",
            Guid.NewGuid(), DateTime.UtcNow, DateTimeOffset.Now, TimeSpan.FromMinutes(-90), Mood.SoSo,
            Permissions.Read | Permissions.Admin, (Level)42);
        var collections = new Collections(
            [1, 2, 3], ["a", "b"], [new Address("s", 1, null)], ImmutableArray.Create(Mood.Calm, Mood.Happy),
            new() { ["k"] = 1 }, new() { ["n"] = [null, new Address("t", 2, "n")] }, [[1, 2], []], [1, 2, 3], [new Point { X = 1, Y = 2 }]);
        var nullables = new Nullables(1, null, Guid.Empty, Mood.Calm, null, TimeSpan.Zero, 'c', new Address("s", 1, "n"), [1, null], [9]);
        var inner = new Outer.Inner("v", new Outer.Child { Age = 3 });

        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using var writer = new Utf8JsonWriter(buffer);
        void WriteAll()
        {
            Envelope.Write(writer, primitives);
            writer.Reset();
            Envelope.Write(writer, collections, "id");
            writer.Reset();
            Envelope.Write(writer, nullables);
            writer.Reset();
            Envelope.Write(writer, inner);
            writer.Reset();
            buffer.ResetWrittenCount();
        }

        // Warm up: static fields, JIT, the array pool used by flags enums.
        for (int i = 0; i < 10; i++)
        {
            WriteAll();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            WriteAll();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
