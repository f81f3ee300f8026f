using System.Text;
using Switchboard.Client;
using Xunit;

namespace Switchboard.Tests.Client;

/// <summary>
/// The long-polling bodies the client reads (docs/protocol.md, "Long polling"), byte-exact: properties in any order,
/// unknown ones skipped, envelopes located as they are in the body, and anything else refused without throwing.
/// </summary>
public sealed class LongPollingWireTests
{
    [Theory]
    [InlineData("""{"session":"AAAAAAAAAAAAAAAAAAAAAA","holdMs":25000}""", 25000)]
    [InlineData("""{"holdMs":100,"extra":[1,{"a":2}],"session":"AAAAAAAAAAAAAAAAAAAAAA"}""", 100)]
    [InlineData(""" {"session":"AAAAAAAAAAAAAAAAAAAAAA"} """, 25000)]
    public void Open_answer_gives_the_session_and_the_hold_time(string body, int holdMs)
    {
        Assert.True(LongPollingWire.TryReadOpen(Encoding.UTF8.GetBytes(body), out var session, out var hold));
        Assert.Equal("AAAAAAAAAAAAAAAAAAAAAA", session);
        Assert.Equal(TimeSpan.FromMilliseconds(holdMs), hold);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{"session":""}""")]
    [InlineData("""{"session":1}""")]
    [InlineData("""{"session":"s","holdMs":"25000"}""")]
    [InlineData("""{"session":"s","holdMs":-1}""")]
    [InlineData("""{"session":"s"} {}""")]
    [InlineData("""{"session":"s\""")]
    public void Invalid_open_answer_is_refused(string body)
        => Assert.False(LongPollingWire.TryReadOpen(Encoding.UTF8.GetBytes(body), out _, out _));

    [Fact]
    public void Poll_answer_locates_each_envelope_in_the_body()
    {
        var body = Encoding.UTF8.GetBytes("""{"messages":[{"type":"a","data":{}}, {"type":"b","data":{"x":[1,{"y":2}]}}],"seq":7,"later":{"v":1}}""");
        var messages = new List<(int Offset, int Length)>();
        Assert.True(LongPollingWire.TryReadPoll(body, messages, out var seq, out var closed, out var code, out var reason));
        Assert.Equal(7, seq);
        Assert.False(closed);
        Assert.Null(code);
        Assert.Null(reason);
        Assert.Equal(["""{"type":"a","data":{}}""", """{"type":"b","data":{"x":[1,{"y":2}]}}"""],
            messages.Select(m => Encoding.UTF8.GetString(body, m.Offset, m.Length)));
    }

    [Fact]
    public void Poll_answer_carries_the_close()
    {
        var body = Encoding.UTF8.GetBytes("""{"seq":9,"messages":[{"type":"chat.error","data":{"reason":"taken"}}],"close":{"code":1008,"reason":"the name is taken"}}""");
        var messages = new List<(int Offset, int Length)>();
        Assert.True(LongPollingWire.TryReadPoll(body, messages, out var seq, out var closed, out var code, out var reason));
        Assert.Equal(9, seq);
        Assert.Single(messages);
        Assert.True(closed);
        Assert.Equal(CloseCode.PolicyViolation, code);
        Assert.Equal("the name is taken", reason);
    }

    [Fact]
    public void Close_without_a_code_ends_the_session_with_none()
    {
        var messages = new List<(int Offset, int Length)>();
        Assert.True(LongPollingWire.TryReadPoll("""{"seq":1,"messages":[],"close":{}}"""u8, messages, out _, out var closed, out var code, out _));
        Assert.True(closed);
        Assert.Null(code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("""{"messages":[{"type":"a","data":{}}]}""")]
    [InlineData("""{"seq":0,"messages":[]}""")]
    [InlineData("""{"seq":"1","messages":[]}""")]
    [InlineData("""{"seq":1,"messages":[1]}""")]
    [InlineData("""{"seq":1,"messages":{}}""")]
    [InlineData("""{"seq":1,"messages":[{"type":"a"}""")]
    [InlineData("""{"seq":1,"messages":[],"close":1008}""")]
    [InlineData("""{"seq":1,"messages":[],"close":{"code":"1008"}}""")]
    [InlineData("""{"seq":1,"messages":[],"close":{"code":70000}}""")]
    [InlineData("""{"seq":1,"messages":[]}x""")]
    public void Invalid_poll_answer_is_refused(string body)
        => Assert.False(LongPollingWire.TryReadPoll(Encoding.UTF8.GetBytes(body), [], out _, out _, out _, out _));

    [Theory]
    [InlineData("ws://127.0.0.1:8001/ws/alice", "http://127.0.0.1:8001/ws/alice")]
    [InlineData("wss://example.com/ws/alice?token=t#x", "https://example.com/ws/alice?token=t")]
    [InlineData("ws://example.com/ws", "http://example.com/ws")]
    [InlineData("wss://example.com:8443/ws", "https://example.com:8443/ws")]
    [InlineData("http://example.com/ws", "http://example.com/ws")]
    public void WebSocket_uri_maps_to_http(string uri, string expected)
        => Assert.Equal(new Uri(expected), LongPollingClientConnection.ToHttpUri(new Uri(uri)));

    [Theory]
    [InlineData("http://h/ws/a", "http://h/ws/a?transport=longpolling")]
    [InlineData("http://h/ws/a?token=t", "http://h/ws/a?token=t&transport=longpolling")]
    public void Query_parameters_follow_the_endpoint_query(string endpoint, string expected)
        => Assert.Equal(expected, LongPollingClientConnection.WithQuery(new Uri(endpoint), "transport=longpolling").AbsoluteUri);
}
