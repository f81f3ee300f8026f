using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using Switchboard.Protocol.Compression;
using Switchboard.Server.Engines;
using Switchboard.Server.Tests.Engines;
using Xunit;
using D = Switchboard.Server.SwitchboardServerDiagnostics;

namespace Switchboard.Server.Tests;

/// <summary>
/// A broadcast to connections that negotiated permessage-deflate is compressed once for all that share the same
/// parameters (no server context takeover), counted on <c>switchboard.server.compression.shared</c>; a connection
/// without deflate gets the plain frame of the same send.
/// </summary>
public sealed class SharedCompressionTests
{
    private const int Recipients = 4;
    private static readonly string s_text = string.Concat(Enumerable.Range(0, 40).Select(i => $"line {i} of a long chat message; "));

    private sealed class Room : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<long, MessageContext> _connected = new();

        public Room(WebSocketServerOptions? options = null, IMessageEngine? engine = null)
        {
            Endpoint = new MessageEndpoint(SwitchboardMessages.Catalog) { Engine = engine }.OnConnected(context =>
            {
                _connected[context.ConnectionId] = context;
                return ValueTask.CompletedTask;
            });
            Server = new TestServer(options, ("/room", Endpoint));
            Instruments = new ServerInstruments(Server.Server);
        }

        public MessageEndpoint Endpoint { get; }

        public TestServer Server { get; }

        public ServerInstruments Instruments { get; }

        public async Task<ClientWebSocket[]> ConnectAsync(int count, WebSocketDeflateOptions? deflate)
        {
            var clients = new ClientWebSocket[count];
            var before = _connected.Count;
            for (var i = 0; i < count; i++) clients[i] = await Server.ConnectAsync("/room", o => o.DangerousDeflateOptions = deflate);
            await Testing.Eventually.TrueAsync(() => _connected.Count == before + count, () => $"{before + count} connected; {_connected.Count}");
            return clients;
        }

        public async ValueTask DisposeAsync()
        {
            Instruments.Dispose();
            await Server.DisposeAsync();
        }
    }

    private static WebSocketDeflateOptions NoContextTakeover => new() { ServerContextTakeover = false, ClientContextTakeover = false };

    private static async Task ExpectAsync(IEnumerable<ClientWebSocket> clients, Note expected)
    {
        foreach (var client in clients)
        {
            var text = await ReceiveAsync(client);
            Assert.Equal($$$"""{"type":"test.note","data":{"from":"{{{expected.From}}}","seq":{{{expected.Seq}}}}}""", text);
        }
    }

    private static async Task<string> ReceiveAsync(ClientWebSocket client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[16 * 1024];
        var read = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await client.ReceiveAsync(buffer.AsMemory(read), timeout.Token);
            read += result.Count;
        }
        while (!result.EndOfMessage);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    [Fact]
    public async Task A_broadcast_is_compressed_once_for_every_deflate_recipient_and_sent_plain_to_the_others()
    {
        await using var room = new Room();
        var compressing = await room.ConnectAsync(Recipients, NoContextTakeover);
        // The .NET client offers context takeover by default: the server answers server_no_context_takeover all the same.
        var defaults = await room.ConnectAsync(1, new WebSocketDeflateOptions());
        var plain = await room.ConnectAsync(1, null);

        await room.Endpoint.All.SendAsync(new Note(s_text, 1));

        await ExpectAsync([.. compressing, .. defaults, .. plain], new Note(s_text, 1));
        await room.Instruments.WaitForAsync(m => m.Sum(D.SharedCompressions) >= 1, "the broadcast's compression counted");
        Assert.Equal(1, room.Instruments.Sum(D.SharedCompressions));

        // A prepared message sent twice is compressed once, the first time.
        var prepared = PreparedMessage.Create(new Note(s_text, 2));
        await room.Endpoint.All.SendAsync(prepared);
        await room.Endpoint.All.SendAsync(prepared);
        await ExpectAsync([.. compressing, .. defaults, .. plain], new Note(s_text, 2));
        await ExpectAsync([.. compressing, .. defaults, .. plain], new Note(s_text, 2));
        await room.Instruments.WaitForAsync(m => m.Sum(D.SharedCompressions) >= 2, "the prepared message's compression counted");
        Assert.Equal(2, room.Instruments.Sum(D.SharedCompressions));

        // A message below the minimum size is never compressed, so nothing is counted for it.
        await room.Endpoint.All.SendAsync(new Note("short", 3));
        await ExpectAsync([.. compressing, .. defaults, .. plain], new Note("short", 3));
        Assert.Equal(2, room.Instruments.Sum(D.SharedCompressions));
    }

    [Fact]
    public async Task A_message_from_the_backplane_is_compressed_once_on_this_node()
    {
        // A scale-out engine hands a node the envelope's bytes alone, as Redis does: the node frames them once.
        var engine = new NodeEngine(1);
        await using var room = new Room(engine: engine);
        var compressing = await room.ConnectAsync(Recipients, NoContextTakeover);
        var plain = await room.ConnectAsync(1, null);
        var node = await engine.Node;

        var envelope = Encoding.UTF8.GetBytes($$$"""{"type":"test.note","data":{"from":"{{{s_text}}}","seq":7}}""");
        await node.DeliverAsync(MessageTarget.All(), new EngineMessage("test.note", envelope));

        await ExpectAsync([.. compressing, .. plain], new Note(s_text, 7));
        await room.Instruments.WaitForAsync(m => m.Sum(D.SharedCompressions) >= 1, "the delivery's compression counted");
        Assert.Equal(1, room.Instruments.Sum(D.SharedCompressions));
    }

    [Fact]
    public async Task With_server_context_takeover_each_connection_compresses_for_itself()
    {
        await using var room = new Room(new WebSocketServerOptions { Deflate = new DeflateOptions { ServerNoContextTakeover = false } });
        var clients = await room.ConnectAsync(3, new WebSocketDeflateOptions { ServerContextTakeover = true });

        for (var seq = 1; seq <= 2; seq++)
        {
            await room.Endpoint.All.SendAsync(new Note(s_text, seq));
            await ExpectAsync(clients, new Note(s_text, seq));
        }

        Assert.Equal(0, room.Instruments.Sum(D.SharedCompressions));
    }
}
