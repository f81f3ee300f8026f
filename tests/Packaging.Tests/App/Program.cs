using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using App;
using Switchboard;
using Switchboard.Client;
using Switchboard.Messaging;
using Switchboard.Redis;
using Switchboard.Server;

Console.WriteLine($"target={AppContext.TargetFrameworkName}");

// Write a message in its envelope, read it back by its type, and list the assembly's catalogue.
var buffer = new ArrayBufferWriter<byte>();
using (var writer = new Utf8JsonWriter(buffer))
{
    Envelope.Write(writer, new SendChat("hi <there>", Mood.Happy, [new Mention("bob", 3)], new() { ["lang"] = "en" }, TimeSpan.FromMinutes(90)), id: "7");
}

Console.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
if (!Envelope.TryRead(buffer.WrittenSpan, out var header, out var error))
{
    Console.WriteLine($"envelope error: {error}");
    return 1;
}

Console.WriteLine($"type={header.Type} id={header.Id} known={SwitchboardMessages.Catalog.Contains(header.Type)}");
var message = Envelope.ReadData<SendChat>(buffer.WrittenSpan, header);
Console.WriteLine($"text={message.Text} mood={message.Mood} mentions={message.Mentions.Count} first={message.Mentions[0].User}@{message.Mentions[0].Offset} lang={message.Meta["lang"]} after={message.After}");

try
{
    ReadInvalid();
}
catch (MessageFormatException exception)
{
    Console.WriteLine(exception.Message);
}

foreach (var descriptor in SwitchboardMessages.Catalog.Messages)
{
    Console.WriteLine($"{descriptor.Type} -> {descriptor.ClrType.Name}: {string.Join(", ", descriptor.Fields)}");
}

// Switchboard and Switchboard.Server together: a server on a loopback port answers the client's message over a real connection.
var echoed = new TaskCompletionSource<Echo>(TaskCreationOptions.RunContinuationsAsynchronously);
await using (var server = new WebSocketServer(new WebSocketServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }))
{
    server.Map("/ws/{username}", new MessageEndpoint(SwitchboardMessages.Catalog)
        .On<SendChat>((ctx, m) => ctx.SendAsync(new Echo($"{ctx.RouteValues["username"]}: {m.Text}"))));
    server.Start();

    await using var client = new SwitchboardClient(new Uri($"ws://127.0.0.1:{server.LocalEndPoint.Port}/ws/alice"), SwitchboardMessages.Catalog);
    client.On<Echo>(m => echoed.TrySetResult(m));
    await client.ConnectAsync();
    await client.SendAsync(new SendChat("over the wire", Mood.Calm, [], [], null));
    Console.WriteLine($"echo={(await echoed.Task.WaitAsync(TimeSpan.FromSeconds(30))).Text}");
}

// Switchboard.AspNetCore: a typed endpoint like the one above, mapped in a Kestrel app on a loopback port.
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls("http://127.0.0.1:0");
// The output is compared line by line; the host's start and stop messages would interleave with it.
builder.Logging.ClearProviders();
builder.Services.AddSwitchboard();
await using (var web = builder.Build())
{
    web.MapSwitchboard("/ws/{username}", new MessageEndpoint(SwitchboardMessages.Catalog)
        .On<SendChat>((ctx, m) => ctx.SendAsync(new Echo($"{ctx.RouteValues["username"]}: {m.Text}"))));
    await web.StartAsync();

    var relayed = new TaskCompletionSource<Echo>(TaskCreationOptions.RunContinuationsAsynchronously);
    var address = new Uri(web.Urls.Single());
    await using (var client = new SwitchboardClient(new Uri($"ws://127.0.0.1:{address.Port}/ws/carol"), SwitchboardMessages.Catalog))
    {
        client.On<Echo>(m => relayed.TrySetResult(m));
        await client.ConnectAsync();
        await client.SendAsync(new SendChat("through kestrel", Mood.Calm, [], [], null));
        Console.WriteLine($"aspnetcore echo={(await relayed.Task.WaitAsync(TimeSpan.FromSeconds(30))).Text}");
    }

    await web.StopAsync();
}

// Switchboard.Redis: two servers on the redis-server given by --redis, as two nodes; the endpoint "room" is one across
// them, so a message sent to All on one node reaches a client of the other.
var redis = args[Array.IndexOf(args, "--redis") + 1];
var keyPrefix = $"app-{Guid.NewGuid():N}";
await using (var engineA = new RedisEngine(new RedisEngineOptions { Configuration = redis, KeyPrefix = keyPrefix }))
await using (var engineB = new RedisEngine(new RedisEngineOptions { Configuration = redis, KeyPrefix = keyPrefix }))
await using (var nodeA = StartNode(engineA))
await using (var nodeB = StartNode(engineB))
{
    var heard = Channel.CreateUnbounded<Echo>();
    await using var erin = new SwitchboardClient(new Uri($"ws://127.0.0.1:{nodeB.LocalEndPoint.Port}/ws/erin"), SwitchboardMessages.Catalog);
    erin.On<Echo>(m => heard.Writer.TryWrite(m));
    await erin.ConnectAsync();
    // Erin's own message comes back through Redis once node B hears the room.
    await erin.SendAsync(new SendChat("ready", Mood.Calm, [], [], null));
    await NextAsync(heard.Reader, "erin: ready");

    await using var dave = new SwitchboardClient(new Uri($"ws://127.0.0.1:{nodeA.LocalEndPoint.Port}/ws/dave"), SwitchboardMessages.Catalog);
    await dave.ConnectAsync();
    await dave.SendAsync(new SendChat("through redis", Mood.Calm, [], [], null));
    Console.WriteLine($"redis echo={await NextAsync(heard.Reader, "dave: through redis")}");
}

return 0;

static WebSocketServer StartNode(RedisEngine engine)
{
    var server = new WebSocketServer(new WebSocketServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
    var room = new MessageEndpoint(SwitchboardMessages.Catalog) { Name = "room", Engine = engine };
    room.On<SendChat>((ctx, m) => room.All.SendAsync(new Echo($"{ctx.RouteValues["username"]}: {m.Text}")));
    server.Map("/ws/{username}", room);
    server.Start();
    return server;
}

static async Task<string> NextAsync(ChannelReader<Echo> reader, string expected)
{
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
    while (true)
    {
        var text = (await reader.ReadAsync(timeout.Token)).Text;
        if (text == expected) return text;
    }
}

// A ref struct stays out of the async top-level code: C# 12, a net8.0 app's default, allows none there.
static void ReadInvalid()
{
    var reader = new Utf8JsonReader("""{"text":"x","mood":"Sad"}"""u8);
    SendChat.Read(ref reader);
}

namespace App
{
    public enum Mood { Calm, Happy }

    public sealed record Mention(string User, int Offset);

    [Message("chat.send")]
    public partial record SendChat(string Text, Mood Mood, List<Mention> Mentions, Dictionary<string, string> Meta, TimeSpan? After);

    [Message("chat.echo")]
    public partial record Echo(string Text);

    [Message("chat.typing")]
    public partial class Typing
    {
        public required string User { get; init; }
    }
}
