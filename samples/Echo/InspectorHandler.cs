using Switchboard;
using Switchboard.Connections;
using Switchboard.Server.Handshake;
using Switchboard.Server.WebSockets;

/// <summary>
/// The inspected echo, at <see cref="Path"/><c>?trace=ID</c>: it sends back each message unchanged, same opcode and
/// bytes, and posts to the trace channel <c>ID</c> the opening handshake as the server computed it, every frame its
/// reader takes (<see cref="FrameForwarder"/>), each complete message, and the end. Nothing but echoes goes back on
/// this socket: a socket that has sent its close frame receives nothing more, so the reading of that close frame
/// reaches the page on its trace socket (<see cref="InspectorTraceHandler"/>).
/// </summary>
internal sealed class InspectorHandler(InspectorTraces traces) : WebSocketHandler
{
    public const string Path = "/inspect";

    /// <summary>The <c>client=</c> of the inspector's own .NET client (<see cref="FragmentedSend"/>); a browser gives none.</summary>
    public const string DotnetClient = "dotnet";

    private const string TraceKey = "inspector.trace";

    public override ValueTask OnConnectedAsync(WebSocketConnection connection)
    {
        string? id = QueryValue(connection.Query, "trace");
        if (id is null || !traces.TryGet(id, out InspectorTrace? trace))
        {
            return connection.CloseAsync(CloseCode.PolicyViolation, id is null
                ? "query parameter 'trace' missing: open /inspect/trace first and pass the id it sends"
                : $"query parameter 'trace': no open trace channel '{id}'");
        }

        bool dotnet = QueryValue(connection.Query, "client") == DotnetClient;
        connection.Items[TraceKey] = trace;
        connection.FrameObserver = new FrameForwarder(trace, connection.Id);
        if (!dotnet) trace.Browser = connection;
        trace.Post(InspectorEvents.Handshake(connection.Id, dotnet ? DotnetClient : "browser",
            AcceptComputation.Of(connection.GetHeader("Sec-WebSocket-Key") ?? ""), connection.GetHeader("Sec-WebSocket-Extensions")));
        return ValueTask.CompletedTask;
    }

    public override ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message)
    {
        // Posted after the frames of the message, which the reader posted as it took them.
        TraceOf(connection)?.Post(InspectorEvents.Message(connection.Id, message));
        return connection.SendAsync(message.Opcode, message.Payload);
    }

    public override ValueTask OnDisconnectedAsync(WebSocketConnection connection, CloseCode? status)
    {
        if (TraceOf(connection) is { } trace)
        {
            trace.Forget(connection);
            trace.Post(InspectorEvents.Ended(connection.Id, status));
        }

        return ValueTask.CompletedTask;
    }

    private static InspectorTrace? TraceOf(WebSocketConnection connection)
        => connection.Items.TryGetValue(TraceKey, out object? trace) ? trace as InspectorTrace : null;

    /// <summary>The unescaped value of <paramref name="name"/> in a query without its '?', or null.</summary>
    private static string? QueryValue(string query, string name)
    {
        foreach (string pair in query.Split('&'))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair.AsSpan(0, equals).SequenceEqual(name)) return Uri.UnescapeDataString(pair[(equals + 1)..]);
        }

        return null;
    }
}
