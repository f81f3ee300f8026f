using Chat;
using Switchboard;
using Switchboard.Client;
using Switchboard.Messaging;

// Chat from the terminal with the people in the browser.
// Usage: dotnet run --project samples/Chat.Client -- --url ws://127.0.0.1:8001 --name bob [--transport websocket|longpolling|auto]
// Exit status: 0 after /quit or the end of input, 1 when the server could not be reached or refused the name, 2 for bad arguments.
const string Usage = """
    usage: Chat.Client --url ws://127.0.0.1:8001 --name NAME [--transport websocket|longpolling|auto]

    Joins the chat at --url as NAME. Type a line to send it to the room, "/to NAME text" for a
    direct message, "/older" for the room's 20 messages before the oldest shown, "/quit" to leave. --transport is auto by default: WebSocket, or long polling
    when WebSocket is blocked on the way.

    After a lost connection it reconnects by itself and the room's messages missed meanwhile
    follow; when the room's history no longer reaches back that far, it says so and shows the
    room's last messages again. A reconnect refused because the name is still held by the lost
    connection (a chat node that died holds it until its lease frees it) is retried for up to
    20 seconds.

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
// The current client; replaced by a new one (from the old one's positions) when a reconnect finds the name still taken.
SwitchboardClient? client = null;
// Completes when the program's chat is over for good: with why, when it was not this program's doing.
var ended = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
var joined = false;
// The offset of the oldest room message shown: "/older" asks for the page before it. Null until the room is joined.
long? oldestShown = null;
const int OlderPage = 20;
var rejoining = false; // while RejoinAsync decides what a closed client means

// After a connection is lost, the server may still hold the name for the old connection: on several nodes (with a
// Redis engine), the node that died keeps it until its lease frees it (docs/scale-out.md: LeaseTime + LeaseTime / 3,
// 13.3 s by default). A reconnect refused as taken is retried for this long before it is final; a first join refused
// as taken is final at once.
var takenRetryFor = TimeSpan.FromSeconds(20);

SwitchboardClient Create(IReadOnlyDictionary<string, StreamPosition>? positions)
{
    // The client's copy of the chat messages (Messages.cs is linked in), catalogued under this assembly's name.
    var created = new SwitchboardClient(endpoint, Chat.Client.SwitchboardMessages.Catalog, new SwitchboardClientOptions { Transport = transport, Positions = positions });
    created.On<Roster>(m =>
    {
        joined = true;
        Console.WriteLine($"* in the room: {string.Join(", ", m.Users)}");
    });
    created.On<UserJoined>(m => Console.WriteLine($"* {m.User} joined"));
    created.On<UserLeft>(m => Console.WriteLine($"* {m.User} left"));
    created.On<ChatMessage>(m => Console.WriteLine($"[{m.SentAt.ToLocalTime():HH:mm}] {m.Sender}: {m.Text}"));
    created.On<DirectMessage>(m => Console.WriteLine($"[{m.SentAt?.ToLocalTime():HH:mm}] {m.From} -> {m.To}: {m.Text}"));
    created.On<ChatError>(m => Console.WriteLine($"! {m.Reason}"));
    // Recovered true: the messages missed while away follow. False: the room's history no longer reaches back to the
    // last message shown, so what follows is its last messages again, after a line saying so.
    created.GroupJoined += (_, e) =>
    {
        if (e.Recovered == false) Console.WriteLine("* messages were missed while disconnected: the history was reloaded, the room's last messages follow");
        // A join that did not recover replays the room's last messages, which end at the notice's offset.
        if (e.Recovered != true) oldestShown = Math.Max(1, e.Offset - ChatLimits.JoinHistory + 1);
    };
    created.StateChanged += (_, e) =>
    {
        if (e.Current is ConnectionState.Reconnecting or ConnectionState.Closed && e.Previous != e.Current && !IsTaken(e))
            Console.WriteLine($"* {e.Current.ToString().ToLowerInvariant()}{(e.CloseStatus is { } code ? $" ({(int)code})" : "")}");
        if (e.Current != ConnectionState.Closed || !ReferenceEquals(client, created) || Volatile.Read(ref rejoining)) return;
        if (joined && IsTaken(e))
        {
            _ = RejoinAsync(created);
            return;
        }
        ended.TrySetResult(Why(e));
    };
    return created;
}

// A reconnect refused because the name is still held by the lost connection: new clients, from the positions the old
// one kept, with growing pauses, until one joins or the bound passes.
async Task RejoinAsync(SwitchboardClient old)
{
    Volatile.Write(ref rejoining, true);
    await Task.Yield(); // out of the old client's event, which its disposal waits for
    Console.WriteLine($"* the name {name} is still held by the lost connection; retrying for up to {takenRetryFor.TotalSeconds:0} s");
    var positions = old.Positions;
    await old.DisposeAsync();
    var deadline = DateTime.UtcNow + takenRetryFor;
    var pause = TimeSpan.FromMilliseconds(250);
    while (true)
    {
        await Task.Delay(pause);
        pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(4).Ticks));
        if (!ReferenceEquals(client, old)) await client!.DisposeAsync(); // the last refused one
        var next = Create(positions);
        var outcome = new TaskCompletionSource<ConnectionStateChangedEventArgs?>(TaskCreationOptions.RunContinuationsAsynchronously);
        next.On<Roster>(_ => outcome.TrySetResult(null));
        next.StateChanged += (_, e) => { if (e.Current == ConnectionState.Closed) outcome.TrySetResult(e); };
        client = next;
        try
        {
            await next.ConnectAsync();
        }
        catch (SwitchboardConnectionException e)
        {
            if (e.IsFinal || DateTime.UtcNow >= deadline)
            {
                ended.TrySetResult($"could not join again: {e.Reason ?? e.Message}");
                return;
            }
            continue; // unreachable for now: the next attempt may get through
        }
        var closed = await outcome.Task;
        if (closed is null)
        {
            Volatile.Write(ref rejoining, false);
            return;
        }
        if (!IsTaken(closed) || DateTime.UtcNow >= deadline)
        {
            ended.TrySetResult(Why(closed));
            return;
        }
    }
}

client = Create(null);
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
            if (line == "/older")
                await ShowOlderAsync(client!);
            else if (line.StartsWith("/to ", StringComparison.Ordinal) && line.IndexOf(' ', 4) is > 4 and var space)
                await client!.SendAsync(new DirectMessage(null, line[4..space], line[(space + 1)..], null));
            else
                await client!.SendAsync(new SendChat(line));
        }
        catch (Exception e) when (e is InvalidOperationException or RequestFailedException or TimeoutException)
        {
            Console.WriteLine($"! {(e is RequestFailedException { Error: HistoryRefused refused } ? refused.Reason : e.Message)}");
        }
    }
});
var outcome = await Task.WhenAny(input, ended.Task) == ended.Task ? await ended.Task : null;
await client.DisposeAsync();
if (outcome is { } why)
{
    await Console.Error.WriteLineAsync(why);
    return 1;
}
return 0;

// The page of the room's history before the oldest message shown, oldest first, marked as older.
async Task ShowOlderAsync(SwitchboardClient current)
{
    if (oldestShown is not { } before || before <= 1)
    {
        Console.WriteLine("* no older messages");
        return;
    }
    var page = await current.RequestAsync(new HistoryRequest(before, OlderPage));
    foreach (var entry in page.Entries)
    {
        Console.WriteLine(entry.Type switch
        {
            "chat.message" => $"(older) [{entry.SentAt?.ToLocalTime():HH:mm}] {entry.User}: {entry.Text}",
            "chat.announcement" => $"(older) [{entry.SentAt?.ToLocalTime():HH:mm}] ** {entry.Text}",
            "chat.joined" => $"(older) * {entry.User} joined",
            _ => $"(older) * {entry.User} left",
        });
    }
    oldestShown = !page.More ? 1 : page.Entries.Count > 0 ? page.Entries[0].Offset : Math.Max(1, before - OlderPage);
    if (!page.More) Console.WriteLine("* no older messages");
}

// Closed by the server with 1008 because the name is in use (samples/Chat's ChatRoom).
static bool IsTaken(ConnectionStateChangedEventArgs e) =>
    e.CloseStatus == CloseCode.PolicyViolation && e.CloseReason?.EndsWith(" is taken", StringComparison.Ordinal) == true;

// Why the client closed for good, when it was not this program's doing.
static string? Why(ConnectionStateChangedEventArgs e) => e.Error switch
{
    SwitchboardConnectionException { Kind: SwitchboardConnectionErrorKind.Refused or SwitchboardConnectionErrorKind.NotFound } refusal
        => $"could not join: {refusal.Reason ?? refusal.Message}",
    { } error => $"connection lost: {error.Message}",
    null when e.CloseStatus is { } code => $"connection closed by the server ({(int)code}{(e.CloseReason is { } why ? $": {why}" : "")})",
    null => null,
};
