using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Switchboard;
using Switchboard.Connections;
using Switchboard.Server;
using Switchboard.Server.WebSockets;
using SwitchboardBroadcast;

// The Switchboard peer for benchmarks/Load's broadcast, two rooms:
//   /room  the typed path a chat uses: each bench.message is read into a BenchMessage and sent to every connection of
//          the endpoint (MessageEndpoint.All): serialized once, the same prepared frame queued to each.
//   /raw   the same job as the Kestrel and Node peers: each message's bytes, unread, sent to every member.
// Logging is off, as in the other peers. Usage: dotnet SwitchboardBroadcast.dll --port 9105
var port = 9105;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--port" && i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 65535)
    {
        port = p;
    }
    else
    {
        await Console.Error.WriteLineAsync($"usage: SwitchboardBroadcast [--port N]   (unknown or invalid argument '{args[i]}')");
        return 2;
    }
}

// Every user of the load tool connects from 127.0.0.1: the per-address cap is lifted to the server's cap.
await using var server = new WebSocketServer(new WebSocketServerOptions
{
    EndPoint = new IPEndPoint(IPAddress.Loopback, port),
    MaxConnectionsPerAddress = WebSocketServerOptions.DefaultMaxConnections,
});
var room = new MessageEndpoint(SwitchboardBroadcast.SwitchboardMessages.Catalog);
room.On<BenchMessage>((_, message) => room.All.SendAsync(message));
server.Map("/room", room);
server.Map("/raw", new RawRoom());
server.Start();
Console.WriteLine($"listening on ws://127.0.0.1:{server.LocalEndPoint.Port}");

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
