using System.Diagnostics;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary><see cref="WebSocketServerOptions.ShutdownTimeout"/>: what a stopping server does with peers that do not cooperate.</summary>
public class ShutdownTimeoutTests
{
    [Fact]
    public async Task Peer_that_ignores_going_away_is_dropped_after_the_shutdown_timeout()
    {
        // The close timeout is far longer, so only the shutdown timeout can end the wait.
        var options = new WebSocketServerOptions { ShutdownTimeout = TimeSpan.FromMilliseconds(300), CloseTimeout = TimeSpan.FromSeconds(60) };
        var server = new TestServer(options, ("/", new RecordingEchoHandler()));
        using var raw = await RawClient.ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 101 ", await raw.UpgradeAsync("/"), StringComparison.Ordinal);
        await server.WaitForConnectionCountAsync(1);

        var clock = Stopwatch.StartNew();
        await server.Server.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
        Assert.Equal(0, server.Server.ConnectionCount);
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(5)));
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Http_handler_still_running_is_cut_off_after_the_shutdown_timeout()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new WebSocketServerOptions { ShutdownTimeout = TimeSpan.FromMilliseconds(300) };
        var server = new TestServer(options, s => s.MapGet("/hold", async (_, response) =>
        {
            entered.TrySetResult();
            // Ignores Aborted on purpose: held until the test has seen the connection dropped (bounded, should it fail first).
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
            response.WriteText("late");
        }));
        using var raw = await RawClient.ConnectAsync(server);
        await raw.SendGetAsync("/hold");
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(5));

        var stopping = server.Server.StopAsync();

        // Dropped at the shutdown timeout, while the handler still holds the request.
        Assert.True(await raw.ClosedByServerAsync(TimeSpan.FromSeconds(10)));
        Assert.False(release.Task.IsCompleted);
        // Stopping ends once the handler's task does.
        release.TrySetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        await server.DisposeAsync();
    }
}
