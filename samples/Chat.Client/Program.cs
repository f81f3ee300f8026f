using Chat;
using Switchboard.Client;

// Chat from the terminal with the people in the browser.
// Usage: dotnet run --project samples/Chat.Client -- --url ws://127.0.0.1:8001 --name bob [--transport websocket|longpolling|auto]
// Exit status: 0 after /quit or the end of input, 1 when the server could not be reached or refused the name, 2 for bad arguments.
const string Usage = """
    usage: Chat.Client --url ws://127.0.0.1:8001 --name NAME [--transport websocket|longpolling|auto]

    Joins the chat at --url as NAME. Type a line to send it to the room, "/to NAME text" for a
    direct message, "/quit" to leave. --transport is auto by default: WebSocket, or long polling
    when WebSocket is blocked on the way.

    Exit status: 0 after /quit or the end of input; 1 when the server cannot be reached, refuses
    the connection or the name (the reason is printed), or the connection is lost for good; 2 for
    bad arguments.
    """;
if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(Usage);
    return 0;
}
string? url = null, name = null;
var transport = SwitchboardTransport.Auto;
var valid = args.Length % 2 == 0;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--url": url = args[i + 1]; break;
        case "--name": name = args[i + 1]; break;
        case "--transport":
            switch (args[i + 1])
            {
                case "websocket": transport = SwitchboardTransport.WebSocket; break;
                case "longpolling": transport = SwitchboardTransport.LongPolling; break;
                case "auto": transport = SwitchboardTransport.Auto; break;
                default: valid = false; break;
            }
            break;
        default: valid = false; break;
    }
}
if (url is null || name is null || !valid)
{
    await Console.Error.WriteLineAsync(Usage);
    return 2;
}

var endpoint = new Uri(new Uri(url.TrimEnd('/') + "/"), "ws/" + Uri.EscapeDataString(name));
// The client's copy of the chat messages (Messages.cs is linked in), catalogued under this assembly's name.
await using var client = new SwitchboardClient(endpoint, Chat.Client.SwitchboardMessages.Catalog, new SwitchboardClientOptions { Transport = transport });
// Completes when the client is closed for good: with why, when it was not this program's doing.
var ended = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);

client.On<Roster>(m => Console.WriteLine($"* in the room: {string.Join(", ", m.Users)}"));
client.On<UserJoined>(m => Console.WriteLine($"* {m.User} joined"));
client.On<UserLeft>(m => Console.WriteLine($"* {m.User} left"));
client.On<ChatMessage>(m => Console.WriteLine($"[{m.SentAt.ToLocalTime():HH:mm}] {m.Sender}: {m.Text}"));
client.On<DirectMessage>(m => Console.WriteLine($"[{m.SentAt?.ToLocalTime():HH:mm}] {m.From} -> {m.To}: {m.Text}"));
client.On<ChatError>(m => Console.WriteLine($"! {m.Reason}"));
client.StateChanged += (_, e) =>
{
    if (e.Current is ConnectionState.Reconnecting or ConnectionState.Closed && e.Previous != e.Current)
        Console.WriteLine($"* {e.Current.ToString().ToLowerInvariant()}{(e.CloseStatus is { } code ? $" ({(int)code})" : "")}");
    if (e.Current == ConnectionState.Closed)
    {
        ended.TrySetResult(e.Error switch
        {
            SwitchboardConnectionException { Kind: SwitchboardConnectionErrorKind.Refused or SwitchboardConnectionErrorKind.NotFound } refusal
                => $"could not join: {refusal.Reason ?? refusal.Message}",
            { } error => $"connection lost: {error.Message}",
            null when e.CloseStatus is { } code => $"connection closed by the server ({(int)code}{(e.CloseReason is { } why ? $": {why}" : "")})",
            null => null,
        });
    }
};

try
{
    await client.ConnectAsync();
}
catch (SwitchboardConnectionException e)
{
    await Console.Error.WriteLineAsync(e.IsFinal
        ? $"could not join: {e.Reason ?? e.Message}"
        : $"could not connect to {endpoint}: {e.Message}");
    return 1;
}
Console.WriteLine($"* connected to {endpoint} as {name} over {(client.Transport == SwitchboardTransport.LongPolling ? "long polling" : "WebSocket")}");

var input = Task.Run(async () =>
{
    while (Console.ReadLine() is { } line)
    {
        if (line == "/quit") return;
        if (line.Length == 0) continue;
        try
        {
            if (line.StartsWith("/to ", StringComparison.Ordinal) && line.IndexOf(' ', 4) is > 4 and var space)
                await client.SendAsync(new DirectMessage(null, line[4..space], line[(space + 1)..], null));
            else
                await client.SendAsync(new SendChat(line));
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"! {e.Message}");
        }
    }
});
if (await Task.WhenAny(input, ended.Task) == ended.Task && await ended.Task is { } why)
{
    await Console.Error.WriteLineAsync(why);
    return 1;
}
return 0;
