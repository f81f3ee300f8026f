using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Switchboard.Connections;
using Switchboard.Server.WebSockets;
using Switchboard.Protocol;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// <see cref="WebSocketServerOptions.IoThreads"/> and <see cref="WebSocketServerOptions.UnsafePreferInlineScheduling"/>: where
/// user code runs, and what a handler that waits or blocks does to the rest.
/// </summary>
public sealed class IoThreadTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(1, false, "pool")]
    [InlineData(1, true, "Switchboard I/O 1")]
    [InlineData(0, false, "pool")]
    [InlineData(0, true, "pool")]
    public async Task Handlers_run_on_the_thread_pool_unless_inline_scheduling_is_asked_for_on_an_io_thread(int ioThreads, bool inline, string expected)
    {
        var options = new WebSocketServerOptions { IoThreads = ioThreads, UnsafePreferInlineScheduling = inline };
        await using var server = new TestServer(options, ("/", new ThreadNamingHandler()));
        using var client = await server.ConnectAsync("/");
        await client.SendTextAsync("which thread?");
        Assert.Equal(expected, await client.ReceiveTextAsync().WaitAsync(Bound));
    }

    [Fact]
    public async Task By_default_no_user_code_runs_on_an_io_thread()
    {
        // Hooks, message handlers, HTTP routes and authentication: each names the thread it ran on.
        var threads = new ConcurrentQueue<string>();
        var handler = new ThreadNamingHandler(threads);
        var endpoint = new EndpointOptions
        {
            Authenticate = _ =>
            {
                threads.Enqueue("authenticate: " + ThreadName());
                return ValueTask.FromResult(AuthenticationResult.Success("someone"));
            },
        };
        await using var server = new TestServer(new WebSocketServerOptions { IoThreads = 1 }, s => s
            .Map("/", handler, endpoint)
            .MapGet("/thread", (_, response) =>
            {
                threads.Enqueue("route: " + ThreadName());
                response.WriteText("ok");
                return ValueTask.CompletedTask;
            }));

        // A request first on the connection, then the upgrade on it, both read on the I/O thread.
        using (var raw = await RawClient.ConnectAsync(server))
        {
            Assert.Equal(200, (await raw.RequestAsync("GET", "/thread").WaitAsync(Bound)).Status);
            await raw.UpgradeAsync("/");
        }
        using (var client = await server.ConnectAsync("/"))
        {
            await client.SendTextAsync("which thread?");
            Assert.Equal("pool", await client.ReceiveTextAsync().WaitAsync(Bound));
        }
        await Eventually.TrueAsync(() => threads.Count(t => t.StartsWith("disconnected", StringComparison.Ordinal)) == 2, "both connections ended");

        Assert.Contains("route: pool", threads);
        Assert.Contains("authenticate: pool", threads);
        Assert.Contains("connected: pool", threads);
        Assert.Contains("message: pool", threads);
        Assert.All(threads, t => Assert.EndsWith(": pool", t, StringComparison.Ordinal));
    }

    [Fact]
    public async Task By_default_a_handler_that_blocks_does_not_hold_up_the_other_connections_on_its_io_thread()
    {
        // One I/O thread for both connections: a handler on it would keep the other's echo waiting its 2 s.
        var handler = new BlockingHandler(TimeSpan.FromSeconds(2));
        await using var server = new TestServer(new WebSocketServerOptions { IoThreads = 1 }, ("/", handler));
        using var blocker = await server.ConnectAsync("/");
        using var other = await server.ConnectAsync("/");
        await other.SendTextAsync("warm up");
        Assert.Equal("warm up", await other.ReceiveTextAsync().WaitAsync(Bound));

        await blocker.SendTextAsync("block");
        await handler.Blocking.Task.WaitAsync(Bound);
        // A machine shared with other work may hold up any one round trip: of up to three echoes made while the handler
        // sleeps, one must come back within 100 ms. With the handler on the I/O thread, none comes back before it wakes.
        var fastest = TimeSpan.MaxValue;
        for (var i = 0; i < 3 && fastest >= TimeSpan.FromMilliseconds(100); i++)
        {
            var echo = Stopwatch.StartNew();
            await other.SendTextAsync("not held up");
            Assert.Equal("not held up", await other.ReceiveTextAsync().WaitAsync(Bound));
            echo.Stop();
            Assert.False(handler.Unblocked.Task.IsCompleted, $"the echo came back after {echo.Elapsed.TotalMilliseconds:F0} ms, once the blocking handler had returned");
            if (echo.Elapsed < fastest) fastest = echo.Elapsed;
        }
        Assert.True(fastest < TimeSpan.FromMilliseconds(100), $"the other connection's fastest echo took {fastest.TotalMilliseconds:F0} ms");
        Assert.Equal("block", await blocker.ReceiveTextAsync().WaitAsync(Bound));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_handler_that_awaits_frees_its_io_thread_for_the_other_connections_on_it(bool inline)
    {
        // One thread for both: the first handler's wait can only end through the second connection's message.
        var handler = new RendezvousHandler();
        await using var server = new TestServer(new WebSocketServerOptions { IoThreads = 1, UnsafePreferInlineScheduling = inline }, ("/", handler));
        using var waiter = await server.ConnectAsync("/");
        using var releaser = await server.ConnectAsync("/");

        await waiter.SendTextAsync("wait");
        await handler.Waiting.Task.WaitAsync(Bound);
        await releaser.SendTextAsync("release");
        Assert.Equal("released", await releaser.ReceiveTextAsync().WaitAsync(Bound));
        Assert.Equal("waited", await waiter.ReceiveTextAsync().WaitAsync(Bound));
    }

    [Fact]
    public async Task With_inline_scheduling_a_handler_that_blocks_holds_up_its_io_thread_and_is_reported_once()
    {
        var log = new RecordingLoggerFactory();
        var handler = new BlockingHandler(TimeSpan.FromMilliseconds(1600)); // longer than a turn may take without a warning
        var options = new WebSocketServerOptions { IoThreads = 1, UnsafePreferInlineScheduling = true };
        await using var server = new TestServer(options, log, s => s.Map("/", handler));
        using var blocker = await server.ConnectAsync("/");
        using var other = await server.ConnectAsync("/");

        await blocker.SendTextAsync("block");
        await handler.Blocking.Task.WaitAsync(Bound);
        await other.SendTextAsync("behind it");
        Assert.Equal("behind it", await other.ReceiveTextAsync().WaitAsync(Bound)); // served once the thread is free
        Assert.True(handler.Unblocked.Task.IsCompleted, "the other connection was served while the handler blocked its thread");
        Assert.Equal("block", await blocker.ReceiveTextAsync().WaitAsync(Bound));

        await Eventually.TrueAsync(() => log.Events.Any(e => e.Id.Id == 108), "the stall was reported");
        // A marker read in a later turn: the stalled turn has ended, and with it every check that could report it
        // (that the checks report a turn once is IoLoopTests' to show, calling them directly).
        await other.SendTextAsync("marker");
        Assert.Equal("marker", await other.ReceiveTextAsync().WaitAsync(Bound));
        var stall = Assert.Single(log.Events, e => e.Id.Id == 108);
        Assert.Equal(LogLevel.Warning, stall.Level);
        Assert.Contains("Switchboard I/O 1 has been held for", stall.Message, StringComparison.Ordinal);
    }

    private static string ThreadName() => Thread.CurrentThread.IsThreadPoolThread ? "pool" : Thread.CurrentThread.Name ?? "unnamed";

    /// <summary>
    /// Answers with the name of the thread the handler ran on ("pool" for any thread-pool thread), and records where
    /// each hook ran when given a queue.
    /// </summary>
    private sealed class ThreadNamingHandler(ConcurrentQueue<string>? threads = null) : WebSocketHandler
    {
        public override ValueTask OnConnectedAsync(WebSocketConnection connection)
        {
            threads?.Enqueue("connected: " + ThreadName());
            return ValueTask.CompletedTask;
        }

        public override ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message)
        {
            var name = ThreadName();
            threads?.Enqueue("message: " + name);
            return connection.SendTextAsync(name);
        }

        public override ValueTask OnDisconnectedAsync(WebSocketConnection connection, CloseCode? status)
        {
            threads?.Enqueue("disconnected: " + ThreadName());
            return ValueTask.CompletedTask;
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

    /// <summary>"block" holds its thread for the given time; every message is echoed.</summary>
    private sealed class BlockingHandler(TimeSpan block) : WebSocketHandler
    {
        /// <summary>Set as the handler starts to block.</summary>
        public TaskCompletionSource Blocking { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set once the handler has stopped blocking.</summary>
        public TaskCompletionSource Unblocked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ValueTask OnMessageAsync(WebSocketConnection connection, WebSocketMessage message)
        {
            if (Encoding.UTF8.GetString(message.Payload) == "block")
            {
                Blocking.TrySetResult();
                Thread.Sleep(block); // the block under test: a handler that holds its thread instead of awaiting
                Unblocked.TrySetResult();
            }
            return connection.SendAsync(message.Opcode, message.Payload);
        }
    }
}
