using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CsCheck;
using Switchboard.Serialization;
using Xunit;

namespace Switchboard.Messaging.Tests;

/// <summary>
/// The fast path of generated writers writes what a compact <see cref="Utf8JsonWriter"/> with the
/// default encoder would, and generated writers keep System.Text.Json's bytes for any other writer.
/// </summary>
public sealed class CompactJsonWriterTests
{
    [Fact]
    public void Every_UTF16_code_unit_is_escaped_as_by_Utf8JsonWriter()
    {
        for (int c = 0; c <= char.MaxValue; c++)
        {
            string text = "a" + (char)c + "b";
            Assert.Equal(Expected(w => w.WriteStringValue(text)), Compact((ref CompactJsonWriter j) => j.WriteString(text)));
        }
    }

    // Enumerated when the test runs: a runner writes each lone surrogate as the same replacement character, so cases
    // enumerated at discovery would share an ID and all but one would not run.
    public static TheoryData<string> Texts => new()
    {
        "\uD83D\uDE00",
        "x\uD800\uDC00y\uDBFF\uDFFF",
        "\uD800",
        "\uDC00",
        "a\uD800b",
        "a\uDC00\uD800b",
        "\uD800\uD800\uDC00",
        "end\uDBFF",
        "",
        "plain ASCII text that is longer than one vector of characters, with nothing to escape at all",
        "<script>alert('x')</script> & \"quotes\" \\ back`tick + plus\u007F\u0000\u001F\t\r\n\b\f",
    };

    [Theory]
    [MemberData(nameof(Texts), DisableDiscoveryEnumeration = true)]
    public void Surrogates_and_escapes_match_Utf8JsonWriter(string text)
    {
        Assert.Equal(Expected(w => w.WriteStringValue(text)), Compact((ref CompactJsonWriter j) => j.WriteString(text)));
        Assert.Equal(
            Expected(w =>
            {
                w.WriteStartObject();
                w.WriteNumber(text, 1);
                w.WriteNumber(text + "2", 2);
                w.WriteEndObject();
            }),
            Compact((ref CompactJsonWriter j) =>
            {
                j.WriteRaw("{"u8);
                int start = j.Position;
                j.WritePropertyName(text, start);
                j.WriteNumber(1);
                j.WritePropertyName(text + "2", start);
                j.WriteNumber(2);
                j.WriteRaw("}"u8);
            }));
    }

    [Fact]
    public void Random_strings_match_Utf8JsonWriter() =>
        Gen.Char.Array[0, 40].Select(chars => new string(chars)).Sample(
            text => Assert.Equal(Expected(w => w.WriteStringValue(text)), Compact((ref CompactJsonWriter j) => j.WriteString(text))),
            iter: 2000);

    [Fact]
    public void Non_finite_numbers_are_refused_like_System_Text_Json()
    {
        foreach (double value in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            Assert.Throws<ArgumentException>(() => Compact((ref CompactJsonWriter j) => j.WriteNumber(value)));
            Assert.Throws<ArgumentException>(() => Compact((ref CompactJsonWriter j) => j.WriteNumber((float)value)));
            Assert.Throws<ArgumentException>(() => Expected(w => w.WriteNumberValue(value)));
        }
    }

    [Fact]
    public void A_value_larger_than_the_scratch_buffer_grows_it()
    {
        var large = new Primitive(new string('é', 200_000) + "<end>", 1, new string('x', 70_000));
        Assert.Equal(Json.Text(Json.StjWrite(large)), Json.Text(Json.Write(large)));

        var small = new Primitive("s", 2, null);
        Assert.Equal(Json.Text(Json.StjWrite(small)), Json.Text(Json.Write(small)));
    }

    [Fact]
    public void Values_written_side_by_side_get_their_separators()
    {
        var first = new Primitive("a", 1, null);
        var second = new Primitive("b", 2, "n");
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            Primitive.Write(writer, first);
            writer.WriteNumberValue(3);
            Primitive.Write(writer, second);
            writer.WriteEndArray();
        }

        string expected = $"[{Json.Text(Json.StjWrite(first))},3,{Json.Text(Json.StjWrite(second))}]";
        Assert.Equal(expected, Json.Text(buffer.WrittenSpan.ToArray()));
    }

    [Fact]
    public void A_writer_in_the_wrong_state_refuses_the_value_as_before()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartObject();
        Assert.Throws<InvalidOperationException>(() => Primitive.Write(writer, new Primitive("a", 1, null)));
    }

    public static TheoryData<string> WriterOptions => ["indented", "relaxed encoder", "explicit default encoder", "skip validation"];

    [Theory]
    [MemberData(nameof(WriterOptions))]
    public void Any_writer_gets_the_bytes_System_Text_Json_writes_with_it(string name)
    {
        var options = name switch
        {
            "indented" => new JsonWriterOptions { Indented = true },
            "relaxed encoder" => new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping },
            "explicit default encoder" => new JsonWriterOptions { Encoder = JavaScriptEncoder.Default },
            _ => new JsonWriterOptions { SkipValidation = true },
        };
        Gen.Select(Generators.Collections, Generators.Primitives, Generators.Sparse).Sample(
            values =>
            {
                Assert.Equal(StjWrite(values.Item1, options), Write(values.Item1, options));
                Assert.Equal(StjWrite(values.Item2, options), Write(values.Item2, options));
                Assert.Equal(StjWrite(values.Item3, options), Write(values.Item3, options));
            },
            iter: 100);
    }

    private static string Write<T>(T value, JsonWriterOptions options)
        where T : IMessage<T>
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            T.Write(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string StjWrite<T>(T value, JsonWriterOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            JsonSerializer.Serialize(writer, value, Json.Stj);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Expected(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private delegate void CompactWrite(ref CompactJsonWriter json);

    private static string Compact(CompactWrite write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var json = CompactJsonWriter.Rent();
            write(ref json);
            json.CommitTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
