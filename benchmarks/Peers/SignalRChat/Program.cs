using System.Globalization;
using System.Net;
using Switchboard.Benchmarks.Peers.SignalRChat;

// The SignalR peer for benchmarks/Load's broadcast and cluster scenarios: one hub at /chat; Send(text) goes to every
// connection as "message" (Clients.All). JSON hub protocol; clients connect their WebSocket directly (no negotiate).
// With --redis HOST:PORT the node joins the others on that Redis server through SignalR's Redis backplane
// (Microsoft.AspNetCore.SignalR.StackExchangeRedis): Clients.All reaches every connection of every node.
// Usage: dotnet SignalRChat.dll --urls http://127.0.0.1:9104 [--redis 127.0.0.1:6379]
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var signalR = builder.Services.AddSignalR();
if (builder.Configuration["redis"] is { } redis)
{
    if (!IPEndPoint.TryParse(redis, out var endPoint) || endPoint.Port == 0)
    {
        await Console.Error.WriteLineAsync($"--redis must be HOST:PORT with an IP address, e.g. 127.0.0.1:6379, not '{redis}'");
        return 2;
    }
    signalR.AddStackExchangeRedis(options => options.Configuration.EndPoints.Add(endPoint));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"backplane: redis at {endPoint}"));
}
var app = builder.Build();
app.MapHub<ChatHub>("/chat");
await app.RunAsync();
return 0;
