using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Switchboard;
using Switchboard.Connections;
using Switchboard.Protocol.Compression;
using Switchboard.Redis;
using Switchboard.Server;
using Switchboard.Server.Engines;
using Switchboard.Server.WebSockets;
using SwitchboardBroadcast;

// The Switchboard peer for benchmarks/Load's broadcast and cluster scenarios, and benchmarks/Soak's multi-node run:
//   /room  the typed path a chat uses: each bench.message is read into a BenchMessage and sent to every connection of
//          the endpoint (MessageEndpoint.All): serialized once, the same prepared frame queued to each.
//   /raw   the same job as the Kestrel and Node peers: each message's bytes, unread, sent to every member.
// With --redis HOST:PORT the node joins the others on that Redis server through Switchboard.Redis: /room is the
// endpoint "bench-room" on a RedisEngine, every connection joins its group "room" when it connects (then gets a
// bench.message "joined"), and each
// bench.message goes to that group, on every node. --history N makes the group keep its last N messages (offsets,
// recovery from a client's position); without it the group keeps none. A send that Redis refuses closes the sender's
// connection with 1013, so the sender knows the messages it sent on it since its last one that came back may be gone.
// --deflate accepts permessage-deflate with the library's defaults (no context takeover, messages of 256 bytes and more
// compressed): /room compresses a message once for all its members, /raw once per member. Without it the peer declines
// the extension, as the Node peer does.
// Logging is off, as in the other peers; --log writes warnings and errors to the console (a failed delivery, Redis
// outages), for looking into a run.
// Usage: dotnet SwitchboardBroadcast.dll --port 9105 [--redis 127.0.0.1:6379 [--history N]] [--deflate] [--log]
var port = 9105;
IPEndPoint? redis = null;
var history = 0;
var log = false;
var deflate = false;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--port" && i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 65535)
    {
        port = p;
    }
    else if (args[i] == "--redis" && i + 1 < args.Length && IPEndPoint.TryParse(args[++i], out var endPoint) && endPoint.Port != 0)
    {
        redis = endPoint;
    }
    else if (args[i] == "--history" && i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var h) && h > 0)
    {
        history = h;
    }
    else if (args[i] == "--deflate")
    {
        deflate = true;
    }
    else if (args[i] == "--log")
    {
        log = true;
    }
    else
    {
        await Console.Error.WriteLineAsync($"usage: SwitchboardBroadcast [--port N] [--redis HOST:PORT [--history N]] [--deflate] [--log]   (unknown or invalid argument '{args[i]}')");
        return 2;
    }
}
if (history > 0 && redis is null)
{
    await Console.Error.WriteLineAsync("--history needs --redis: without it /room is a broadcast to every connection");
    return 2;
}

using var loggerFactory = LoggerFactory.Create(logging =>
{
    if (log) logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
});

// Every user of the load tool connects from 127.0.0.1: the per-address cap is lifted to the server's cap.
await using var server = new WebSocketServer(new WebSocketServerOptions
{
    EndPoint = new IPEndPoint(IPAddress.Loopback, port),
    MaxConnectionsPerAddress = WebSocketServerOptions.DefaultMaxConnections,
    Deflate = deflate ? DeflateOptions.Default : DeflateOptions.Disabled,
}, loggerFactory);
await using var engine = redis is null ? null : new RedisEngine(new RedisEngineOptions { Configuration = redis.ToString() }, loggerFactory);
var room = new MessageEndpoint(SwitchboardBroadcast.SwitchboardMessages.Catalog, loggerFactory);
if (engine is null)
{
    room.On<BenchMessage>((_, message) => room.All.SendAsync(message));
}
else
{
    const string Group = "room";
    var groupHistory = history > 0 ? new GroupHistory { MaxLength = history } : null;
    room.Name = "bench-room";
    room.Engine = engine;
    room.History = group => group == Group ? groupHistory : null;
    // Joining takes a round trip to Redis after the connection opened: the "joined" message (no load stamp in it)
    // tells the client it is in the room, so a load that waits for it misses none of the room's messages.
    room.OnConnected(async context =>
    {
        await context.JoinGroupAsync(Group);
        await context.SendAsync(new BenchMessage("joined"));
    });
    room.On<BenchMessage>(async (context, message) =>
    {
        try
        {
            await room.Group(Group).SendAsync(message);
        }
        catch (EngineUnavailableException)
        {
            await context.CloseAsync(CloseCode.TryAgainLater, "the message engine is unavailable");
        }
    });
}
server.Map("/room", room);
server.Map("/raw", new RawRoom());
server.Start();
Console.WriteLine($"listening on ws://127.0.0.1:{server.LocalEndPoint.Port}");
if (redis is not null) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"engine: redis at {redis}, history {history}"));

await server.RunUntilShutdownAsync();
return 0;

/// <summary>Forwards every message, as received, to every member; the sender too.</summary>
internal sealed class RawRoom : WebSocketHandler
{
    private readonly ConcurrentDictionary<long, WebSocketConnection> _members = new();

    public override ValueTask OnConnectedAsync(WebSocketConnection connection)
    {
        _members[connection.Id] = connection;
        return ValueTask.CompletedTask;
    }

    public override async ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message)
    {
        // A send completes once the frame is queued for that member; a slow member never holds up the others.
        foreach (var member in _members.Values) await member.SendAsync(message.Opcode, message.Payload);
    }

    public override ValueTask OnDisconnectedAsync(WebSocketConnection connection, CloseCode? status)
    {
        _members.TryRemove(connection.Id, out _);
        return ValueTask.CompletedTask;
    }
}
