using System.Text.Json;
using Switchboard.Serialization;
using Xunit;

namespace Switchboard.Messaging.Tests;

/// <summary>A catalogue's requests and errors: their descriptors and how the description names them.</summary>
public sealed class RequestCatalogTests
{
    private static readonly ShapeDescriptor Empty = ShapeDescriptor.Object("Empty", []);

    [Fact]
    public void Description_gives_every_message_its_kind_and_a_request_its_response_and_errors()
    {
        var catalog = new MessageCatalog([
            new MessageDescriptor("a.ask", typeof(int), Empty, MessageKind.Request, "a.answer", ["a.denied"]),
            new MessageDescriptor("a.answer", typeof(long), Empty),
            new MessageDescriptor("a.denied", typeof(short), Empty, MessageKind.Error, null, null),
        ]);

        using var description = JsonDocument.Parse(catalog.DescribeJson());
        var messages = description.RootElement.GetProperty("messages").EnumerateArray().ToDictionary(m => m.GetProperty("type").GetString()!);
        Assert.Equal("message", messages["a.answer"].GetProperty("kind").GetString());
        Assert.False(messages["a.answer"].TryGetProperty("response", out _));
        Assert.Equal("error", messages["a.denied"].GetProperty("kind").GetString());
        Assert.Equal("request", messages["a.ask"].GetProperty("kind").GetString());
        Assert.Equal("a.answer", messages["a.ask"].GetProperty("response").GetString());
        Assert.Equal(["a.denied"], messages["a.ask"].GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("Request: answered by `a.answer`, or fails with `a.denied`.", catalog.ToMarkdown(), StringComparison.Ordinal);
    }

    [Fact]
    public void Only_a_request_has_a_response_and_errors_and_a_request_needs_a_response()
    {
        Assert.Throws<ArgumentException>(() => new MessageDescriptor("a.ask", typeof(int), Empty, MessageKind.Request, null, null));
        Assert.Throws<ArgumentException>(() => new MessageDescriptor("a.note", typeof(int), Empty, MessageKind.Message, "a.answer", null));
        Assert.Throws<ArgumentException>(() => new MessageDescriptor("a.denied", typeof(int), Empty, MessageKind.Error, null, ["a.other"]));
        var plain = new MessageDescriptor("a.note", typeof(int), Empty);
        Assert.Equal((MessageKind.Message, null, 0), (plain.Kind, plain.Response, plain.Errors.Count));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("r1", true)]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123", true)]
    [InlineData("01234567890123456789012345678901234567890123456789012345678901234", false)]
    public void A_request_id_has_1_to_64_characters(string? id, bool valid) => Assert.Equal(valid, RequestFailure.IsValidId(id));
}
