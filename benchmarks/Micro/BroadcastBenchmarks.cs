using System.Collections.Concurrent;
using System.Net;
using BenchmarkDotNet.Attributes;
using Chat;
using Switchboard.Client;
using Switchboard.Connections;
using Switchboard.Protocol;
using Switchboard.Server;
using Switchboard.Server.WebSockets;

namespace Switchboard.Benchmarks.Micro;

/// <summary>
/// <see cref="Broadcasts"/> messages to every member of a room of <see cref="Members"/> connections of an in-process
/// server, until every member's client (in this process too, over loopback) has received them all: the typed path
/// (<see cref="MessageEndpoint.All"/>, each message serialized once into one prepared frame) against the raw forward of
/// the same envelope's bytes (one <see cref="WebSocketConnection.SendAsync(Opcode, ReadOnlyMemory{byte}, CancellationToken)"/>
/// per member). Both send from outside any connection's read, so each member's frames leave in the server's deferred
/// flush. Time and allocations are per delivery; the flushes and the clients' receiving are in both.
/// </summary>
[Config(typeof(MicroConfig))]
public class BroadcastBenchmarks
{
    public const int Members = 100;

    /// <summary>The broadcasts of one operation: sent back to back, so each member's frames share its flushes as under load.</summary>
    public const int Broadcasts = 8;

    private readonly ChatMessage _message = new("alice", "a message of about the load tool's 64 bytes", new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
    private readonly ConcurrentDictionary<long, WebSocketConnection> _rawMembers = new();
    private readonly ManualResetEventSlim _delivered = new(false, spinCount: 1);
    private readonly List<WebSocketSession> _clients = [];
    private WebSocketServer _server = null!;
    private MessageEndpoint _room = null!;
    private WebSocketConnection[] _raw = [];
    private ReadOnlyMemory<byte> _envelope;
    private int _received;

    /// <summary>
    /// <paramref name="count"/> operations of one kind (<c>typed</c> or <c>raw</c>) outside BenchmarkDotNet, for an
    /// instruction count: <c>valgrind --tool=callgrind dotnet Switchboard.Benchmarks.Micro.dll broadcast typed 250</c>.
    /// </summary>
    public static void Repeat(string kind, int count)
    {
        var benchmarks = new BroadcastBenchmarks();
        benchmarks.Setup();
        for (var i = 0; i < count; i++)
        {
            if (kind == "typed") benchmarks.Typed();
            else benchmarks.Raw();
        }
        benchmarks.Cleanup();
    }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _delivered.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Members * Broadcasts)]
    public void Raw() => Run(static self => self.ForwardAsync());

    [Benchmark(OperationsPerInvoke = Members * Broadcasts)]
    public void Typed() => Run(static self => self.BroadcastAsync());

    /// <summary>
    /// Sends on the thread pool, as a server's handler does (from a thread of its own, the sends would often run while
    /// a member's deferred flush holds its write lock, and wait), and waits for every delivery.
    /// </summary>
    private void Run(Func<BroadcastBenchmarks, Task> send)
    {
        _delivered.Reset();
        ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Send(state.Self), (Self: this, Send: send), preferLocal: false);
        _delivered.Wait();
    }

    private async Task ForwardAsync()
    {
        for (var i = 0; i < Broadcasts; i++)
        {
            foreach (var member in _raw) await member.SendAsync(Opcode.Text, _envelope).ConfigureAwait(false);
        }
    }

    private async Task BroadcastAsync()
    {
        for (var i = 0; i < Broadcasts; i++) await _room.All.SendAsync(_message).ConfigureAwait(false);
    }

    private async Task SetupAsync()
    {
        using (var encoded = EncodedMessage.Create(_message)) _envelope = encoded.Payload.ToArray();
        _room = new MessageEndpoint(SwitchboardMessages.Catalog);
        _server = new WebSocketServer(new WebSocketServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), KeepAliveInterval = TimeSpan.Zero });
        _server.Map("/room", _room);
        _server.Map("/raw", new RawRoom(_rawMembers));
        _server.Start();
        foreach (var path in (string[])["/room", "/raw"])
        {
            for (var i = 0; i < Members; i++)
            {
                var client = await WebSocketConnector.ConnectAsync(new Uri($"ws://127.0.0.1:{_server.LocalEndPoint.Port}{path}")).ConfigureAwait(false);
                _ = client.RunAsync(static (self, _) => self.OnDelivered(), this);
                _clients.Add(client);
            }
        }
        while (_room.ConnectionCount < Members || _rawMembers.Count < Members) await Task.Delay(10).ConfigureAwait(false);
        _raw = [.. _rawMembers.Values];
    }

    private ValueTask OnDelivered()
    {
        if (Interlocked.Increment(ref _received) % (Members * Broadcasts) == 0) _delivered.Set();
        return ValueTask.CompletedTask;
    }

    /// <summary>Keeps its connections for the raw forward; it forwards nothing itself.</summary>
    private sealed class RawRoom(ConcurrentDictionary<long, WebSocketConnection> members) : WebSocketHandler
    {
        public override ValueTask OnConnectedAsync(WebSocketConnection connection)
        {
            members[connection.Id] = connection;
            return ValueTask.CompletedTask;
        }

        public override ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message) => ValueTask.CompletedTask;
    }
}
