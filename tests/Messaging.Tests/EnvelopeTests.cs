using System.Buffers;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Switchboard.Messaging.Tests;

/// <summary>The wire envelope {"type":...,"id":...,"data":{...}} (docs/protocol.md, "Messages (wire format v1)").</summary>
public sealed class EnvelopeTests
{
    [Fact]
    public void Writer_puts_type_first_then_id_then_data()
    {
        Assert.Equal("""{"type":"test.address","data":{"street":"Main","number":1,"note":null}}""", WriteEnvelope(new Primitive("Main", 1, null)));
        Assert.Equal("""{"type":"test.address","id":"r-7","data":{"street":"Main","number":1,"note":"x"}}""", WriteEnvelope(new Primitive("Main", 1, "x"), "r-7"));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Writers_with_other_options_write_the_same_envelope(bool relaxed, bool skipValidation)
    {
        var options = new JsonWriterOptions
        {
            Encoder = relaxed ? System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping : null,
            SkipValidation = skipValidation,
        };
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            writer.WriteStartArray();
            Envelope.Write(writer, new Primitive("Main", 1, null));
            Envelope.Write(writer, new Primitive("Main", 1, "x"), "r-7");
            writer.WriteEndArray();
        }

        Assert.Equal(
            """[{"type":"test.address","data":{"street":"Main","number":1,"note":null}},{"type":"test.address","id":"r-7","data":{"street":"Main","number":1,"note":"x"}}]""",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Theory]
    [InlineData("""{"type":"test.address","data":{"street":"Main","number":1}}""", null)]
    [InlineData("""{"data":{"street":"Main","number":1},"id":"42","type":"test.address"}""", "42")]
    [InlineData("""  {"id":null,"future":[1,{"x":2}],"data":{"number":1,"street":"Main"},"type":"test.address"}  """, null)]
    public void Reader_accepts_any_order_and_skips_unknown_properties(string json, string? id)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        Assert.True(Envelope.TryRead(utf8, out var header, out var error));
        Assert.Equal(EnvelopeError.None, error);
        Assert.Equal("test.address", header.Type);
        Assert.Equal(id, header.Id);
        Assert.Equal('{', (char)utf8[header.DataOffset]);
        Assert.Equal('}', (char)utf8[header.DataOffset + header.DataLength - 1]);
        Assert.Equal(new Primitive("Main", 1, null), Envelope.ReadData<Primitive>(utf8, header));
    }

    [Theory]
    [InlineData("""{"type":"chat.message","data":{"street":"Main","number":1},"group":"room","offset":17}""", "room", 17L)]
    [InlineData("""{"offset":9223372036854775807,"group":"r/é","type":"chat.message","data":{"street":"Main","number":1}}""", "r/é", long.MaxValue)]
    [InlineData("""{"type":"chat.message","data":{"street":"Main","number":1},"group":"only"}""", "only", null)]
    [InlineData("""{"type":"chat.message","data":{"street":"Main","number":1},"offset":1}""", null, 1L)]
    [InlineData("""{"type":"chat.message","data":{"street":"Main","number":1}}""", null, null)]
    public void Reader_exposes_the_group_and_offset_of_a_message_from_a_groups_history(string json, string? group, long? offset)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        Assert.True(Envelope.TryRead(utf8, out var header, out var error), error.ToString());
        Assert.Equal(group, header.Group);
        Assert.Equal(offset, header.Offset);
        Assert.Equal(new Primitive("Main", 1, null), Envelope.ReadData<Primitive>(utf8, header));

