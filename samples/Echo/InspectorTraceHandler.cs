using System.Net;
using System.Text;
using System.Text.Json;
using Switchboard;
using Switchboard.Client;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Server.WebSockets;

/// <summary>
/// The inspector page's trace socket, at <see cref="Path"/>. It opens a trace channel and sends its id
/// ({"type":"trace","id":...}), then every event of the connections the page inspects under that id, as it happens
/// (<see cref="InspectorEvents"/>). It takes the page's commands as JSON text messages:
/// {"command":"ping","payload":"..."} pings the page's inspected connection, whose pong then shows as read;
/// {"command":"fragmented","kind":"text"|"binary","size":N,"fragmentSize":F} has the server's own .NET client send the
/// inspector a message of N bytes in frames of F (<see cref="FragmentedSend"/>). A bad command gets an "error" event.
/// </summary>
internal sealed class InspectorTraceHandler(InspectorTraces traces, Func<IPEndPoint> serverEndPoint) : WebSocketHandler
{
    public const string Path = "/inspect/trace";

    private const string TraceKey = "inspector.channel";

    public override ValueTask OnConnectedAsync(WebSocketConnection connection)
    {
        InspectorTrace trace = traces.Open();
        connection.Items[TraceKey] = trace;
        trace.Post(InspectorEvents.Trace(trace.Id));
        _ = SendEventsAsync(connection, trace);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message)
    {
        var trace = (InspectorTrace)connection.Items[TraceKey]!;
        try
        {
            await RunAsync(trace, message);
        }
        catch (CommandException e)
        {
            trace.Post(InspectorEvents.Error(e.Message));
        }
    }

    public override ValueTask OnDisconnectedAsync(WebSocketConnection connection, CloseCode? status)
    {
        if (connection.Items.TryGetValue(TraceKey, out object? trace)) traces.Close((InspectorTrace)trace!);
        return ValueTask.CompletedTask;
    }

    private static async Task SendEventsAsync(WebSocketConnection connection, InspectorTrace trace)
    {
        await foreach (string json in trace.Events.ReadAllAsync())
        {
            await connection.SendTextAsync(json);
        }
    }

    private async Task RunAsync(InspectorTrace trace, WebSocketMessage message)
    {
        if (message.Opcode != Opcode.Text) throw new CommandException("a command is a JSON text message");
        JsonElement command;
        try
        {
            using var document = JsonDocument.Parse(message.Payload);
            command = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new CommandException($"a command is a JSON object: {e.Message}");
        }

        switch (String(command, "command"))
        {
            case "ping":
                string payload = command.TryGetProperty("payload", out _) ? String(command, "payload") : "";
                byte[] bytes = Encoding.UTF8.GetBytes(payload);
                if (bytes.Length > 125) throw new CommandException($"'payload': a ping carries at most 125 bytes, not {bytes.Length}");
                WebSocketConnection browser = trace.Browser ?? throw new CommandException("no inspected connection to ping: reconnect first");
                trace.Post(InspectorEvents.Ping(browser.Id, payload));
                if (!await browser.PingAsync(bytes)) trace.Post(InspectorEvents.Error($"connection {browser.Id} is closing: no ping sent"));
                break;
            case "fragmented":
                Opcode opcode = String(command, "kind") switch
                {
                    "text" => Opcode.Text,
                    "binary" => Opcode.Binary,
                    var other => throw new CommandException($"'kind' must be \"text\" or \"binary\", not \"{other}\""),
                };
                int size = Int(command, "size", 1, FragmentedSend.MaxSize);
                int fragmentSize = Int(command, "fragmentSize", Math.Max(1, (size + FragmentedSend.MaxFrames - 1) / FragmentedSend.MaxFrames), size);
                try
                {
                    await FragmentedSend.RunAsync(serverEndPoint().Port, trace.Id, opcode, size, fragmentSize);
                }
                catch (Exception e) when (e is SwitchboardConnectionException or TimeoutException)
                {
                    throw new CommandException($"the fragmented send failed: {e.Message}");
                }

                break;
            case var other:
                throw new CommandException($"'command' must be \"ping\" or \"fragmented\", not \"{other}\"");
        }
    }

    private static string String(JsonElement command, string name)
        => command.ValueKind == JsonValueKind.Object && command.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new CommandException($"'{name}' must be a string");

    private static int Int(JsonElement command, string name, int min, int max)
        => command.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number) && number >= min && number <= max
            ? number
            : throw new CommandException($"'{name}' must be a whole number from {min} to {max}");

    /// <summary>A command the page got wrong; its message goes back as an "error" event.</summary>
    private sealed class CommandException(string message) : Exception(message);
}
