using System.Buffers;
using System.Text;
using Switchboard.Protocol.Handshake;
using Switchboard.Server.Handshake;
using Switchboard.Tests.Handshake;
using Xunit;
using static Switchboard.Tests.Handshake.HandshakeTestData;

namespace Switchboard.Server.Tests.Handshake;

/// <summary>RFC 6455 sections 4.1 and 4.2: the client's request through the server's parser and back.</summary>
public class RoundTripTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData(new[] { "chat", "superchat" }, "superchat")]
    [InlineData(new[] { "v3" }, null)]
    public void RoundTrip_ClientRequest_ServerParse_ServerAccept_ClientRead(string[]? offers, string? expectedSubprotocol)
    {
        ClientHandshake client = ClientHandshake.Create(new Uri("ws://localhost:8001/chat?room=lobby"), offers, "http://localhost:8001");
        var wire = new ArrayBufferWriter<byte>();
        client.WriteRequest(wire);

        ParseResult parsed = Parse(Split(wire.WrittenMemory.ToArray(), 10, 50));
        Assert.Equal(HandshakeError.None, parsed.Error);
        HandshakeRequest request = parsed.Request!;
        Assert.Equal("/chat", request.Path);
        Assert.Equal("room=lobby", request.Query);
        Assert.Equal("localhost:8001", request.Host);
        Assert.Equal("http://localhost:8001", request.Origin);
        Assert.Equal(client.Key, request.Key);
        Assert.Equal(offers ?? [], request.Subprotocols);

        string? selected = HandshakeResponse.SelectSubprotocol(request.Subprotocols, ["superchat", "v2"]);
        var reply = new ArrayBufferWriter<byte>();
        HandshakeResponse.WriteAccept(reply, request.Key, selected);
        reply.Write<byte>([0x81, 0x00]);

        ResponseResult result = Read(client, Split(reply.WrittenMemory.ToArray(), 7));
        Assert.Equal(ClientHandshakeError.None, result.Error);
        Assert.Equal(101, result.StatusCode);
        Assert.Equal(expectedSubprotocol, result.Subprotocol);
        Assert.Equal(reply.WrittenCount - 2, result.Consumed);
    }

    [Fact]
    public void RoundTrip_ServerRejection_ReachesTheClientAsItsStatus()
    {
        var reply = new ArrayBufferWriter<byte>();
        HandshakeResponse.WriteReject(reply, HandshakeError.UnsupportedVersion);

        ResponseResult result = Read(Client(), new ReadOnlySequence<byte>(reply.WrittenMemory));

        Assert.Equal(ClientHandshakeError.NotSwitchingProtocols, result.Error);
        Assert.Equal(426, result.StatusCode);
        Assert.StartsWith("HTTP/1.1 426", Encoding.ASCII.GetString(reply.WrittenSpan), StringComparison.Ordinal);
    }

    private static ClientHandshake Client(string[]? subprotocols = null) =>
        ClientHandshake.Create(new Uri("ws://example.com/chat"), subprotocols);
}
