using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Connections;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary><see cref="WebSocketServerOptions.IoThreads"/>: where handlers run, and what a handler that waits or blocks does to the rest.</summary>
public sealed class IoThreadTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(1, "Switchboard I/O 1")]
    [InlineData(0, "pool")]
    public async Task Handlers_run_on_an_io_thread_or_with_IoThreads_0_on_the_thread_pool(int ioThreads, string expected)
    {
        await using var server = new TestServer(new WebSocketServerOptions { IoThreads = ioThreads }, ("/", new ThreadNamingHandler()));
        using var client = await server.ConnectAsync("/");
        await client.SendTextAsync("which thread?");
        Assert.Equal(expected, await client.ReceiveTextAsync().WaitAsync(Bound));
    }

    [Fact]
    public async Task A_handler_that_awaits_frees_its_io_thread_for_the_other_connections_on_it()
    {
        // One thread for both: the first handler's wait can only end through the second connection's message.
        var handler = new RendezvousHandler();
        await using var server = new TestServer(new WebSocketServerOptions { IoThreads = 1 }, ("/", handler));
        using var waiter = await server.ConnectAsync("/");
        using var releaser = await server.ConnectAsync("/");

        await waiter.SendTextAsync("wait");
        await handler.Waiting.Task.WaitAsync(Bound);
        await releaser.SendTextAsync("release");
        Assert.Equal("released", await releaser.ReceiveTextAsync().WaitAsync(Bound));
        Assert.Equal("waited", await waiter.ReceiveTextAsync().WaitAsync(Bound));
    }

    [Fact]
    public async Task A_handler_that_blocks_its_io_thread_is_reported_once_and_the_thread_goes_on_after_it()
    {
        var log = new RecordingLoggerFactory();
        await using var server = new TestServer(new WebSocketServerOptions { IoThreads = 1 }, log, s => s.Map("/", new BlockingHandler()));
        using var blocker = await server.ConnectAsync("/");
        using var other = await server.ConnectAsync("/");

        await blocker.SendTextAsync("block");
        await other.SendTextAsync("behind it");
        Assert.Equal("behind it", await other.ReceiveTextAsync().WaitAsync(Bound)); // served once the thread is free
        Assert.Equal("block", await blocker.ReceiveTextAsync().WaitAsync(Bound));

        await Eventually.TrueAsync(() => log.Events.Any(e => e.Id.Id == 108), "the stall was reported");
        await Task.Delay(600); // a second report would come from the next check
        var stall = Assert.Single(log.Events, e => e.Id.Id == 108);
        Assert.Equal(LogLevel.Warning, stall.Level);
        Assert.Contains("Switchboard I/O 1 has been held for", stall.Message, StringComparison.Ordinal);
    }

    /// <summary>Answers with the name of the thread the handler ran on ("pool" for any thread-pool thread).</summary>
    private sealed class ThreadNamingHandler : WebSocketHandler
    {
        public override ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message)
        {
            var name = Thread.CurrentThread.IsThreadPoolThread ? "pool" : Thread.CurrentThread.Name ?? "unnamed";
            return connection.SendTextAsync(name);
        }
    }

    /// <summary>"wait" waits until "release" comes, from any connection.</summary>
    private sealed class RendezvousHandler : WebSocketHandler
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message)
        {
            if (Encoding.UTF8.GetString(message.Payload) == "wait")
            {
                Waiting.TrySetResult();
                await _released.Task;
                await connection.SendTextAsync("waited");
            }
            else
            {
                _released.TrySetResult();
                await connection.SendTextAsync("released");
            }
        }
    }

    /// <summary>"block" holds its thread for 1.6 s, longer than a turn may take without a warning; every message is echoed.</summary>
    private sealed class BlockingHandler : WebSocketHandler
    {
        public override ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message)
        {
            if (Encoding.UTF8.GetString(message.Payload) == "block") Thread.Sleep(1600);
            return connection.SendAsync(message.Opcode, message.Payload);
        }
    }
}
