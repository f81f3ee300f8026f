using System.Collections.Concurrent;
using System.Net.WebSockets;

// The ASP.NET Core peer for benchmarks/Load: Kestrel with System.Net.WebSockets (app.UseWebSockets), as shipped.
//   /room       a broadcast room: every message, as received, is sent to every member (the sender too)
//   any other   echo: every message back with its type, fragment boundaries kept
// Usage: dotnet KestrelEcho.dll --urls http://127.0.0.1:9102
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.UseWebSockets();

var room = new Room();
app.Map("/room", async context =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }
    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    await room.RunMemberAsync(socket);
});
app.Map("/{**path}", async context =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }
    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    await EchoAsync(socket);
});
app.Run();

// One 4 KiB buffer per connection (the size of the ASP.NET Core WebSockets sample), reused for every message; each
// received piece goes straight back, so a longer message is echoed in 4 KiB fragments.
static async Task EchoAsync(WebSocket socket)
{
    var buffer = new byte[4 * 1024];
    try
    {
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                return;
            }
            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, CancellationToken.None);
        }
    }
    catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
    {
        // The peer went away.
    }
}

/// <summary>
/// Every member of the room; a message is assembled into the sender's buffer (grown as needed, reused), then sent
/// as one message to each member in turn, the same bytes for all. System.Net.WebSockets allows one send at a time
/// per socket, so each member has a send lock.
/// </summary>
internal sealed class Room
{
    private readonly ConcurrentDictionary<long, Member> _members = new();
    private long _nextId;

    public async Task RunMemberAsync(WebSocket socket)
    {
        var member = new Member(socket);
        var id = Interlocked.Increment(ref _nextId);
        _members[id] = member;
        var buffer = new byte[4 * 1024];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult received;
                do
                {
                    if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                    received = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += received.Count;
                }
                while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    _members.TryRemove(id, out _);
                    await member.CloseAsync();
                    return;
                }
                var message = buffer.AsMemory(0, length);
                foreach (var other in _members.Values) await other.SendAsync(message, received.MessageType);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The peer went away.
        }
        finally
        {
            _members.TryRemove(id, out _);
        }
    }

    private sealed class Member(WebSocket socket)
    {
        private readonly SemaphoreSlim _sendLock = new(1, 1);

        public async ValueTask SendAsync(ReadOnlyMemory<byte> message, WebSocketMessageType type)
        {
            await _sendLock.WaitAsync();
            try
            {
                if (socket.State == WebSocketState.Open) await socket.SendAsync(message, type, endOfMessage: true, CancellationToken.None);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
            {
                // That member is gone; the others still get the message.
            }
            finally
            {
                _sendLock.Release();
            }
        }

        public async ValueTask CloseAsync()
        {
            await _sendLock.WaitAsync();
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
            {
            }
            finally
            {
                _sendLock.Release();
            }
        }
    }
}
