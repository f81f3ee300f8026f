using System.Buffers;
using System.Text;
using Switchboard.Protocol.Handshake;
using Switchboard.Protocol.Http;
using Xunit;
using static Switchboard.Tests.Handshake.HandshakeTestData;

namespace Switchboard.Tests.Handshake;

/// <summary>RFC 6455 section 4.1: the client's request and its checks on the server's response.</summary>
public class ClientHandshakeTests
{
    private const string Accepted =
        "HTTP/1.1 101 Switching Protocols\r\n" +
        "Upgrade: websocket\r\n" +
        "Connection: Upgrade\r\n" +
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
        "\r\n";

    [Fact]
    public void WriteRequest_IsByteExact()
    {
        ClientHandshake client = ClientHandshake.CreateWithKey(
            new Uri("ws://example.com:8080/chat?room=1"), ["chat", "superchat"], "https://example.com", null, SampleKey);

        string written = Written(client.WriteRequest);

        Assert.Equal(
            "GET /chat?room=1 HTTP/1.1\r\n" +
            "Host: example.com:8080\r\n" +
            "Upgrade: websocket\r\n" +
            "Connection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
            "Sec-WebSocket-Version: 13\r\n" +
            "Sec-WebSocket-Protocol: chat, superchat\r\n" +
            "Origin: https://example.com\r\n" +
            "\r\n",
            written);
    }

    [Fact]
    public void WriteRequest_SendsExtraFieldsAfterItsOwn()
    {
        ClientHandshake client = ClientHandshake.CreateWithKey(new Uri("ws://example.com/chat"), null, null, null, SampleKey,
            [new("Authorization", "Bearer abc"), new("Cookie", "sid=1; theme=dark")]);

        Assert.Equal(
            "GET /chat HTTP/1.1\r\n" +
            "Host: example.com\r\n" +
            "Upgrade: websocket\r\n" +
            "Connection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
            "Sec-WebSocket-Version: 13\r\n" +
            "Authorization: Bearer abc\r\n" +
            "Cookie: sid=1; theme=dark\r\n" +
            "\r\n",
            Written(client.WriteRequest));
    }

    [Theory]
    [InlineData("Host", "evil.example")]
    [InlineData("sec-websocket-key", "x")]
    [InlineData("Connection", "close")]
    [InlineData("Content-Length", "5")]
    [InlineData("Bad Name", "x")]
    [InlineData("X-Split", "a\r\nInjected: yes")]
    public void Create_RefusesExtraFieldsThatWouldBreakTheRequest(string name, string value)
    {
        Assert.Throws<ArgumentException>(() => ClientHandshake.Create(new Uri("ws://example.com/"), headers: [new(name, value)]));
    }

    [Fact]
    public void WriteRequest_WithoutOptions_OmitsProtocolAndOrigin()
    {
        ClientHandshake client = ClientHandshake.CreateWithKey(new Uri("wss://example.com"), null, null, null, SampleKey);

        string written = Written(client.WriteRequest);

        Assert.Equal(
            "GET / HTTP/1.1\r\n" +
            "Host: example.com\r\n" +
            "Upgrade: websocket\r\n" +
            "Connection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
            "Sec-WebSocket-Version: 13\r\n" +
            "\r\n",
            written);
        Assert.True(client.IsSecure);
    }

    [Theory]
    [InlineData("ws://example.com/", "example.com", false)]
    [InlineData("ws://example.com:80/", "example.com", false)]
    [InlineData("ws://example.com:443/", "example.com:443", false)]
    [InlineData("ws://example.com:8080/", "example.com:8080", false)]
    [InlineData("wss://example.com:443/", "example.com", true)]
    [InlineData("wss://example.com:80/", "example.com:80", true)]
    [InlineData("http://example.com:8001/", "example.com:8001", false)]
    [InlineData("https://example.com/", "example.com", true)]
    [InlineData("ws://[::1]:9000/", "[::1]:9000", false)]
    [InlineData("ws://127.0.0.1/", "127.0.0.1", false)]
    [InlineData("ws://B\u00fccher.example/", "xn--bcher-kva.example", false)]
    public void Host_CarriesPortOnlyWhenNotTheSchemeDefault(string uri, string host, bool secure)
    {
        ClientHandshake client = ClientHandshake.Create(new Uri(uri));

        Assert.Equal(host, client.Host);
        Assert.Equal(secure, client.IsSecure);
    }

