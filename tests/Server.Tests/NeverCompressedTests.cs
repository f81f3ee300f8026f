using System.Buffers.Binary;
using System.Text;
using Switchboard.Server.Engines;
using Switchboard.Server.Tests.Engines;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// A message type declared <c>[Message(..., Compress = false)]</c> leaves with RSV1 clear on a connection that
/// negotiated permessage-deflate on every path where the node frames it from bytes: a group that keeps history (its
/// envelope re-framed with its position) and a delivery from the engine (bytes from another node). A compressible
/// message sent after it, the marker, goes compressed.
/// </summary>
public sealed class NeverCompressedTests
{
    private static readonly string s_text = string.Concat(Enumerable.Repeat("guessable-secret-text ", 40));

    private static async Task<RawClient> ConnectAsync(TestServer server)
    {
        var client = await RawClient.ConnectAsync(server);
        await client.SendAsync("GET /room HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
                               "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n\r\n");
        var head = await client.ReadHeadAsync();
        Assert.StartsWith("HTTP/1.1 101", head, StringComparison.Ordinal);
        Assert.Contains("permessage-deflate", head, StringComparison.Ordinal);
        return client;
    }

    // An unmasked server frame: its RSV bits and payload.
    private static async Task<(int Rsv, byte[] Payload)> ReadFrameAsync(RawClient client)
    {
        var within = TimeSpan.FromSeconds(10);
        var head = await client.ReadAsync(2, within);
        Assert.Equal(2, head.Length);
        long length = head[1] & 0x7F;
        if (length == 126) length = BinaryPrimitives.ReadUInt16BigEndian(await client.ReadAsync(2, within));
        else if (length == 127) length = (long)BinaryPrimitives.ReadUInt64BigEndian(await client.ReadAsync(8, within));
        var payload = await client.ReadAsync((int)length, within);
        Assert.Equal(length, payload.Length);
        return ((head[0] >> 4) & 7, payload);
    }

    private static async Task ExpectSecretThenCompressedMarkerAsync(RawClient client)
    {
        var secret = await ReadFrameAsync(client);
        Assert.Equal(0, secret.Rsv);
        Assert.Contains(s_text, Encoding.UTF8.GetString(secret.Payload), StringComparison.Ordinal);
        var marker = await ReadFrameAsync(client);
        Assert.Equal(4, marker.Rsv);
    }

    [Fact]
    public async Task In_a_group_that_keeps_history_it_goes_uncompressed()
    {
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog) { History = _ => new GroupHistory() };
        endpoint.OnConnected(async c => await c.JoinGroupAsync("vault"));
        await using var server = new TestServer(null, ("/room", endpoint));
        using var client = await ConnectAsync(server);
        // The joined notice: the connection is in the group.
        Assert.Contains("switchboard.joined", Encoding.UTF8.GetString((await ReadFrameAsync(client)).Payload), StringComparison.Ordinal);

        await endpoint.Group("vault").SendAsync(new Secret(s_text));
        await endpoint.Group("vault").SendAsync(new Note(s_text, 1));

        await ExpectSecretThenCompressedMarkerAsync(client);
    }

    [Fact]
    public async Task From_another_node_it_goes_uncompressed()
    {
        var engine = new NodeEngine(1);
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var endpoint = new MessageEndpoint(SwitchboardMessages.Catalog) { Engine = engine }.OnConnected(_ =>
        {
            connected.TrySetResult();
            return ValueTask.CompletedTask;
        });
        await using var server = new TestServer(null, ("/room", endpoint));
        using var client = await ConnectAsync(server);
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var node = await engine.Node;

        // The envelopes alone, as a scale-out engine hands them over.
        await node.DeliverAsync(MessageTarget.All(), new EngineMessage("test.secret", Encoding.UTF8.GetBytes($$$"""{"type":"test.secret","data":{"token":"{{{s_text}}}"}}""")));
        await node.DeliverAsync(MessageTarget.All(), new EngineMessage("test.note", Encoding.UTF8.GetBytes($$$"""{"type":"test.note","data":{"from":"{{{s_text}}}","seq":1}}""")));

        await ExpectSecretThenCompressedMarkerAsync(client);
    }
}
