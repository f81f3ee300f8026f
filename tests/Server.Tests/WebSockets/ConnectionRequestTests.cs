using System.Net;
using Switchboard.Server.Http;
using Xunit;
using static Switchboard.Tests.Handshake.HandshakeTestData;
using static Switchboard.Server.Tests.Http.HttpTestData;

namespace Switchboard.Server.Tests.WebSockets;

/// <summary>
/// What a WebSocket connection says of its upgrade request, which it keeps as the request's bytes and path and reads
/// again when a member first asks: the same as the head the server parsed.
/// </summary>
public sealed class ConnectionRequestTests
{
    public static TheoryData<string> GetHeads => new() { BrowserGet, MinimalGet, ChromeRequest, "GET /a?b=c HTTP/1.0\r\nHost: example.com\r\n\r\n" };

    [Theory]
    [MemberData(nameof(GetHeads))]
    public void A_head_read_again_from_its_bytes_reads_as_the_parsed_one(string text)
    {
        var parsed = ParseHttp(text).Head!;

        var reread = HttpRequestHead.Reread(parsed.Bytes, KnownMethod.Get, parsed.Path);

        Assert.Equal(parsed.Method, reread.Method);
        Assert.Equal(parsed.Target, reread.Target);
        Assert.Equal(parsed.Path, reread.Path);
        Assert.Equal(parsed.Query, reread.Query);
        Assert.Equal(parsed.Host, reread.Host);
        Assert.Equal(parsed.Version, reread.Version);
        Assert.Equal(parsed.Headers, reread.Headers);
        foreach (var (name, _) in parsed.Headers) Assert.Equal(parsed.GetHeader(name), reread.GetHeader(name.ToUpperInvariant()));
        Assert.Null(reread.GetHeader("X-Absent"));
    }

    [Fact]
    public async Task An_open_connection_reads_its_upgrade_request()
    {
        var handler = new RecordingEchoHandler();
        await using var server = new TestServer(null, ("/rooms/{room}", handler));
        var origin = $"http://127.0.0.1:{server.Server.LocalEndPoint.Port}";
        using var client = await server.ConnectAsync("/rooms/blue?since=42&x=%20", options =>
        {
            options.SetRequestHeader("Origin", origin);
            options.SetRequestHeader("X-Trace", "abc");
        });

        var connection = await handler.Connected.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("/rooms/blue", connection.Path);
        Assert.Equal("blue", connection.RouteValues["room"]);
        // Read from the bytes before the request's strings are made, then from them.
        Assert.Equal(origin, connection.Origin);
        Assert.Equal("abc", connection.GetHeader("x-trace"));
        Assert.Equal("since=42&x=%20", connection.Query);
        Assert.Equal("abc", connection.GetHeader("X-TRACE"));
        Assert.Contains(new KeyValuePair<string, string>("Upgrade", "websocket"), connection.Headers, HeaderComparer.Instance);
        Assert.Equal("13", connection.GetHeader("Sec-WebSocket-Version"));
        Assert.Null(connection.GetHeader("X-Absent"));
        Assert.IsType<IPEndPoint>(connection.RemoteEndPoint);
    }

    /// <summary>Header names compared as HTTP does, case-insensitively; values exactly.</summary>
    private sealed class HeaderComparer : IEqualityComparer<KeyValuePair<string, string>>
    {
        public static readonly HeaderComparer Instance = new();

        public bool Equals(KeyValuePair<string, string> x, KeyValuePair<string, string> y)
            => string.Equals(x.Key, y.Key, StringComparison.OrdinalIgnoreCase) && x.Value == y.Value;

        public int GetHashCode(KeyValuePair<string, string> obj) => StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Key);
    }
}