    [Theory]
    [InlineData("ws://example.com", "/")]
    [InlineData("ws://example.com/a b?q=1 2", "/a%20b?q=1%202")]
    [InlineData("ws://example.com/chat?", "/chat?")]
    public void RequestTarget_IsEscapedPathAndQuery(string uri, string target)
    {
        Assert.Equal(target, ClientHandshake.Create(new Uri(uri)).RequestTarget);
    }

    [Fact]
    public void Create_RandomKeys_DifferAndDecodeTo16Bytes()
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 200; i++)
        {
            string key = ClientHandshake.Create(new Uri("ws://example.com/")).Key;
            Assert.Equal(16, Convert.FromBase64String(key).Length);
            Assert.Equal(24, key.Length);
            Assert.True(keys.Add(key));
        }
    }

    [Theory]
    [InlineData("/relative")]
    [InlineData("ftp://example.com/")]
    [InlineData("ws://example.com/#fragment")]
    public void Create_UnusableUri_Throws(string uri)
    {
        Assert.Throws<ArgumentException>(() => ClientHandshake.Create(new Uri(uri, UriKind.RelativeOrAbsolute)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("a,b")]
    [InlineData("chat\r\nX: 1")]
    public void Create_SubprotocolNotAToken_Throws(string subprotocol)
    {
        Assert.Throws<ArgumentException>(() => ClientHandshake.Create(new Uri("ws://example.com/"), [subprotocol]));
    }

    [Fact]
    public void Create_DuplicateSubprotocol_Throws()
    {
        Assert.Throws<ArgumentException>(() => ClientHandshake.Create(new Uri("ws://example.com/"), ["chat", "chat"]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("https://a.example\r\nX-Injected: 1")]
    [InlineData("https://caf\u00e9.example")]
    public void Create_UnsafeOrigin_Throws(string origin)
    {
        Assert.Throws<ArgumentException>(() => ClientHandshake.Create(new Uri("ws://example.com/"), origin: origin));
    }

    [Fact]
    public void ReadResponse_Accepted_ConsumesTheHeadAndLeavesFrames()
    {
        ClientHandshake client = Client();
        byte[] head = Bytes(Accepted);
        byte[] input = [.. head, 0x81, 0x02, 0x68, 0x69];

        ResponseResult result = Read(client, new ReadOnlySequence<byte>(input));

        Assert.Equal(new ResponseResult(true, ClientHandshakeError.None, 101, null, head.Length, head.Length), result);
    }

    [Fact]
    public void ReadResponse_EveryPrefix_IsIncompleteAndConsumesNothing()
    {
        ClientHandshake client = Client();
        byte[] bytes = Bytes(Accepted);
        for (int length = 0; length < bytes.Length; length++)
        {
            ResponseResult result = Read(client, new ReadOnlySequence<byte>(bytes, 0, length));

            Assert.False(result.Done, $"prefix of {length} bytes");
            Assert.Equal(ClientHandshakeError.None, result.Error);
            Assert.Equal(0, result.Consumed);
            Assert.Equal(length, result.Examined);
        }
    }

    [Fact]
    public void ReadResponse_SplitAtEveryByte_SameResult()
    {
        ClientHandshake client = Client(["chat"]);
        byte[] bytes = Bytes(Accepted.Replace("\r\n\r\n", "\r\nSec-WebSocket-Protocol: chat\r\n\r\n", StringComparison.Ordinal));
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            ResponseResult result = Read(client, Split(bytes, cut));

            Assert.Equal(ClientHandshakeError.None, result.Error);
            Assert.Equal("chat", result.Subprotocol);
            Assert.Equal(bytes.Length, result.Consumed);
        }

        Assert.Equal(ClientHandshakeError.None, Read(client, OneBytePerSegment(bytes)).Error);
    }

    [Fact]
    public void ReadResponse_TokenListsAndNameCase_AreTolerated()
    {
        ResponseResult result = Read(Client(),
            "HTTP/1.1 101 Switching Protocols\r\n" +
            "upgrade: WebSocket\r\n" +
            "CONNECTION: keep-alive, upgrade\r\n" +
            "Server: test\r\n" +
            "sec-websocket-accept:  s3pPLMBiTxaQ9kYGzzhZRbK+xOo= \r\n" +
            "\r\n");

        Assert.Equal(ClientHandshakeError.None, result.Error);
    }

    [Fact]
    public void ReadResponse_WrongAccept_IsInvalidAccept()
    {
        ResponseResult result = Read(Client(), Accepted.Replace("xOo=", "xOp=", StringComparison.Ordinal));

        Assert.True(result.Done);
        Assert.Equal(ClientHandshakeError.InvalidAccept, result.Error);
        Assert.Equal(0, result.Consumed);
    }

    [Fact]
    public void ReadResponse_AcceptForAnotherKey_IsInvalidAccept()
    {
        ClientHandshake client = ClientHandshake.Create(new Uri("ws://example.com/"));

        Assert.Equal(ClientHandshakeError.InvalidAccept, Read(client, Accepted).Error);
    }

    [Theory]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: S3PPLMBITXAQ9KYGZZHZRBK+XOO=\r\n\r\n")]
    public void ReadResponse_MissingRepeatedOrMiscasedAccept_IsInvalidAccept(string response)
    {
        Assert.Equal(ClientHandshakeError.InvalidAccept, Read(Client(), response).Error);
    }

    [Theory]
    [InlineData("HTTP/1.1 403 Forbidden\r\n", 403)]
    [InlineData("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 404)]
    [InlineData("HTTP/1.0 400 Bad Request\r\n", 400)]
    [InlineData("HTTP/1.1 200 OK\r\n", 200)]
    [InlineData("HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n", 426)]
    [InlineData("HTTP/1.1 302\r\n", 302)]
    public void ReadResponse_NotSwitchingProtocols_ReportsTheStatusOnceTheStatusLineArrives(string response, int status)
    {
        ResponseResult result = Read(Client(), response);

        Assert.True(result.Done);
        Assert.Equal(ClientHandshakeError.NotSwitchingProtocols, result.Error);
        Assert.Equal(status, result.StatusCode);
        Assert.Equal(0, result.Consumed);
    }

    [Theory]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Protocol: chat\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Protocol: Chat\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Protocol: json, msgpack\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Protocol: json\r\nSec-WebSocket-Protocol: json\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Protocol:\r\n")]
    public void ReadResponse_SubprotocolNotOffered_IsUnexpectedSubprotocol(string partialResponse)
    {
        ResponseResult result = Read(Client(["json", "msgpack"]), partialResponse);

        Assert.True(result.Done);
        Assert.Equal(ClientHandshakeError.UnexpectedSubprotocol, result.Error);
    }

    [Fact]
    public void ReadResponse_SubprotocolWhenNoneOffered_IsUnexpectedSubprotocol()
    {
        string response = Accepted.Replace("\r\n\r\n", "\r\nSec-WebSocket-Protocol: chat\r\n\r\n", StringComparison.Ordinal);

        Assert.Equal(ClientHandshakeError.UnexpectedSubprotocol, Read(Client(), response).Error);
    }

    [Fact]
    public void ReadResponse_OfferedSubprotocol_IsReported()
    {
        string response = Accepted.Replace("\r\n\r\n", "\r\nSec-WebSocket-Protocol: msgpack\r\n\r\n", StringComparison.Ordinal);

        ResponseResult result = Read(Client(["json", "msgpack"]), response);

        Assert.Equal(ClientHandshakeError.None, result.Error);
        Assert.Equal("msgpack", result.Subprotocol);
    }

    [Fact]
    public void ReadResponse_Extension_IsUnexpectedExtension()
    {
        string response = Accepted.Replace("\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n", StringComparison.Ordinal);

        Assert.Equal(ClientHandshakeError.UnexpectedExtension, Read(Client(), response).Error);
    }

    [Theory]
    [InlineData("Upgrade: websocket\r\n", ClientHandshakeError.MissingUpgrade)]
    [InlineData("Upgrade: websocket\r\n", ClientHandshakeError.MissingUpgrade, "Upgrade: h2c\r\n")]
    [InlineData("Connection: Upgrade\r\n", ClientHandshakeError.MissingConnectionUpgrade)]
    [InlineData("Connection: Upgrade\r\n", ClientHandshakeError.MissingConnectionUpgrade, "Connection: keep-alive\r\n")]
    [InlineData("Connection: Upgrade\r\n", ClientHandshakeError.InvalidHeader, "Connection : Upgrade\r\n")]
    [InlineData("Connection: Upgrade\r\n", ClientHandshakeError.InvalidHeader, " Connection: Upgrade\r\n")]
    [InlineData("Connection: Upgrade\r\n", ClientHandshakeError.InvalidHeader, "Connection: Upgrade\n")]
    public void ReadResponse_BrokenField_IsRejected(string field, ClientHandshakeError expected, string replacement = "")
    {
        ResponseResult result = Read(Client(), Accepted.Replace(field, replacement, StringComparison.Ordinal));

        Assert.True(result.Done);
        Assert.Equal(expected, result.Error);
    }

    [Theory]
    [InlineData("HTTP/1.1 101 Switching Protocols\n")]
    [InlineData("HTTP/2 101 Switching Protocols\r\n")]
    [InlineData("HTTP/1.1 1O1 Switching Protocols\r\n")]
    [InlineData("HTTP/1.1  101 Switching Protocols\r\n")]
    [InlineData("HTTP/1.1 1010 Switching Protocols\r\n")]
    [InlineData("HTTP/1.1 101 Switching\u0001Protocols\r\n")]
    [InlineData("http/1.1 101 Switching Protocols\r\n")]
    [InlineData("ICY 200 OK\r\n")]
    public void ReadResponse_MalformedStatusLine_IsInvalidStatusLine(string response)
    {
        ResponseResult result = Read(Client(), response);

        Assert.True(result.Done);
        Assert.Equal(ClientHandshakeError.InvalidStatusLine, result.Error);
    }

    [Theory]
    [InlineData("SSH-2.0-OpenSSH_9.6")]
    [InlineData("HTTP/2")]
    [InlineData("\u0015\u0003\u0003")]
    public void ReadResponse_ForeignProtocol_IsRefusedBeforeTheLineEnds(string partial)
    {
        ResponseResult result = Read(Client(), partial);

        Assert.True(result.Done);
        Assert.Equal(ClientHandshakeError.InvalidStatusLine, result.Error);
    }

    /// <summary>
    /// Found by fuzzing: a start that cannot begin a status line was 431-style HeadersTooLarge when the first read
    /// already reached the cap, and InvalidStatusLine when it did not; it is now InvalidStatusLine either way.
    /// </summary>
    [Fact]
    public void ReadResponse_GarbagePastTheCap_IsAnInvalidStatusLine_AsBeforeTheCap()
    {
        ClientHandshake client = ClientHandshake.CreateWithKey(
            new Uri("ws://example.com/"), null, null, new HttpHeadLimits { MaxHeaderBytes = 64 }, SampleKey);
        string garbage = "SSH-2.0-OpenSSH_9.6 " + new string('x', 80);

        Assert.Equal(ClientHandshakeError.InvalidStatusLine, Read(client, garbage[..10]).Error);
        Assert.Equal(ClientHandshakeError.InvalidStatusLine, Read(client, garbage).Error);
        Assert.Equal(ClientHandshakeError.HeadersTooLarge, Read(client, "HTTP/1.1 101 " + new string('x', 80)).Error);
    }

    [Fact]
    public void ReadResponse_HeadOverTheCap_IsHeadersTooLarge()
    {
        ClientHandshake client = ClientHandshake.CreateWithKey(
            new Uri("ws://example.com/"), null, null, new HttpHeadLimits { MaxHeaderBytes = 64 }, SampleKey);

        ResponseResult tooLong = Read(client, "HTTP/1.1 101 Switching Protocols\r\nServer: " + new string('s', 64));
        Assert.Equal(ClientHandshakeError.HeadersTooLarge, tooLong.Error);

        ClientHandshake counted = ClientHandshake.CreateWithKey(
            new Uri("ws://example.com/"), null, null, new HttpHeadLimits { MaxHeaderCount = 3 }, SampleKey);
        Assert.Equal(ClientHandshakeError.None, Read(counted, Accepted).Error);
        Assert.Equal(ClientHandshakeError.HeadersTooLarge, Read(counted, Accepted.Replace("\r\n\r\n", "\r\nServer: x\r\n\r\n", StringComparison.Ordinal)).Error);
    }

    private static ClientHandshake Client(string[]? subprotocols = null) =>
        ClientHandshake.CreateWithKey(new Uri("ws://example.com/chat"), subprotocols, null, null, SampleKey);
}
