using Xunit;

namespace Switchboard.Server.Tests;

/// <summary><see cref="WebSocketServer.StopAsync"/> against a connection that finishes its upgrade while the server is stopping.</summary>
public class ShutdownRaceTests
{
    private const int ConnectedEventId = 2;

    [Fact]
    public async Task Connection_upgraded_after_the_going_away_round_still_gets_1001()
    {
        // The server writes its Connected event after the 101 has gone out and before it lists the connection, so a
        // logger that blocks there holds the late connection in exactly that gap while StopAsync runs.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        var armed = 0;
        using var log = new LogRecorder
        {
            OnLog = entry =>
            {
                if (entry.EventId.Id != ConnectedEventId || Interlocked.CompareExchange(ref armed, 2, 1) != 1) return;
                held.TrySetResult();
                release.Wait(TimeSpan.FromSeconds(10));
            },
        };
        var options = new WebSocketServerOptions { ShutdownTimeout = TimeSpan.FromSeconds(3) };
        var server = new TestServer(options, log, s => s.Map("/", new RecordingEchoHandler()));

        using var witness = await RawClient.ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 101 ", await witness.UpgradeAsync("/"), StringComparison.Ordinal);
        await server.WaitForConnectionCountAsync(1);

        Volatile.Write(ref armed, 1);
        using var late = await RawClient.ConnectAsync(server);
        Assert.StartsWith("HTTP/1.1 101 ", await late.UpgradeAsync("/"), StringComparison.Ordinal);
        await held.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, server.Server.ConnectionCount); // the late one is not listed yet

        var stopping = server.Server.StopAsync();
        // The witness's 1001 goes out only after the server took the list of connections to close, without the late one.
        AssertGoingAway(await witness.ReadAsync(4, TimeSpan.FromSeconds(10)));
        release.Set();

        // Well before the shutdown timeout would drop it, the late connection is told the server is going away.
        AssertGoingAway(await late.ReadAsync(4, TimeSpan.FromSeconds(10)));
        witness.Dispose();
        late.Dispose();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, server.Server.ConnectionCount);
        await server.DisposeAsync();
    }

    /// <summary>The first four bytes of an unmasked close frame with code 1001.</summary>
    private static void AssertGoingAway(byte[] head)
    {
        Assert.Equal(4, head.Length);
        Assert.Equal(0x88, head[0]);
        Assert.Equal(new byte[] { 0x03, 0xE9 }, head[2..]);
    }
}
