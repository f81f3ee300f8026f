using Switchboard.Benchmarks.Peers.SignalRChat;

// The SignalR peer for benchmarks/Load's broadcast: one hub at /chat; Send(text) goes to every connection as
// "message" (Clients.All). JSON hub protocol; clients connect their WebSocket directly (no negotiate).
// Usage: dotnet SignalRChat.dll --urls http://127.0.0.1:9104
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.AddSignalR();
var app = builder.Build();
app.MapHub<ChatHub>("/chat");
app.Run();
