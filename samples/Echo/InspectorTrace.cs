using System.Threading.Channels;
using Switchboard.Server.WebSockets;

/// <summary>
/// One inspector page's trace channel: the events of the connections inspected for it (their handshakes, every frame
/// the server reads from them, each complete message, their ends) as JSON text, in the order they happened, for the
/// page's trace WebSocket (<see cref="InspectorTraceHandler"/>) to send on as soon as they come. Thread-safe: the
/// receive loops of several connections post at once.
/// </summary>
internal sealed class InspectorTrace(string id)
{
    private readonly Channel<string> _events = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private WebSocketConnection? _browser;

    /// <summary>What an inspected connection names in its query (<c>trace=</c>) to be traced here.</summary>
    public string Id { get; } = id;

    /// <summary>The events, for the one sender.</summary>
    public ChannelReader<string> Events => _events.Reader;

    /// <summary>The page's own inspected connection, the one its "Ping" button pings; null while it has none.</summary>
    public WebSocketConnection? Browser
    {
        get => Volatile.Read(ref _browser);
        set => Volatile.Write(ref _browser, value);
    }

    /// <summary>Forgets <paramref name="connection"/> as the page's connection, unless a newer one took its place.</summary>
    public void Forget(WebSocketConnection connection) => Interlocked.CompareExchange(ref _browser, null, connection);

    /// <summary>Queues an event; after <see cref="Complete"/>, drops it.</summary>
    public void Post(string json) => _events.Writer.TryWrite(json);

    /// <summary>Ends the events: the page's trace WebSocket is gone.</summary>
    public void Complete() => _events.Writer.TryComplete();
}
