using System.Globalization;
using System.Net;
using Chat;
using Microsoft.Extensions.Logging;
using Switchboard.Redis;
using Switchboard.Server;

// The instant-messaging sample: the page at http://127.0.0.1:PORT/, the endpoint at ws://127.0.0.1:PORT/ws/{username},
// and the protocol's description (every message and its fields) at http://127.0.0.1:PORT/protocol.json.
// Usage: dotnet run --project samples/Chat -- --port 8001
// Behind a reverse proxy (docs/deployment.md), --trust-proxy ADDRESS (repeatable) believes that proxy's
// X-Forwarded-For/-Proto/-Host about the browser, so a page served over https:// by the proxy passes the origin rule.
// With --redis HOST:PORT the room is shared by every chat node on that Redis (docs/scale-out.md): messages, the roster,
// names and the last 50 messages are the cluster's, and the history outlives every node. Without it, all stays here.
var port = 8001;
List<IPAddress> proxies = [];
string? redis = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--port" && i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 65535)
    {
        port = p;
    }
    else if (args[i] == "--trust-proxy" && i + 1 < args.Length && IPAddress.TryParse(args[++i], out var proxy))
    {
        proxies.Add(proxy);
    }
    else if (args[i] == "--redis" && i + 1 < args.Length && IsHostAndPort(args[++i]))
    {
        redis = args[i];
    }
    else
    {
        await Console.Error.WriteLineAsync($"usage: Chat [--port N] [--trust-proxy ADDRESS]... [--redis HOST:PORT]   (unknown or invalid argument '{args[i]}')");
        return 2;
    }
}

using var loggerFactory = LoggerFactory.Create(logging => logging
    .AddSimpleConsole(console => console.SingleLine = true)
    .SetMinimumLevel(LogLevel.Information));

// The engine outlives the server (declared first, disposed last): connections close before the node leaves Redis.
await using var engine = redis is null ? null : new RedisEngine(new RedisEngineOptions { Configuration = redis }, loggerFactory);
await using var server = new WebSocketServer(new WebSocketServerOptions
{
    EndPoint = new IPEndPoint(IPAddress.Loopback, port),
    ForwardedHeaders = proxies.Count == 0 ? null : new TrustedProxyOptions { KnownProxies = proxies },
}, loggerFactory);
// Named, so that every node's endpoint is the same one in Redis (its keys start with switchboard:{chat}:).
using var room = new ChatRoom(new MessageEndpoint(SwitchboardMessages.Catalog, loggerFactory) { Name = "chat", Engine = engine });
// The page is served from this server, so the default origin rule (same origin, or no Origin: non-browser clients)
// is exactly right: a page from any other site is refused with 403 (docs/security.md, "Who may connect").
// Rate limits a person typing never reaches and a script always does: 20 messages at once, then 2 a second, and
// 64 KiB at once, then 16 KiB a second; past either the connection is closed with 1013 (docs/security.md, "Rate limits").
server.Map("/ws/{username}", room.Endpoint, new EndpointOptions
{
    MessageRate = new RateLimit(perSecond: 2, burst: 20),
    ByteRate = new RateLimit(perSecond: 16 * 1024, burst: 64 * 1024),
});
server.MapProtocol("/protocol.json", room.Endpoint.Catalog);
server.MapAsyncApi("/asyncapi.json", "Switchboard Chat", "1.0.0", room.Endpoint);
// The browser client comes from the server package (clients/js embedded); the page's own files from wwwroot.
server.MapClientScript("/switchboard.js", PageHeaders.All);
server.MapStaticFiles("/", Path.Combine(AppContext.BaseDirectory, "wwwroot"), PageHeaders.All);
server.Start();
Console.WriteLine($"listening on http://127.0.0.1:{server.LocalEndPoint.Port}{(redis is null ? "" : $" (room shared on Redis at {redis})")}");

await server.RunUntilShutdownAsync();
return 0;

// HOST:PORT, the port a number: "127.0.0.1:6379", "redis.internal:6380", "[::1]:6379".
static bool IsHostAndPort(string value) =>
    value.LastIndexOf(':') is > 0 and var colon && colon < value.Length - 1
    && int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535;
