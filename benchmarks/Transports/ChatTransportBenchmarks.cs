using BenchmarkDotNet.Attributes;
using Chat;
using Switchboard.Client;
using Switchboard.Server;

namespace Switchboard.Benchmarks.Transports;

/// <summary>
/// The chat scenario over each transport: alice sends <c>chat.send</c>, the room broadcasts <c>chat.message</c>, and
/// bob (on the same transport) receives it. <see cref="Latency"/> is one message end to end, waiting for it before the
/// next; <see cref="Throughput"/> sends a burst and waits for all of it, so its time per operation is the inverse of
/// messages per second.
/// </summary>
[Config(typeof(TransportConfig))]
public class ChatTransportBenchmarks
{
    private const int Burst = 100;

    private readonly SemaphoreSlim _delivered = new(0);
    private WebSocketServer _server = null!;
    private ChatRoom _room = null!;
    private SwitchboardClient _alice = null!;
    private SwitchboardClient _bob = null!;

    [Params(SwitchboardTransport.WebSocket, SwitchboardTransport.LongPolling)]
    public SwitchboardTransport Transport { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = new WebSocketServer();
        _room = new ChatRoom(new MessageEndpoint(SwitchboardMessages.Catalog));
        _server.Map("/ws/{username}", _room.Endpoint);
        _server.Start();
        var options = new SwitchboardClientOptions { Transport = Transport };
        _bob = new SwitchboardClient(Uri("bob"), SwitchboardMessages.Catalog, options);
        _bob.On<ChatMessage>(m =>
        {
            if (m.Sender == "alice") _delivered.Release();
        });
        await _bob.ConnectAsync();
        _alice = new SwitchboardClient(Uri("alice"), SwitchboardMessages.Catalog, options);
        _alice.On<ChatMessage>(_ => { });
        await _alice.ConnectAsync();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _alice.DisposeAsync();
        await _bob.DisposeAsync();
        await _server.DisposeAsync();
        _room.Dispose();
    }

    [Benchmark]
    public async Task Latency()
    {
        await _alice.SendAsync(new SendChat("hello bob, how are you today?"));
        await _delivered.WaitAsync();
    }

    [Benchmark(OperationsPerInvoke = Burst)]
    public async Task Throughput()
    {
        for (var i = 0; i < Burst; i++) await _alice.SendAsync(new SendChat("hello bob, how are you today?"));
        for (var i = 0; i < Burst; i++) await _delivered.WaitAsync();
    }

    private Uri Uri(string name) => new($"ws://127.0.0.1:{_server.LocalEndPoint.Port}/ws/{name}");
}