        Assert.True(Envelope.TryRead(new ReadOnlySequence<byte>(utf8), out var fromSequence, out _));
        Assert.Equal(group, fromSequence.Group);
        Assert.Equal(offset, fromSequence.Offset);
    }

    [Fact]
    public void A_header_refuses_an_offset_below_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EnvelopeHeader("a", null, 0, 2, "g", 0));
        Assert.Null(new EnvelopeHeader("a", null, 0, 2).Offset);
        Assert.Equal(5, new EnvelopeHeader("a", null, 0, 2, "g", 5).Offset);
    }

    [Fact]
    public void Reader_works_on_every_split_of_a_multi_segment_sequence()
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(WriteEnvelope(new Primitive("Mäin", 12, "n"), "id"));
        for (int split = 0; split <= utf8.Length; split++)
        {
            var sequence = Segments.Create(utf8[..split], utf8[split..]);
            Assert.True(Envelope.TryRead(sequence, out var header, out _));
            Assert.Equal("id", header.Id);
            Assert.Equal(new Primitive("Mäin", 12, "n"), Envelope.ReadData<Primitive>(sequence, header));
        }
    }

    [Theory]
    [InlineData("", EnvelopeError.InvalidJson)]
    [InlineData("   ", EnvelopeError.InvalidJson)]
    [InlineData("{", EnvelopeError.InvalidJson)]
    [InlineData("""{"type":"a","data":{}""", EnvelopeError.InvalidJson)]
    [InlineData("""{"type":"a","data":{}} x""", EnvelopeError.InvalidJson)]
    [InlineData("""{"type":"a","data":{}}{}""", EnvelopeError.InvalidJson)]
    [InlineData("""{"type":"a","data":{"x":[}}""", EnvelopeError.InvalidJson)]
    [InlineData("""{"type":"a",,"data":{}}""", EnvelopeError.InvalidJson)]
    [InlineData("""[1,2]""", EnvelopeError.NotAnObject)]
    [InlineData("""42""", EnvelopeError.NotAnObject)]
    [InlineData("""null""", EnvelopeError.NotAnObject)]
    [InlineData("""{"data":{}}""", EnvelopeError.MissingType)]
    [InlineData("""{"type":1,"data":{}}""", EnvelopeError.TypeNotString)]
    [InlineData("""{"type":null,"data":{}}""", EnvelopeError.TypeNotString)]
    [InlineData("""{"type":"","data":{}}""", EnvelopeError.EmptyType)]
    [InlineData("""{"type":"a"}""", EnvelopeError.MissingData)]
    [InlineData("""{"type":"a","data":null}""", EnvelopeError.DataNotObject)]
    [InlineData("""{"type":"a","data":[]}""", EnvelopeError.DataNotObject)]
    [InlineData("""{"type":"a","id":7,"data":{}}""", EnvelopeError.IdNotString)]
    [InlineData("""{"type":"a","type":"b","data":{}}""", EnvelopeError.DuplicateProperty)]
    [InlineData("""{"type":"a","data":{},"data":{}}""", EnvelopeError.DuplicateProperty)]
    [InlineData("""{"type":"a","id":"1","id":"2","data":{}}""", EnvelopeError.DuplicateProperty)]
    [InlineData("""{"type":"a","data":{},"group":"g","group":"g","offset":1}""", EnvelopeError.DuplicateProperty)]
    [InlineData("""{"type":"a","data":{},"group":"g","offset":1,"offset":2}""", EnvelopeError.DuplicateProperty)]
    [InlineData("""{"type":"a","data":{},"group":7,"offset":1}""", EnvelopeError.GroupNotString)]
    [InlineData("""{"type":"a","data":{},"group":null}""", EnvelopeError.GroupNotString)]
    [InlineData("""{"type":"a","data":{},"group":"g","offset":"1"}""", EnvelopeError.OffsetNotPositive)]
    [InlineData("""{"type":"a","data":{},"group":"g","offset":0}""", EnvelopeError.OffsetNotPositive)]
    [InlineData("""{"type":"a","data":{},"group":"g","offset":-3}""", EnvelopeError.OffsetNotPositive)]
    [InlineData("""{"type":"a","data":{},"group":"g","offset":1.5}""", EnvelopeError.OffsetNotPositive)]
    [InlineData("""{"type":"a","data":{},"group":"g","offset":9223372036854775808}""", EnvelopeError.OffsetNotPositive)]
    [InlineData("""{"type":"a","data":{},"offset":null}""", EnvelopeError.OffsetNotPositive)]
    public void Malformed_envelopes_are_typed_errors_that_close_with_1007(string json, EnvelopeError expected)
    {
        Assert.False(Envelope.TryRead(Encoding.UTF8.GetBytes(json), out var header, out var error));
        Assert.Equal(expected, error);
        Assert.Null(header.Type);
        Assert.Equal(CloseCode.InvalidPayloadData, error.ToCloseCode());
        Assert.True(Encoding.ASCII.GetByteCount(error.Describe()) <= 123);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_invalid_json()
    {
        string deep = """{"type":"a","data":{"x":""" + new string('[', 100) + new string(']', 100) + "}}";
        Assert.False(Envelope.TryRead(Encoding.UTF8.GetBytes(deep), out _, out var error));
        Assert.Equal(EnvelopeError.InvalidJson, error);
        Assert.True(Envelope.TryRead(Encoding.UTF8.GetBytes(deep), out _, out _, new JsonReaderOptions { MaxDepth = 128 }));
    }

    [Fact]
    public void Invalid_utf8_in_the_type_is_invalid_json()
    {
        byte[] utf8 = [.. "{\"type\":\"a"u8, 0xC3, 0x28, .. "\",\"data\":{}}"u8];
        Assert.False(Envelope.TryRead(utf8, out _, out var error));
        Assert.Equal(EnvelopeError.InvalidJson, error);
    }

    [Fact]
    public void Every_error_has_a_description()
    {
        foreach (var error in Enum.GetValues<EnvelopeError>())
        {
            Assert.NotEqual("Invalid message envelope", error.Describe());
        }
    }

    private static string WriteEnvelope<T>(T message, string? id = null)
        where T : IMessage<T>
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Envelope.Write(writer, message, id);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Create(byte[] first, byte[] second)
        {
            var start = new Segments(first, 0);
            var end = new Segments(second, first.Length);
            start.Next = end;
            return new ReadOnlySequence<byte>(start, 0, end, second.Length);
        }
    }
}
