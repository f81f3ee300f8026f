using Microsoft.AspNetCore.SignalR;

namespace Switchboard.Benchmarks.Peers.SignalRChat;

/// <summary>The room: every <c>Send</c> goes to every connection, the caller included, as <c>message</c>.</summary>
public sealed class ChatHub : Hub
{
    public Task Send(string text) => Clients.All.SendAsync("message", text);
}
